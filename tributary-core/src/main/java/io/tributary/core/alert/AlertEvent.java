package io.tributary.core.alert;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A notification about an alert: it fired (or became more severe), or it resolved.
 *
 * @param pipeline the pipeline that sends it
 * @param alert the alert as it was when this happened
 * @param resolved true when the condition no longer holds
 * @param message for a resolved alert, what changed; otherwise the alert's message
 * @param at when it happened
 */
public record AlertEvent(String pipeline, Alert alert, boolean resolved, String message, Instant at) {
  public AlertEvent {
    requireNonNull(pipeline, "pipeline is null");
    requireNonNull(alert, "alert is null");
    requireNonNull(message, "message is null");
    requireNonNull(at, "at is null");
  }

  /** {@code FIRING} or {@code RESOLVED}. */
  public String status() {
    return resolved ? "RESOLVED" : "FIRING";
  }

  /** One line for chat receivers: {@code [FIRING] CRITICAL Source shop failed: ... (pipeline shop)}. */
  public String text() {
    return "[" + status() + "] " + (resolved ? "" : alert.severity() + " ") + alert.title() + ": " + message
        + " (pipeline " + pipeline + ")";
  }
}
