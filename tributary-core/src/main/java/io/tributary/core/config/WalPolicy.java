package io.tributary.core.config;

/**
 * What a PostgreSQL source does when its replication slot retains more WAL than {@code wal-critical}.
 * Neither loses data silently: both alert, and a re-snapshot reads every row again.
 */
public enum WalPolicy {
  /** Stop capturing, keep the slot (and its WAL) and alert; an operator decides what to do. */
  PAUSE_AND_ALERT,
  /**
   * Drop the slot so the server can free its WAL, alert, and read the tables again with a new initial
   * snapshot into the lake; the lake's history of the changes in between is lost, the current state is not.
   */
  DROP_AND_RESNAPSHOT
}
