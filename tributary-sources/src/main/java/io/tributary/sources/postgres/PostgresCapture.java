package io.tributary.sources.postgres;

/** How a PostgreSQL source streams its changes (decisions 0008 and 0010). */
public enum PostgresCapture {
  /** pgjdbc's replication stream with Tributary's own pgoutput decoding; Debezium reads the initial snapshot. */
  PGOUTPUT,
  /** The Debezium embedded engine, for the snapshot and the stream. */
  DEBEZIUM
}
