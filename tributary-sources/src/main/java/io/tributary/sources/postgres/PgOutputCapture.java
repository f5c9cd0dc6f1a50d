package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.pgoutput.PgOutputDecoder;
import io.tributary.sources.postgres.pgoutput.PgOutputHandler;
import io.tributary.sources.postgres.pgoutput.PgRelation;
import io.tributary.sources.postgres.pgoutput.PgTextValues;
import io.tributary.sources.postgres.pgoutput.PgTuple;
import io.tributary.sources.postgres.pgoutput.PgType;
import io.tributary.sources.postgres.pgoutput.PgTypeRegistry;
import io.tributary.sources.postgres.pgoutput.PgValueException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one PostgreSQL database's changes from its replication slot with pgjdbc's replication API and our own
 * pgoutput decoding (decision 0008), producing the same {@link ChangeEvent}s, positions and dead letters the Debezium
 * path produces for the same changes (decision 0010), so a lake can move from one to the other.
 *
 * <p>Positions are {@code 1:<commit LSN><change LSN><index>} as {@link PostgresPositions} makes them, where the commit
 * LSN is, as in Debezium's offsets, the end of the last transaction received before the change (the slot's confirmed
 * position for the first one of a session). The slot's confirmed position advances only to what {@link #acknowledge}
 * was given: the commit LSN of the newest acknowledged position, so a transaction the lake holds only part of is sent
 * again whole, with the very same positions, and the changes at or before the position the source resumed after are
 * skipped. While the captured tables are idle, a transactional logical message written every heartbeat interval
 * moves the slot on, as Debezium's heartbeat does.
 */
