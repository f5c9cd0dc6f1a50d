package io.tributary.core.alert;

/** How urgent an alert is. */
public enum AlertSeverity {
  WARNING,
  CRITICAL
}
