package io.tributary.sources.postgres;

/** {@link PostgresSourceIT} with the Debezium embedded engine streaming. */
class PostgresSourceDebeziumIT extends PostgresSourceIT {
  @Override
  PostgresCapture capture() {
    return PostgresCapture.DEBEZIUM;
  }
}
