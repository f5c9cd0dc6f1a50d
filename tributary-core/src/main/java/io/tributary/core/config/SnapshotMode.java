package io.tributary.core.config;

import java.util.Locale;

/** Whether a source copies the existing rows of its tables before it streams their changes. */
public enum SnapshotMode {
  /** Copy every existing row first, then stream changes; the usual choice for a new pipeline. */
  INITIAL,
  /** Stream only changes made from now on; rows that already exist never reach the lake. */
  NEVER;

  /** The spelling used in the configuration file, such as {@code initial}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
