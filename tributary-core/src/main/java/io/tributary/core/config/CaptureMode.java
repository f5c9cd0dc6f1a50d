package io.tributary.core.config;

/** How a PostgreSQL source streams its changes ({@code capture}). */
public enum CaptureMode {
  /** Tributary's own pgoutput decoding on pgjdbc's replication stream; Debezium reads the initial snapshot. */
  PGOUTPUT,
  /** The Debezium embedded engine, for the snapshot and the stream. */
  DEBEZIUM
}
