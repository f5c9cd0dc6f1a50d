package io.tributary.sources.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL source against a real server: snapshot, streaming order, types, TOAST, resume, preflight errors; with
 * the pgoutput fast path here and with the Debezium engine in {@link PostgresSourceDebeziumIT}.
 */
class PostgresSourceIT {
  private static EmbeddedPostgresServer postgres;

  @TempDir Path work;

  /** How the source under test streams. */
  PostgresCapture capture() {
    return PostgresCapture.PGOUTPUT;
  }

  @BeforeAll
  static void startPostgres() {
    postgres = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @Test
  void snapshotsThenStreamsInCommitOrderAndResumesAfterAcknowledgedPosition() throws Exception {
    postgres.createDatabase("streams");
    try (Connection connection = postgres.connection("streams"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE items (id int PRIMARY KEY, amount numeric(12,2), note text NOT NULL, at timestamptz, tags text[])");
      statement.execute("INSERT INTO items SELECT g, g * 1.5, 'note ' || g, '2024-01-01T00:00:00Z'::timestamptz + g * interval '1 hour',"
          + " ARRAY['a','b'] FROM generate_series(1, 50) g");
    }
    CollectingSink sink = new CollectingSink();
    PostgresSource source = new PostgresSource(settings("streams", "items_slot"));
    source.start(Optional.empty(), sink);
    try {
      await(() -> sink.events.size() >= 50, "snapshot");
      assertThat(sink.events).hasSize(50).allSatisfy(event -> assertThat(event.operation()).isEqualTo(Operation.READ));
      ChangeEvent first = sink.events.get(0);
      assertThat(first.schema().key()).containsExactly("id");
      assertThat(first.schema().column("amount").orElseThrow().type()).isEqualTo(DataType.decimal(12, 2));
      assertThat(first.schema().column("tags").orElseThrow().type()).isEqualTo(DataType.list(DataType.of(DataType.Kind.STRING)));
      assertThat(first.after().orElseThrow().get("amount")).isEqualTo(new BigDecimal("1.50"));

      // Two transactions that interleave: the later-committed one started first.
      try (Connection a = postgres.connection("streams"); Connection b = postgres.connection("streams")) {
        a.setAutoCommit(false);
        b.setAutoCommit(false);
        a.createStatement().execute("UPDATE items SET note = 'first started' WHERE id = 1");
        b.createStatement().execute("UPDATE items SET note = 'second started' WHERE id = 2");
        b.commit();
        a.createStatement().execute("UPDATE items SET note = 'first again' WHERE id = 3");
        a.commit();
      }
      try (Connection connection = postgres.connection("streams"); Statement statement = connection.createStatement()) {
        statement.execute("UPDATE items SET amount = 9.99 WHERE id = 4");
        statement.execute("DELETE FROM items WHERE id = 5");
      }
      await(() -> sink.events.size() >= 55, "streamed changes");
      List<ChangeEvent> streamed = sink.events.subList(50, 55);
      assertThat(streamed).extracting(event -> event.row().get("id")).containsExactly(2, 1, 3, 4, 5);
      assertThat(streamed).extracting(ChangeEvent::operation)
          .containsExactly(Operation.UPDATE, Operation.UPDATE, Operation.UPDATE, Operation.UPDATE, Operation.DELETE);
      assertThat(streamed.get(4).before().orElseThrow())
          .as("without REPLICA IDENTITY FULL a delete carries the key only, never stand-in values")
          .containsEntry("id", 5)
          .containsEntry("note", null)
          .containsEntry("amount", null);
      List<Position> positions = sink.events.stream().map(ChangeEvent::position).toList();
      assertThat(positions).isSorted().doesNotHaveDuplicates();
      assertThat(positions.get(49).inSnapshot()).as("the last snapshot row ends the snapshot").isFalse();
      assertThat(positions.get(48).inSnapshot()).isTrue();


      // A transaction that started before another but commits after it: acknowledged up to the end
      // of the earlier-committed one, the later one must come again with the very same positions.
      try (Connection u = postgres.connection("streams"); Connection t = postgres.connection("streams")) {
        u.setAutoCommit(false);
        t.setAutoCommit(false);
        u.createStatement().execute("UPDATE items SET note = 'u1' WHERE id = 20");
        t.createStatement().execute("UPDATE items SET note = 't' WHERE id = 21");
        t.commit();
        u.createStatement().execute("UPDATE items SET note = 'u2' WHERE id = 22");
        u.commit();
      }
      await(() -> sink.events.size() >= 58, "interleaved changes");
      assertThat(sink.events.subList(55, 58)).extracting(event -> event.row().get("id")).containsExactly(21, 20, 22);
      assertThat(sink.events.stream().map(ChangeEvent::position).toList()).isSorted();
      source.acknowledge(sink.events.get(55).position());
      assertThat(sink.failure).as("the source reported no failure").isNull();
    } finally {
      source.close();
    }

    // Resumed after the earlier-committed transaction: the later one comes again, nothing before it.
    CollectingSink resumed = new CollectingSink();
    PostgresSource again = new PostgresSource(settings("streams", "items_slot"));
    again.start(Optional.of(sink.events.get(55).position()), resumed);
    try {
      try (Connection connection = postgres.connection("streams"); Statement statement = connection.createStatement()) {
        statement.execute("INSERT INTO items VALUES (100, 1, 'new', now(), NULL)");
      }
      await(() -> resumed.events.size() >= 3, "resumed changes");
      assertThat(resumed.events).extracting(event -> event.row().get("id")).containsExactly(20, 22, 100);
      assertThat(resumed.events.subList(0, 2)).extracting(event -> event.position().sortKey())
          .containsExactly(sink.events.get(56).position().sortKey(), sink.events.get(57).position().sortKey());
    } finally {
      again.close();
    }
  }

  @Test
  void unchangedToastedValueArrivesAsUnavailable() throws Exception {
    postgres.createDatabase("toast");
    try (Connection connection = postgres.connection("toast"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TYPE pair AS (a int, b text)");
      statement.execute("CREATE TABLE docs (id int PRIMARY KEY, body text, n int, p pair, ip inet)");
      statement.execute("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL");
      statement.execute("INSERT INTO docs VALUES (1, repeat('x', 20000), 0, ROW(7, 'seven'), '10.1.2.3')");
    }
    CollectingSink sink = new CollectingSink();
    PostgresSource source = new PostgresSource(settings("toast", "toast_slot", "public.docs"));
    source.start(Optional.empty(), sink);
    try {
      await(() -> sink.events.size() >= 1, "snapshot");
      try (Connection connection = postgres.connection("toast"); Statement statement = connection.createStatement()) {
        statement.execute("UPDATE docs SET n = 1 WHERE id = 1");
      }
      await(() -> sink.events.size() >= 2, "update");
      assertThat(sink.events.get(0).after().orElseThrow().get("body")).isEqualTo("x".repeat(20000));
      assertThat(sink.events.get(0).schema().column("p").orElseThrow().type())
          .as("a type without a mapping falls back to its text form")
          .isEqualTo(DataType.of(DataType.Kind.STRING));
      assertThat(sink.events.get(0).after().orElseThrow()).containsEntry("p", "(7,seven)").containsEntry("ip", "10.1.2.3");
      assertThat(sink.events.get(1).after().orElseThrow()).containsEntry("p", "(7,seven)");
      assertThat(sink.events.get(1).after().orElseThrow().get("body")).isSameAs(ChangeEvent.UNAVAILABLE);
      assertThat(sink.events.get(1).after().orElseThrow().get("n")).isEqualTo(1);
    } finally {
      source.close();
    }
  }

  @Test
  void userWithoutReplicationIsToldWhatToGrant() throws Exception {
    postgres.createDatabase("grants");
    try (Connection connection = postgres.connection("grants"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (id int PRIMARY KEY)");
      statement.execute("CREATE ROLE reader LOGIN PASSWORD 'secret'");
    }
    PostgresSourceSettings base = settings("grants", "grants_slot", "public.t");
    PostgresSourceSettings asReader = new PostgresSourceSettings(base.name(), base.host(), base.port(), base.database(), "reader",
        Optional.of("secret"), base.tables(), "", base.slotName(), base.publicationName(), base.heartbeatInterval(),
        SnapshotMode.INITIAL, base.workDirectory(), capture());
    assertThatThrownBy(() -> new PostgresSource(asReader).start(Optional.empty(), new CollectingSink()))
        .hasMessage("Cannot capture from source pg: user reader lacks the REPLICATION attribute "
            + "(run as a superuser: ALTER ROLE \"reader\" WITH REPLICATION)");
    try (Connection connection = postgres.connection("grants"); Statement statement = connection.createStatement()) {
      statement.execute("ALTER ROLE reader WITH REPLICATION");
    }
    assertThatThrownBy(() -> new PostgresSource(asReader).start(Optional.empty(), new CollectingSink()))
        .hasMessage("Cannot capture table public.t of source pg: user reader may not read it "
            + "(run: GRANT SELECT ON \"public\".\"t\" TO \"reader\")");
    PostgresSourceSettings missingTable = settings("grants", "grants_slot", "public.nope");
    assertThatThrownBy(() -> new PostgresSource(missingTable).start(Optional.empty(), new CollectingSink()))
        .hasMessage("Cannot capture table public.nope of source pg: it does not exist in database grants (check sources.pg.tables)");
  }

  private PostgresSourceSettings settings(String database, String slot, String... tables) {
    List<String> captured = tables.length == 0 ? List.of("public.items") : List.of(tables);
    return new PostgresSourceSettings("pg", postgres.host(), postgres.port(), database, "postgres", Optional.of("postgres"),
        captured, "", slot, slot + "_pub", Duration.ofMillis(500), SnapshotMode.INITIAL, work.resolve("source"), capture());
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

  static final class CollectingSink implements ChangeSink {
    final List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    final List<Position> progress = new ArrayList<>();

    @Override
    public void accept(ChangeEvent event) {
      events.add(event);
    }

    @Override
    public void reject(DeadLetter deadLetter) {
      throw new AssertionError("The PostgreSQL source rejected a record: " + deadLetter);
    }

    @Override
    public synchronized void progress(Position position) {
      progress.add(position);
    }

    volatile Throwable failure;

    @Override
    public void failed(Throwable error) {
      failure = error;
    }
  }
}
