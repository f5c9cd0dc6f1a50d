package io.tributary.server;

import static java.util.Objects.requireNonNull;

import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryException;
import io.tributary.sql.QueryResult;
import java.time.Duration;
import java.util.List;

/**
 * The read-only SQL console: one statement at a time, over the lake's current snapshots, at most
 * {@code maxRows} rows, cancelled after {@code timeout}. It has an engine of its own, locked so that
 * statements read only the lake's files.
 */
final class SqlConsole implements AutoCloseable {
  private final LakeSqlEngine engine;
  private final Duration timeout;
  private final int maxRows;

  /** What a statement gave: at most {@code maxRows} rows, {@code truncated} when there were more. */
  record Answer(List<String> columns, List<String> types, List<List<Object>> rows, boolean truncated,
      long elapsedMillis) {}

  SqlConsole(LakeSqlEngine engine, Duration timeout, int maxRows) {
    this.engine = requireNonNull(engine, "engine is null");
    this.timeout = requireNonNull(timeout, "timeout is null");
    this.maxRows = maxRows;
  }

  Duration timeout() {
    return timeout;
  }

  int maxRows() {
    return maxRows;
  }

  /**
   * @throws IllegalArgumentException when the statement would write or is not one statement
   * @throws QueryException when it fails or runs out of time
   */
  Answer run(String sql) {
    String statement = ReadOnlySql.check(sql);
    long start = System.nanoTime();
    QueryResult result;
    synchronized (engine) {
      engine.refresh();
      try {
        result = engine.query(statement, maxRows, timeout);
      } catch (QueryException e) {
        long elapsed = System.nanoTime() - start;
        if (elapsed >= timeout.toNanos() || String.valueOf(e.getMessage()).contains("INTERRUPT")) {
          throw new QueryException("Cannot run query: it ran longer than the statement timeout of "
              + timeout.toSeconds() + " s and was cancelled (narrow it down, or raise server.sql-timeout)", e);
        }
        throw e;
      }
    }
    boolean truncated = result.rowCount() > maxRows;
    List<List<Object>> rows = truncated ? result.rows().subList(0, maxRows) : result.rows();
    return new Answer(result.columnNames(), result.columnTypes(), rows, truncated,
        (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public void close() {
    engine.close();
  }
}
