package io.tributary.bench;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The changes the benches commit to {@code public.items}: rows of about 200 bytes, in transactions of a given size
 * made of about 60% updates, 30% inserts and 10% deletes. Keys live in the window {@code [low, high)}: inserts
 * append at {@code high}, deletes take the oldest keys at {@code low}, updates sweep the window. Every change is
 * one row-level change in the WAL, so a transaction of {@code n} changes decodes into exactly {@code n} events.
 */
final class Workload implements AutoCloseable {
  static final String TABLE = "items";
  static final String CREATE = "CREATE TABLE public.items (id bigint PRIMARY KEY, client_id int NOT NULL, "
      + "amount numeric(12,2) NOT NULL, status text NOT NULL, note text NOT NULL, updated_at timestamptz NOT NULL)";
  /** About 200 bytes a row: 8 + 4 + 8 + ~8 + 160 + 8 plus the tuple header. */
  private static final String ROW = "g, (g %% 5000)::int, (g %% 100000) / 100.0, (ARRAY['new','paid','shipped','delivered','cancelled'])[1 + g %% 5], "
      + "repeat(md5(g::text), 5), now()";

  private final Connection connection;
  private final PreparedStatement insert;
  private final PreparedStatement update;
  private final PreparedStatement delete;
  private long low;
  private long high;
  private long cursor;
  private long changes;

  Workload(Connection connection) throws SQLException {
    this.connection = requireNonNull(connection, "connection is null");
    connection.setAutoCommit(false);
    insert = connection.prepareStatement(String.format(
        "INSERT INTO public.items SELECT " + ROW + " FROM generate_series(?::bigint, ?::bigint) g"));
    update = connection.prepareStatement("UPDATE public.items SET amount = amount + 1, status = "
        + "(ARRAY['new','paid','shipped','delivered','cancelled'])[1 + (id + (amount * 100)::bigint) % 5], updated_at = now() "
        + "WHERE id >= ? AND id < ?");
    delete = connection.prepareStatement("DELETE FROM public.items WHERE id >= ? AND id < ?");
  }

  static void createTable(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(CREATE);
    }
  }

  /** Inserts {@code rows} rows in one statement (before capture starts: they are the table's initial rows). */
  void seed(long rows) throws SQLException {
    insert.setLong(1, high);
    insert.setLong(2, high + rows - 1);
    insert.executeUpdate();
    connection.commit();
    high += rows;
    cursor = low;
  }

  /**
   * Adds one transaction's changes: {@code size} in total (inserts 30%, deletes 10%, updates the rest), without
   * committing, so the caller can add more statements to the same transaction.
   */
  void addChanges(int size) throws SQLException {
    int inserts = (int) Math.round(size * 0.3);
    int deletes = (int) Math.round(size * 0.1);
    int updates = size - inserts - deletes;
    if (inserts > 0) {
      insert.setLong(1, high);
      insert.setLong(2, high + inserts - 1);
      count(insert.executeUpdate(), inserts, "inserted");
      high += inserts;
    }
    if (deletes > 0) {
      delete.setLong(1, low);
      delete.setLong(2, low + deletes);
      count(delete.executeUpdate(), deletes, "deleted");
      low += deletes;
    }
    if (updates > 0) {
      if (cursor < low || cursor + updates > high) {
        cursor = low;
      }
      update.setLong(1, cursor);
      update.setLong(2, cursor + updates);
      count(update.executeUpdate(), updates, "updated");
      cursor += updates;
    }
    changes += size;
  }

  /** The workload's connection (not auto-committing), for statements that join its transactions. */
  Connection connection() {
    return connection;
  }

  void commit() throws SQLException {
    connection.commit();
  }

  private static void count(int actual, int expected, String what) {
    if (actual != expected) {
      throw new IllegalStateException("Invalid workload state: " + what + " " + actual + " rows, expected " + expected
          + " (the live key window must hold more rows than a transaction updates: seed more rows)");
    }
  }

  long changes() {
    return changes;
  }

  /** Live rows in the table now, from the key window. */
  long liveRows() {
    return high - low;
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
