package io.tributary.sources.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pgoutput fast path against the Debezium path on the same changes, each from a slot of its own: every change of
 * a table with a column of every type (inserts, updates, a key change, a large value left unchanged, deletes) must
 * arrive with the same schema, operation, images, commit time, transaction and position. And a value the lake cannot
 * hold goes to the dead letters while the rest flows.
 */
class PgOutputCaptureIT {
  private static EmbeddedPostgresServer postgres;

  @TempDir Path work;

  @BeforeAll
  static void startPostgres() {
    postgres = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @Test
  void streamsEveryTypeAsDebeziumDoes() throws Exception {
    postgres.createDatabase("both");
    try (Connection connection = postgres.connection("both"); Statement statement = connection.createStatement()) {
      for (String sql : PgTextValuesIT.TYPES_SETUP.subList(0, 6)) {
        statement.execute(sql);
      }
      statement.execute("ALTER TABLE everything ADD COLUMN big text");
      statement.execute("ALTER TABLE everything ALTER COLUMN big SET STORAGE EXTERNAL");
      statement.execute("CREATE TABLE pairs (b int, a int, v text, PRIMARY KEY (b, a))");
      statement.execute("ALTER TABLE pairs REPLICA IDENTITY FULL");
    }
    Sink fast = new Sink();
    Sink debezium = new Sink();
    try (PostgresSource fastSource = new PostgresSource(settings("both", "fast", PostgresCapture.PGOUTPUT));
        PostgresSource debeziumSource = new PostgresSource(settings("both", "dbz", PostgresCapture.DEBEZIUM))) {
      fastSource.start(Optional.empty(), fast);
      debeziumSource.start(Optional.empty(), debezium);
      // Both slots exist once each source reports progress.
      await(() -> !fast.progress.isEmpty() && !debezium.progress.isEmpty(), "both sources to stream");
      try (Connection connection = postgres.connection("both"); Statement statement = connection.createStatement()) {
        statement.execute("INSERT INTO pairs VALUES (0, 0, 'first transaction')");
        for (String sql : PgTextValuesIT.TYPES_SETUP.subList(6, 9)) {
          statement.execute(sql);
        }
        statement.execute("UPDATE everything SET big = repeat('b', 20000) WHERE id = 1");
        statement.execute("UPDATE everything SET i = 43, tarr = '{z}' WHERE id = 1");
        statement.execute("UPDATE everything SET id = 20 WHERE id = 2");
        statement.execute("DELETE FROM everything WHERE id = 3");
        connection.setAutoCommit(false);
        statement.execute("INSERT INTO pairs SELECT g, -g, 'v' || g FROM generate_series(1, 5) g");
        statement.execute("UPDATE pairs SET v = 'changed' WHERE b = 1");
        statement.execute("UPDATE pairs SET a = 100 WHERE b = 2");
        statement.execute("DELETE FROM pairs WHERE b = 3");
        connection.commit();
        statement.execute("COPY pairs FROM PROGRAM 'seq 10 20 | sed \"s/.*/&,&,copied/\"' WITH (FORMAT csv)");
        connection.commit();
      }
      int expected = 1 + 3 + 2 + 2 + 1 + 5 + 1 + 2 + 1 + 11;
      await(() -> fast.events.size() >= expected && debezium.events.size() >= expected, "every change on both paths");
      assertThat(fast.failure).isNull();
      assertThat(fast.events).hasSameSizeAs(debezium.events);
      for (int i = 0; i < fast.events.size(); i++) {
        ChangeEvent ours = fast.events.get(i);
        ChangeEvent theirs = debezium.events.get(i);
        assertThat(ours.schema()).as("schema of change %s", i).isEqualTo(theirs.schema());
        assertThat(ours.operation()).as("operation of change %s", i).isEqualTo(theirs.operation());
        assertThat(ours.before()).as("before image of change %s", i).isEqualTo(theirs.before());
        assertThat(ours.after()).as("after image of change %s", i).isEqualTo(theirs.after());
        assertThat(ours.commitTime()).as("commit time of change %s", i).isEqualTo(theirs.commitTime());
        assertThat(ours.transactionId()).as("transaction of change %s", i).isEqualTo(theirs.transactionId());
        if (i > 0) {
          // The first transaction's commit LSN is the slot's starting point, which differs between the two slots.
          assertThat(ours.position().sortKey()).as("position of change %s", i).isEqualTo(theirs.position().sortKey());
        }
      }
      assertThat(fast.events.stream().map(ChangeEvent::position).toList()).isSorted().doesNotHaveDuplicates();
      assertThat(fast.events.get(5).after().orElseThrow().get("big")).as("the large value left unchanged")
          .isSameAs(ChangeEvent.UNAVAILABLE);
      assertThat(fast.events.subList(6, 8)).extracting(ChangeEvent::operation)
          .as("a key change is a delete and a create").containsExactly(Operation.DELETE, Operation.CREATE);
    }
  }

  @Test
  void aValueTheLakeCannotHoldIsADeadLetterAndTheRestFlows() throws Exception {
    postgres.createDatabase("bad");
    try (Connection connection = postgres.connection("bad"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE readings (id int PRIMARY KEY, n numeric(10,2), at timestamp, note text)");
    }
    Sink sink = new Sink();
    try (PostgresSource source = new PostgresSource(settings("bad", "bad", PostgresCapture.PGOUTPUT))) {
      source.start(Optional.empty(), sink);
      await(() -> !sink.progress.isEmpty(), "the source to stream");
      try (Connection connection = postgres.connection("bad"); Statement statement = connection.createStatement()) {
        statement.execute("INSERT INTO readings VALUES (1, 'NaN', '2024-01-01', 'a'), (2, 2.5, 'infinity', 'b'), "
            + "(3, 3.5, '2024-01-03', 'c')");
        statement.execute("UPDATE readings SET note = 'd' WHERE id = 3");
      }
      await(() -> sink.events.size() >= 2 && sink.rejected.size() >= 2, "the changes and the dead letters");
      assertThat(sink.events).extracting(event -> event.row().get("id")).containsExactly(3, 3);
      assertThat(sink.rejected).hasSize(2);
      DeadLetter nan = sink.rejected.get(0);
      assertThat(nan.table().name()).isEqualTo("readings");
      assertThat(nan.key()).isEqualTo(Map.of("id", 1));
      assertThat(nan.column()).contains("n");
      assertThat(nan.value()).contains("NaN");
      assertThat(nan.reason()).isEqualTo("Cannot store numeric NaN in a column of type decimal(10,2): a decimal holds "
          + "numbers only (make the column unconstrained numeric, or fix the row)");
      assertThat(nan.location()).matches("public\\.readings at LSN [0-9A-F]+/[0-9A-F]+");
      DeadLetter infinity = sink.rejected.get(1);
      assertThat(infinity.key()).isEqualTo(Map.of("id", 2));
      assertThat(infinity.column()).contains("at");
      assertThat(infinity.value()).contains("infinity");
      assertThat(infinity.position().isAfter(nan.position())).isTrue();
      assertThat(sink.events.get(0).position().isAfter(infinity.position())).isTrue();
      assertThat(sink.failure).isNull();
    }
  }

  /**
   * Without heartbeats the slot may move only with what the lake acknowledged: here nothing, while another table
   * writes WAL. The server tells the idle client how far it has read (a keepalive), and the client answers with its
   * positions: the slot must still confirm what it did before.
   */
  @Test
  void anIdleSlotConfirmsNothingTheLakeDidNotAcknowledge() throws Exception {
    postgres.createDatabase("idle");
    sql("idle", "CREATE TABLE readings (id int PRIMARY KEY, n numeric(10,2), at timestamp, note text)",
        "CREATE TABLE noise (id bigserial PRIMARY KEY, filler text)");
    Sink sink = new Sink();
    PostgresSourceSettings settings = settings("idle", "idle", PostgresCapture.PGOUTPUT, Duration.ofHours(1));
    try (PostgresSource source = new PostgresSource(settings)) {
      source.start(Optional.empty(), sink);
      await(() -> walSenderPid("idle", settings.slotName()) != 0, "the source to stream");
      String confirmed = confirmedLsn("idle", settings.slotName());
      sql("idle", "INSERT INTO noise (filler) SELECT repeat('x', 200) FROM generate_series(1, 2000)");
      String written = currentLsn("idle");
      // The client reports as received what the server says it has read: from then on it has answered the keepalive.
      await(() -> lsnAtLeast("idle", walSenderPosition("idle", settings.slotName(), "write_lsn"), written),
          "the client to report the other table's WAL as received");
      assertThat(confirmedLsn("idle", settings.slotName())).as("the slot's confirmed position").isEqualTo(confirmed);
      assertThat(sink.events).isEmpty();
      assertThat(sink.failure).isNull();
    }
  }

  private static void sql(String database, String... statements) throws Exception {
    try (Connection connection = postgres.connection(database); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static String query(String database, String sql, String parameter) {
    try (Connection connection = postgres.connection(database);
        java.sql.PreparedStatement statement = connection.prepareStatement(sql)) {
      if (parameter != null) {
        statement.setString(1, parameter);
      }
      try (java.sql.ResultSet result = statement.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String confirmedLsn(String database, String slot) {
    return query(database, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", slot);
  }

  private static String currentLsn(String database) {
    return query(database, "SELECT pg_current_wal_lsn()::text", null);
  }

  private static int walSenderPid(String database, String slot) {
    String pid = query(database, "SELECT active_pid::text FROM pg_replication_slots WHERE slot_name = ? AND active", slot);
    return pid == null ? 0 : Integer.parseInt(pid);
  }

  /** What the client last reported to the slot's walsender ({@code write_lsn}, {@code flush_lsn}). */
  private static String walSenderPosition(String database, String slot, String column) {
    return query(database, "SELECT r." + column + "::text FROM pg_stat_replication r JOIN pg_replication_slots s "
        + "ON s.active_pid = r.pid WHERE s.slot_name = ?", slot);
  }

  private static boolean lsnAtLeast(String database, String lsn, String than) {
    return lsn != null && "t".equals(query(database, "SELECT '" + lsn + "'::pg_lsn >= ?::pg_lsn", than));
  }

  private PostgresSourceSettings settings(String database, String slot, PostgresCapture capture) {
    return settings(database, slot, capture, Duration.ofMillis(300));
  }

  private PostgresSourceSettings settings(String database, String slot, PostgresCapture capture, Duration heartbeat) {
    List<String> tables = database.equals("both") ? List.of("public.everything", "public.pairs") : List.of("public.readings");
    return new PostgresSourceSettings("pg", postgres.host(), postgres.port(), database, "postgres", Optional.of("postgres"),
        tables, "", slot + "_slot", slot + "_pub", heartbeat, SnapshotMode.NEVER, work.resolve(slot), capture);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static final class Sink implements ChangeSink {
    final List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    final List<DeadLetter> rejected = new CopyOnWriteArrayList<>();
    final List<Position> progress = new CopyOnWriteArrayList<>();
    volatile Throwable failure;

    @Override
    public void accept(ChangeEvent event) {
      events.add(event);
    }

    @Override
    public void reject(DeadLetter deadLetter) {
      rejected.add(deadLetter);
    }

    @Override
    public void progress(Position position) {
      progress.add(position);
    }

    @Override
    public void failed(Throwable error) {
      failure = error;
    }
  }
}
