package io.tributary.sources.postgres.snapshot;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads tables at one exported snapshot, in parallel: each table is split into ranges of pages ({@link
 * SnapshotChunk}), and {@link SnapshotSettings#threads()} connections, each in a {@code REPEATABLE READ}
 * transaction that imported the snapshot, {@code COPY} one chunk after another in text format. The rows reach
 * one consumer, on the calling thread, through a buffer bounded by bytes: readers wait while it is full, so
 * memory stays flat whatever the tables' size.
 *
 * <p>Rows are numbered 1, 2, 3... in the order the consumer receives them (not per chunk or table), so a
 * position built from the number increases in delivery order. Chunks interleave: there is no order among rows
 * of one table.
 */
public final class ChunkedSnapshotReader {
  private static final Logger log = LoggerFactory.getLogger(ChunkedSnapshotReader.class);
  /** A batch handed to the consumer is at most this many estimated bytes... */
  private static final long BATCH_BYTES = 1 << 20;
  /** ...or this many rows. */
  private static final int BATCH_ROWS = 4096;

  /** Prepares, once per table, how its rows are turned into what the consumer takes. */
  @FunctionalInterface
  public interface Mapping<R> {
    /**
     * Called on the planning thread with a connection inside the snapshot's transaction, for catalog queries
     * (the types of the columns, say); the connection must not be kept.
     */
    RowMapper<R> prepare(Connection catalog, SnapshotTable table) throws SQLException;
  }

  /** Turns one table's rows into what the consumer takes; runs on the reading threads, so it must be thread-safe. */
  @FunctionalInterface
  public interface RowMapper<R> {
    /** {@code values} in column order, null for SQL NULL; the array is reused after the call returns. */
    R map(String[] values);
  }

  /** A row mapping that keeps the text values as they are. */
  public static Mapping<String[]> text() {
    return (catalog, table) -> String[]::clone;
  }

  /** Takes the rows, one at a time, on the thread that called {@link #read}. */
  @FunctionalInterface
  public interface RowConsumer<R> {
    /** {@code row} is 1 for the first row delivered and one more for each next. */
    void accept(SnapshotTable table, long row, R value) throws InterruptedException;
  }

  /**
   * What a read did.
   *
   * @param rows rows delivered
   * @param rowsByTable rows delivered per table ({@code schema.table}), in the order the tables were given
   * @param chunks chunks read
   * @param elapsed from the start of {@link #read} to its end
   */
  public record Result(long rows, Map<String, Long> rowsByTable, int chunks, Duration elapsed) {
    public Result {
      rowsByTable = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(rowsByTable, "rowsByTable is null")));
      requireNonNull(elapsed, "elapsed is null");
    }
  }

  private final String source;
  private final PgConnections connections;
  private final SnapshotSettings settings;

  /** @param source the source's name, for thread names and messages */
  public ChunkedSnapshotReader(String source, PgConnections connections, SnapshotSettings settings) {
    this.source = requireNonNull(source, "source is null");
    this.connections = requireNonNull(connections, "connections is null");
    this.settings = requireNonNull(settings, "settings is null");
  }

  /**
   * Reads {@code tables} ({@code schema.table}) at the exported snapshot {@code snapshotName} and hands every
   * row to {@code consumer}; returns once every row was delivered.
   *
   * @param imported run once every reading transaction has imported the snapshot: from then on the exporting
   *     connection may be closed or used for streaming
   * @throws IllegalStateException when a table cannot be read (the message names it and the chunk)
   */
  public <R> Result read(String snapshotName, List<String> tables, Mapping<R> mapping, RowConsumer<R> consumer,
      Runnable imported) throws InterruptedException {
    requireNonNull(snapshotName, "snapshotName is null");
    requireNonNull(tables, "tables is null");
    requireNonNull(mapping, "mapping is null");
    requireNonNull(consumer, "consumer is null");
    requireNonNull(imported, "imported is null");
    long started = System.nanoTime();
    List<Connection> opened = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    Handoff<R> handoff = new Handoff<>(settings.bufferBytes());
    try {
      for (int i = 0; i < settings.threads(); i++) {
        opened.add(importSnapshot(snapshotName));
      }
      imported.run();
      List<SnapshotTable> planned = new ArrayList<>();
      Queue<SnapshotChunk> chunks = new ConcurrentLinkedQueue<>();
      Map<SnapshotTable, RowMapper<R>> mappers = new IdentityHashMap<>();
      boolean tidRanges = serverVersion(opened.get(0)) >= 140000;
      for (String table : tables) {
        SnapshotTable described = describe(opened.get(0), table);
        planned.add(described);
        mappers.put(described, mapping.prepare(opened.get(0), described));
        chunks.addAll(plan(opened.get(0), described, tidRanges));
      }
      int chunkCount = chunks.size();
      log.info("Source {}: snapshot {} of {} tables in {} chunks on {} connections", source, snapshotName, tables.size(),
          chunkCount, opened.size());
      int workers = Math.min(opened.size(), Math.max(1, chunkCount));
      handoff.producers(workers);
      for (int i = 0; i < workers; i++) {
        Connection connection = opened.get(i);
        Thread thread = new Thread(() -> work(connection, chunks, mappers, handoff), "tributary-" + source + "-snapshot-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
      Map<SnapshotTable, Long> counts = new LinkedHashMap<>();
      planned.forEach(table -> counts.put(table, 0L));
      long row = 0;
      Batch<R> batch;
      while ((batch = handoff.take()) != null) {
        SnapshotTable table = batch.table;
        for (R value : batch.rows) {
          consumer.accept(table, ++row, value);
        }
        counts.merge(table, (long) batch.rows.size(), Long::sum);
        handoff.release(batch);
      }
      Map<String, Long> byTable = new LinkedHashMap<>();
      counts.forEach((table, count) -> byTable.put(table.qualifiedName(), count));
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      log.info("Source {}: snapshot read {} rows of {} tables in {} chunks in {} ms", source, row, tables.size(),
          chunkCount, elapsed.toMillis());
      return new Result(row, byTable, chunkCount, elapsed);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read the snapshot of source " + source + " at " + connections.describe()
          + ": " + e.getMessage() + " (check that the tables exist and the user may read them)", e);
    } finally {
      handoff.abort(null);
      for (Thread thread : threads) {
        thread.interrupt();
      }
      for (Thread thread : threads) {
        thread.join(10_000);
      }
      for (Connection connection : opened) {
        close(connection);
      }
    }
  }

  private Connection importSnapshot(String snapshotName) throws SQLException {
    Connection connection = connections.open();
    try {
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      connection.setReadOnly(true);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
        // Text forms the value decoding expects: ISO dates, times with their UTC offset.
        statement.execute("SET LOCAL TimeZone = 'UTC'");
        statement.execute("SET LOCAL DateStyle = 'ISO'");
        statement.execute("SET LOCAL IntervalStyle = 'postgres'");
        statement.execute("SET LOCAL bytea_output = 'hex'");
      }
      return connection;
    } catch (SQLException e) {
      close(connection);
      throw new SQLException("cannot import snapshot " + snapshotName + ": " + e.getMessage()
          + " (the connection that exported it must stay open until every reader imported it)", e.getSQLState(), e);
    }
  }

  private static int serverVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT current_setting('server_version_num')::int")) {
      result.next();
      return result.getInt(1);
    }
  }

  /** The table's columns, key and size, read inside the snapshot's transaction. */
  static SnapshotTable describe(Connection connection, String table) throws SQLException {
    int dot = table.indexOf('.');
    if (dot < 1 || dot == table.length() - 1) {
      throw new IllegalArgumentException("Invalid table " + table + " (write schema.table)");
    }
    String schema = table.substring(0, dot);
    String name = table.substring(dot + 1);
    String relation = SnapshotTable.quote(schema) + "." + SnapshotTable.quote(name);
    List<PgColumn> columns = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement("""
        SELECT a.attname, a.atttypid, a.atttypmod, coalesce(bt.typname, t.typname), a.attnotnull
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
        WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""")) {
      statement.setString(1, relation);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          columns.add(new PgColumn(result.getString(1), result.getInt(2), result.getInt(3), result.getString(4),
              result.getBoolean(5)));
        }
      }
    } catch (SQLException e) {
      throw new SQLException("cannot read the columns of " + table + ": " + e.getMessage(), e.getSQLState(), e);
    }
    List<String> key = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement("""
        SELECT a.attname FROM pg_index i
        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY k.n""")) {
      statement.setString(1, relation);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          key.add(result.getString(1));
        }
      }
    }
    long pages;
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT pg_relation_size(?::regclass) / current_setting('block_size')::bigint")) {
      statement.setString(1, relation);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        pages = result.getLong(1);
      }
    }
    return new SnapshotTable(schema, name, columns, key, pages);
  }

  /** Splits a table into chunks of about {@link SnapshotSettings#chunkRows()} rows, from its statistics. */
  private List<SnapshotChunk> plan(Connection connection, SnapshotTable table, boolean tidRanges) throws SQLException {
    if (!tidRanges || table.pages() == 0) {
      return List.of(new SnapshotChunk(table, 0, -1, 0, !tidRanges));
    }
    double rowsPerPage;
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT reltuples, relpages FROM pg_class WHERE oid = ?::regclass")) {
      statement.setString(1, table.relation());
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        double tuples = result.getDouble(1);
        long relpages = result.getLong(2);
        // Never analysed or vacuumed (reltuples -1, relpages 0): assume rows of about 200 bytes.
        rowsPerPage = tuples > 0 && relpages > 0 ? tuples / relpages : 40;
      }
    }
    long pagesPerChunk = Math.max(1, (long) Math.ceil(settings.chunkRows() / Math.max(1.0, rowsPerPage)));
    List<SnapshotChunk> chunks = new ArrayList<>();
    int index = 0;
    for (long from = 0; from < table.pages(); from += pagesPerChunk) {
      long to = from + pagesPerChunk;
      chunks.add(new SnapshotChunk(table, from, to >= table.pages() ? -1 : to, index++, false));
    }
    return chunks;
  }

  private <R> void work(Connection connection, Queue<SnapshotChunk> chunks, Map<SnapshotTable, RowMapper<R>> mappers,
      Handoff<R> handoff) {
    SnapshotChunk chunk = null;
    try {
      CopyTextParser parser = new CopyTextParser();
      while (!handoff.aborted() && (chunk = chunks.poll()) != null) {
        long started = System.nanoTime();
        long rows = copy(connection, chunk, parser, mappers.get(chunk.table()), handoff);
        if (log.isDebugEnabled()) {
          log.debug("Source {}: read {} rows of {} in {} ms", source, rows, chunk.describe(),
              (System.nanoTime() - started) / 1_000_000);
        }
      }
      handoff.producerDone();
    } catch (InterruptedException e) {
      handoff.abort(e);
    } catch (Exception e) {
      String where = chunk == null ? "the snapshot" : chunk.describe();
      handoff.abort(new IllegalStateException("Cannot read " + where + " of source " + source + " at "
          + connections.describe() + ": " + e.getMessage(), e));
    }
  }

  private <R> long copy(Connection connection, SnapshotChunk chunk, CopyTextParser parser, RowMapper<R> mapper,
      Handoff<R> handoff) throws SQLException, InterruptedException {
    SnapshotTable table = chunk.table();
    String[] values = new String[table.columns().size()];
    long overheadPerRow = 48L * values.length + 32;
    CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(chunk.copySql());
    long rows = 0;
    try {
      Batch<R> batch = new Batch<>(table);
      byte[] row;
      while ((row = copy.readFromCopy()) != null) {
        parser.parse(row, row.length, values);
        batch.rows.add(mapper.map(values));
        batch.bytes += 2L * row.length + overheadPerRow;
        rows++;
        if (batch.bytes >= BATCH_BYTES || batch.rows.size() >= BATCH_ROWS) {
          if (!handoff.put(batch)) {
            return rows;
          }
          batch = new Batch<>(table);
        }
      }
      if (!batch.rows.isEmpty()) {
        handoff.put(batch);
      }
      return rows;
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
  }

  private static void close(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      log.debug("Ending a snapshot transaction failed", e);
    }
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("Closing a snapshot connection failed", e);
    }
  }

  /** Rows of one table read together; {@code bytes} estimates their heap size. */
  private static final class Batch<R> {
    final SnapshotTable table;
    final List<R> rows = new ArrayList<>();
    long bytes;

    Batch(SnapshotTable table) {
      this.table = table;
    }
  }

  /**
   * The bounded buffer between the reading threads and the consumer: a producer waits while the batches waiting
   * and being consumed hold more than the bound (one batch always fits, so a large row cannot stall the read).
   */
  private static final class Handoff<R> {
    private final long capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Batch<R>> batches = new ArrayDeque<>();
    private long used;
    private int producers;
    private boolean aborted;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    Handoff(long capacity) {
      this.capacity = capacity;
    }

    void producers(int count) {
      lock.lock();
      try {
        producers = count;
      } finally {
        lock.unlock();
      }
    }

    /** False when the read was aborted and the producer should stop. */
    boolean put(Batch<R> batch) throws InterruptedException {
      lock.lockInterruptibly();
      try {
        while (!aborted && used > 0 && used + batch.bytes > capacity) {
          notFull.await();
        }
        if (aborted) {
          return false;
        }
        batches.addLast(batch);
        used += batch.bytes;
        notEmpty.signal();
        return true;
      } finally {
        lock.unlock();
      }
    }

    /** The next batch; null once every producer is done and all was taken; throws a producer's failure. */
    Batch<R> take() throws InterruptedException {
      lock.lockInterruptibly();
      try {
        while (batches.isEmpty() && producers > 0 && !aborted) {
          notEmpty.await();
        }
        Exception error = failure.get();
        if (error instanceof RuntimeException runtime) {
          throw runtime;
        }
        if (error instanceof InterruptedException interrupted) {
          throw new IllegalStateException("Cannot finish the snapshot: a reading thread was interrupted", interrupted);
        }
        if (aborted) {
          throw new IllegalStateException("Cannot finish the snapshot: it was stopped");
        }
        return batches.pollFirst();
      } finally {
        lock.unlock();
      }
    }

    /** The consumer is done with {@code batch}: its bytes count no more. */
    void release(Batch<R> batch) {
      lock.lock();
      try {
        used -= batch.bytes;
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void producerDone() {
      lock.lock();
      try {
        producers--;
        notEmpty.signalAll();
      } finally {
        lock.unlock();
      }
    }

    boolean aborted() {
      lock.lock();
      try {
        return aborted;
      } finally {
        lock.unlock();
      }
    }

    void abort(Exception error) {
      lock.lock();
      try {
        if (error != null) {
          failure.compareAndSet(null, error);
        }
        aborted = true;
        notFull.signalAll();
        notEmpty.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