final class PgOutputCapture implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgOutputCapture.class);
  private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

  private final PostgresSourceSettings settings;
  private final ChangeSink sink;
  private final Optional<PostgresSnapshotStep> snapshot;
  private final Set<String> captured;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong acknowledgedLsn = new AtomicLong();
  private final Object pendingLock = new Object();
  /** Positions delivered and not yet acknowledged, each with the LSN the slot may confirm once it is. */
  private final Deque<Pending> pending = new ArrayDeque<>();
  private volatile Position lastDelivered;
  private Thread thread;

  // State of the stream, touched only by the capture's thread.
  private final Map<Integer, RelationState> relations = new HashMap<>();
  private long commitLsn;
  private long changeLsn;
  private boolean inTransaction;
  private long transactionId;
  private Instant commitTime = Instant.EPOCH;
  private String groupBase;
  private int groupIndex;
  private long lastHeartbeat = System.nanoTime();
  private long lastPendingLsn = -1;
  private PgTypeRegistry types;
  private Connection catalog;

  PgOutputCapture(PostgresSourceSettings settings, ChangeSink sink, Optional<PostgresSnapshotStep> snapshot) {
    this.settings = requireNonNull(settings, "settings is null");
    this.sink = requireNonNull(sink, "sink is null");
    this.snapshot = requireNonNull(snapshot, "snapshot is null");
    this.captured = Set.copyOf(settings.tables());
  }

  /** Starts the snapshot step (if any), then streaming, on a thread of the capture's own. */
  void start(Optional<Position> resumeAfter) {
    requireNonNull(resumeAfter, "resumeAfter is null");
    lastDelivered = resumeAfter.orElse(null);
    thread = new Thread(() -> run(resumeAfter), "tributary-source-" + settings.name());
    thread.setDaemon(true);
    thread.start();
  }

  private void run(Optional<Position> resumeAfter) {
    try {
      if (snapshot.isPresent()) {
        snapshot.get().run(resumeAfter, sink);
        Position last = snapshot.get().lastPosition().orElse(null);
        if (last != null && (lastDelivered == null || last.isAfter(lastDelivered))) {
          lastDelivered = last;
        }
        snapshot.get().close();
      }
      stream();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      if (!closed.get()) {
        sink.failed(new IllegalStateException("Source " + settings.name() + " stopped: " + e.getMessage(), e));
      }
    }
  }

  private void stream() throws InterruptedException {
    long delay = 1_000;
    while (!closed.get()) {
      try {
        streamOnce();
        return;
      } catch (SQLException e) {
        if (closed.get()) {
          return;
        }
        if (isPermanent(e)) {
          throw new IllegalStateException("Cannot stream from replication slot " + settings.slotName() + ": " + e.getMessage(), e);
        }
        log.warn("Source {}: replication stream lost ({}); reconnecting in {} ms", settings.name(), e.getMessage(), delay);
        TimeUnit.MILLISECONDS.sleep(delay);
        delay = Math.min(delay * 2, MAX_RETRY_DELAY.toMillis());
      }
    }
  }

  /** Authentication, authorisation and missing objects do not go away by retrying. */
  private static boolean isPermanent(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("28") || state.equals("42501") || state.equals("42704"));
  }

  private void streamOnce() throws SQLException, InterruptedException {
    try (Connection catalogConnection = connect(false); Connection replication = connect(true)) {
      catalog = catalogConnection;
      types = new PgTypeRegistry(catalogConnection);
      relations.clear();
      long start = ensureSlot(catalogConnection, replication);
      commitLsn = start;
      groupBase = null;
      inTransaction = false;
      var builder = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
          .withSlotName(settings.slotName())
          .withStartPosition(LogSequenceNumber.valueOf(start))
          .withSlotOption("proto_version", "1")
          .withSlotOption("publication_names", settings.publicationName())
          .withStatusInterval(10, TimeUnit.SECONDS)
          // Else pgjdbc, on a keepalive, reports the server's position as flushed whenever the LSN it last reported
          // flushed is at or past the start of the last message received: with the captured tables idle the slot
          // confirmed WAL nothing acknowledged, and inside a transaction begun before the last acknowledged commit
          // the rule would let it confirm a later transaction the lake does not hold yet.
          .withAutomaticFlush(false);
      if (catalogConnection.getMetaData().getDatabaseMajorVersion() >= 14) {
        builder = builder.withSlotOption("messages", "true");
      }
      PGReplicationStream stream = builder.start();
      long sent = Math.max(start, acknowledgedLsn.get());
      stream.setFlushedLSN(LogSequenceNumber.valueOf(sent));
      stream.setAppliedLSN(LogSequenceNumber.valueOf(sent));
      log.info("Source {}: streaming from slot {} at {} with pgoutput decoding", settings.name(), settings.slotName(),
          LogSequenceNumber.valueOf(start).asString());
      try {
        int quiet = 0;
        while (!closed.get()) {
          sent = confirm(stream, sent);
          ByteBuffer message = stream.readPending();
          if (message == null) {
            idle();
            quiet++;
            TimeUnit.MILLISECONDS.sleep(quiet < 100 ? 1 : 10);
            continue;
          }
          quiet = 0;
          changeLsn = stream.getLastReceiveLSN().asLong();
          PgOutputDecoder.decode(message, handler);
        }
        confirm(stream, sent);
      } finally {
        try {
          stream.close();
        } catch (SQLException e) {
          log.debug("Source {}: replication stream did not close cleanly: {}", settings.name(), e.getMessage());
        }
      }
    } finally {
      catalog = null;
    }
  }

  /** Tells the server what the lake holds, when that moved; returns the LSN now confirmed. */
  private long confirm(PGReplicationStream stream, long sent) throws SQLException {
    long acknowledged = acknowledgedLsn.get();
    if (acknowledged <= sent) {
      return sent;
    }
    LogSequenceNumber lsn = LogSequenceNumber.valueOf(acknowledged);
    stream.setFlushedLSN(lsn);
    stream.setAppliedLSN(lsn);
    stream.forceUpdateStatus();
    return acknowledged;
  }

  /** The slot's confirmed position, creating the slot first when it is missing. */
  private long ensureSlot(Connection catalogConnection, Connection replication) throws SQLException {
    try (PreparedStatement statement = catalogConnection.prepareStatement(
        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, settings.slotName());
      try (ResultSet result = statement.executeQuery()) {
        if (result.next()) {
          return LogSequenceNumber.valueOf(result.getString(1)).asLong();
        }
      }
    }
    if (lastDelivered != null && settings.snapshotMode() == SnapshotMode.INITIAL && lastDelivered.sortKey().startsWith("1:")) {
      throw PostgresPreflight.slotGone(settings);
    }
    var slot = replication.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot().logical()
        .withSlotName(settings.slotName())
        .withOutputPlugin("pgoutput")
        .make();
    log.info("Source {}: created replication slot {} at {}", settings.name(), settings.slotName(),
        slot.getConsistentPoint().asString());
    return slot.getConsistentPoint().asLong();
  }

  private Connection connect(boolean replication) throws SQLException {
    Properties properties = new Properties();
    PGProperty.USER.set(properties, settings.user());
    settings.password().ifPresent(password -> PGProperty.PASSWORD.set(properties, password));
    PGProperty.APPLICATION_NAME.set(properties, "tributary-" + settings.name());
    PGProperty.CONNECT_TIMEOUT.set(properties, 10);
    if (replication) {
      PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
      PGProperty.REPLICATION.set(properties, "database");
      PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
    }
    return DriverManager.getConnection(
        "jdbc:postgresql://" + settings.host() + ":" + settings.port() + "/" + settings.database(), properties);
  }

  /** With nothing to read: a heartbeat, when one is due and no transaction is open. */
  private void idle() throws InterruptedException, SQLException {
    if (inTransaction || System.nanoTime() - lastHeartbeat < settings.heartbeatInterval().toNanos()) {
      return;
    }
    heartbeat();
    // While the captured tables are idle, the slot only moves with a transaction it decodes; a transactional
    // logical message is one, so the slot releases the WAL other tables write.
    try (Statement statement = catalog.createStatement()) {
      statement.execute("SELECT pg_logical_emit_message(true, '" + PostgresSource.HEARTBEAT_PREFIX + "', now()::text)");
    }
  }

  /** Reports progress up to the last transaction's end: the lake records it, and its acknowledgement frees the slot. */
  private void heartbeat() throws InterruptedException {
    lastHeartbeat = System.nanoTime();
    Position position = new Position("1:" + PostgresPositions.hex(commitLsn) + PostgresPositions.hex(0),
        token(commitLsn), false);
    if (lastDelivered != null && !position.isAfter(lastDelivered)) {
      position = new Position(lastDelivered.sortKey(), position.resumeToken(), false);
    }
    remember(position);
    sink.progress(position);
  }

  /** The next change's position at {@link #changeLsn}, or null when the lake already holds it. */
  private Position nextPosition() {
    String base = "1:" + PostgresPositions.hex(commitLsn) + PostgresPositions.hex(changeLsn);
    if (base.equals(groupBase)) {
      groupIndex++;
    } else {
      groupBase = base;
      groupIndex = 0;
    }
    Position position = new Position(base + PostgresPositions.hex2(groupIndex), token(changeLsn), false);
    if (lastDelivered != null && !position.isAfter(lastDelivered)) {
      return null;
    }
    return position;
  }

  /**
   * A resume token in the form of Debezium's PostgreSQL offsets, so the Debezium path can resume from a position the
   * fast path wrote: streaming starts at the commit LSN, the slot's confirmed position for this change.
   */
  private String token(long lsn) {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, commitTime);
    return "{\"lsn_proc\":" + commitLsn + ",\"lsn_commit\":" + commitLsn + ",\"lsn\":" + lsn + ",\"txId\":" + transactionId
        + ",\"ts_usec\":" + micros + "}";
  }

  private void remember(Position position) {
    lastDelivered = position;
    if (commitLsn == lastPendingLsn) {
      return;
    }
    lastPendingLsn = commitLsn;
    synchronized (pendingLock) {
      pending.addLast(new Pending(position, commitLsn));
    }
  }

  /** The lake holds every change up to {@code position}: the slot may confirm the commit LSN it was made under. */
  void acknowledge(Position position) {
    requireNonNull(position, "position is null");
    snapshot.ifPresent(step -> step.acknowledge(position));
    synchronized (pendingLock) {
      Pending newest = null;
      while (!pending.isEmpty() && !pending.peekFirst().position().isAfter(position)) {
        newest = pending.pollFirst();
      }
      if (newest != null) {
        // The entry's LSN holds for every position up to the next entry's: keep it for a later acknowledgement.
        pending.addFirst(newest);
        acknowledgedLsn.accumulateAndGet(newest.lsn(), Math::max);
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    snapshot.ifPresent(PostgresSnapshotStep::close);
    if (thread != null) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(30));
        if (thread.isAlive()) {
          thread.interrupt();
        }
      } catch (InterruptedException e) {
        thread.interrupt();
        Thread.currentThread().interrupt();
      }
    }
  }

  private record Pending(Position position, long lsn) {}

  /** A table of the stream: its lake schema and how to read each column. */
  private record RelationState(PgRelation relation, boolean captured, TableSchema schema, PgType[] types,
      boolean fullIdentity, String sourceTable) {}

  private final PgOutputHandler handler = new PgOutputHandler() {
    @Override
    public void begin(long finalLsn, long commitTimeMicros, long xid) {
      inTransaction = true;
      transactionId = xid;
      commitTime = PG_EPOCH.plus(commitTimeMicros, ChronoUnit.MICROS);
    }

    @Override
    public void commit(long commitRecordLsn, long endLsn, long commitTimeMicros) throws InterruptedException {
      inTransaction = false;
      commitLsn = endLsn;
      if (System.nanoTime() - lastHeartbeat >= settings.heartbeatInterval().toNanos()) {
        heartbeat();
      }
    }

    @Override
    public void relation(PgRelation relation) {
      relations.put(relation.id(), describe(relation));
    }

    @Override
    public void insert(int relationId, PgTuple row) throws InterruptedException {
      RelationState table = table(relationId);
      if (!table.captured()) {
        return;
      }
      Position position = nextPosition();
      if (position == null) {
        return;
      }
      Optional<Map<String, Object>> after = image(table, row, position);
      if (after.isPresent()) {
        deliver(new ChangeEvent(table.schema(), Operation.CREATE, Optional.empty(), after, position, commitTime, transactionId));
      }
    }

    @Override
    public void update(int relationId, char oldKind, PgTuple old, PgTuple row) throws InterruptedException {
      RelationState table = table(relationId);
      if (!table.captured()) {
        return;
      }
      Optional<Map<String, Object>> before = Optional.empty();
      Position first = nextPosition();
      if (old != null) {
        before = image(table, old, first);
        if (before.isEmpty()) {
          return; // sent to the dead letters (or held by the lake already)
        }
        before = Optional.of(oldImage(table, before.get()));
      }
      Optional<Map<String, Object>> after = image(table, row, first);
      if (after.isEmpty()) {
        return;
      }
      if (before.isPresent() && table.schema().hasKey() && !sameKey(table.schema(), before.get(), after.get())) {
        // A new key: the old row is deleted and the new one created, at the same LSN, as Debezium sends it.
        if (first != null) {
          deliver(new ChangeEvent(table.schema(), Operation.DELETE, before, Optional.empty(), first, commitTime, transactionId));
        }
        Position second = nextPosition();
        if (second != null) {
          deliver(new ChangeEvent(table.schema(), Operation.CREATE, Optional.empty(), after, second, commitTime, transactionId));
        }
        return;
      }
      if (first != null) {
        deliver(new ChangeEvent(table.schema(), Operation.UPDATE, before, after, first, commitTime, transactionId));
      }
    }

    @Override
    public void delete(int relationId, char oldKind, PgTuple old) throws InterruptedException {
      RelationState table = table(relationId);
      if (!table.captured()) {
        return;
      }
      Position position = nextPosition();
      if (position == null) {
        return;
      }
      Optional<Map<String, Object>> before = image(table, old, position);
      if (before.isPresent()) {
        deliver(new ChangeEvent(table.schema(), Operation.DELETE, Optional.of(oldImage(table, before.get())), Optional.empty(),
            position, commitTime, transactionId));
      }
    }

    @Override
    public void truncate(int[] relationIds, boolean cascade, boolean restartIdentity) {
      for (int id : relationIds) {
        RelationState table = relations.get(id);
        if (table != null && table.captured()) {
          log.warn("Source {}: table {} was truncated; the lake keeps its rows (truncates are not captured)", settings.name(),
              table.sourceTable());
        }
      }
    }

    @Override
    public void message(boolean transactional, long lsn, String prefix, byte[] content) throws InterruptedException {
      if (!transactional) {
        commitLsn = lsn;
      }
      Position position = nextPosition();
      if (position == null) {
        return;
      }
      remember(position);
      sink.progress(position);
    }
  };

  private void deliver(ChangeEvent event) throws InterruptedException {
    remember(event.position());
    sink.accept(event);
  }

  private RelationState table(int relationId) {
    RelationState table = relations.get(relationId);
    if (table == null) {
      throw new IllegalStateException("Invalid pgoutput stream: a change of relation " + relationId + " before its description");
    }
    return table;
  }

  private static boolean sameKey(TableSchema schema, Map<String, Object> before, Map<String, Object> after) {
    for (String key : schema.key()) {
      if (!java.util.Objects.equals(before.get(key), after.get(key))) {
        return false;
      }
    }
    return true;
  }

  /** An old row: whole with {@code REPLICA IDENTITY FULL}, else only its key (the server sends nothing else). */
  private static Map<String, Object> oldImage(RelationState table, Map<String, Object> image) {
    if (table.fullIdentity()) {
      return image;
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : image.entrySet()) {
      values.put(entry.getKey(), table.schema().key().contains(entry.getKey()) ? entry.getValue() : null);
    }
    return values;
  }

  /**
   * The row's values, or empty after the row was sent to the dead letters because a value cannot be read (with a
   * null {@code position}, for a change the lake holds already, nothing is sent).
   */
  private Optional<Map<String, Object>> image(RelationState table, PgTuple tuple, Position position)
      throws InterruptedException {
    List<Column> columns = table.schema().columns();
    Map<String, Object> values = new LinkedHashMap<>(columns.size() * 2);
    for (int i = 0; i < columns.size() && i < tuple.size(); i++) {
      String name = columns.get(i).name();
      switch (tuple.kind(i)) {
        case PgTuple.NULL -> values.put(name, null);
        case PgTuple.UNCHANGED_TOAST -> values.put(name, ChangeEvent.UNAVAILABLE);
        default -> {
          try {
            values.put(name, PgTextValues.decode(table.types()[i], table.relation().columns().get(i).typmod(), tuple.text(i)));
          } catch (PgValueException e) {
            if (position != null) {
              reject(table, tuple, position, name, tuple.text(i), e.getMessage());
            }
            return Optional.empty();
          }
        }
      }
    }
    return Optional.of(values);
  }

  private void reject(RelationState table, PgTuple tuple, Position position, String column, String value, String reason)
      throws InterruptedException {
    Map<String, Object> key = new LinkedHashMap<>();
    List<Column> columns = table.schema().columns();
    for (int i = 0; i < columns.size() && i < tuple.size(); i++) {
      if (table.schema().key().contains(columns.get(i).name()) && tuple.kind(i) == PgTuple.TEXT) {
        try {
          key.put(columns.get(i).name(),
              PgTextValues.decode(table.types()[i], table.relation().columns().get(i).typmod(), tuple.text(i)));
        } catch (PgValueException e) {
          key.put(columns.get(i).name(), tuple.text(i));
        }
      }
    }
    log.warn("Source {}: change of {} at {} sent to the dead letters: {}", settings.name(), table.sourceTable(),
        position.sortKey(), reason);
    remember(position);
    String location = table.sourceTable() + " at LSN " + LogSequenceNumber.valueOf(changeLsn).asString();
    sink.reject(new DeadLetter(table.schema().table(), key, position, location,
        Optional.empty(), Optional.of(column), Optional.ofNullable(value), reason));
  }

  /** The lake schema of a relation: columns as sent, nullability and primary key from the catalog. */
  private RelationState describe(PgRelation relation) {
    String sourceTable = relation.namespace() + "." + relation.name();
    boolean isCaptured = captured.contains(sourceTable);
    PgType[] columnTypes = new PgType[relation.columns().size()];
    List<Column> columns = new ArrayList<>();
    Set<String> notNull = new HashSet<>();
    List<String> key = new ArrayList<>();
    if (isCaptured) {
      try {
        try (PreparedStatement statement = catalog.prepareStatement(
            "SELECT attname FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped AND attnotnull")) {
          statement.setInt(1, relation.id());
          try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
              notNull.add(result.getString(1));
            }
          }
        }
        try (PreparedStatement statement = catalog.prepareStatement("""
            SELECT a.attname FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = ? AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)""")) {
          statement.setInt(1, relation.id());
          try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
              key.add(result.getString(1));
            }
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("Cannot read the columns of table " + sourceTable + " of source " + settings.name()
            + ": " + e.getMessage(), e);
      }
    }
    for (int i = 0; i < relation.columns().size(); i++) {
      PgRelation.Column column = relation.columns().get(i);
      columnTypes[i] = types.type(column.typeOid());
      DataType type = PgTextValues.dataType(columnTypes[i], column.typmod());
      columns.add(new Column(column.name(), type, !notNull.contains(column.name())));
    }
    TableId id = new TableId(settings.name(), relation.namespace(), settings.tablePrefix() + relation.name());
    TableSchema schema = new TableSchema(id, columns, key);
    return new RelationState(relation, isCaptured, schema, columnTypes, relation.replicaIdentity() == 'f', sourceTable);
  }
}
