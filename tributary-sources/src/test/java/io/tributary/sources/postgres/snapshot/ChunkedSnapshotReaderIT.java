package io.tributary.sources.postgres.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresCapture;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The chunked snapshot reader against a real PostgreSQL: every value compared with the server's own text form
 * of it, row by row, for awkward values, a table of many chunks read on several connections through a small
 * buffer, an empty table, and changes committed during the read that must not show.
 */
class ChunkedSnapshotReaderIT {
  private static final String DATABASE = "chunks";
  private static EmbeddedPostgresServer postgres;
  private static PgConnections connections;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgresServer.start();
    postgres.createDatabase(DATABASE);
    connections = new PgConnections(new PostgresSourceSettings("pg", postgres.host(), postgres.port(), DATABASE,
        "postgres", Optional.of("postgres"), List.of("public.kinds"), "", "unused", "unused_pub", Duration.ofSeconds(1),
        SnapshotMode.INITIAL, Path.of("unused")), "snapshot-test");
    try (Connection connection = postgres.connection(DATABASE); Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE kinds (id int PRIMARY KEY, t text, b bytea, n numeric(20,5), nv numeric, ts timestamp,
            tz timestamptz, d date, f float8, r real, j jsonb, arr text[], u uuid, bo boolean, iv interval, c char(3))""");
      statement.execute("""
          INSERT INTO kinds VALUES
            (1, E'tab\\there', '\\x00ff5c0a09'::bytea, 12345.6789, 0.000000001, '2024-02-29 23:59:59.999999',
             '2024-01-01 12:00:00+05:30', '0001-01-01', 1.0e-300, 3.4e38, '{"a": "b\\\\c\\nd", "e": [1, 2]}',
             ARRAY['x', 'y z', NULL, 'q"uote', 'back\\slash'], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true,
             '1 year 2 mons 3 days 04:05:06.789', 'ab'),
            (2, E'new\\nline and\\r\\nCRLF', '\\x'::bytea, -0.00001, 1e40, '1970-01-01 00:00:00', 'infinity', 'infinity',
             'NaN', '-Infinity', 'null', '{}', NULL, false, '-1 days', NULL),
            (3, E'back\\\\slash \\\\N', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            (4, '\\N', decode(repeat('00010203', 64), 'hex'), 99999999999999.99999, -123.456, '294276-12-31 23:59:59',
             '1900-01-01 00:00:00-03', '2000-02-29', -0.0, 1.5, '[]', ARRAY['日本'], '00000000-0000-0000-0000-000000000000',
             NULL, '0', 'xyz'),
            (5, 'ação 日本 😀 — ünïcödé', E'\\\\x5c'::bytea, 0, 3.14159265358979323846264338327950288419716939937510,
             '2000-01-01 00:00:00.000001', '2262-04-11 23:47:16.854775+00', '1999-12-31', 2.2250738585072014e-308,
             1e-45, '{"ü": "😀"}', ARRAY[E'a\\tb', E'c\\nd'], 'ffffffff-ffff-ffff-ffff-ffffffffffff', true,
             '100 years', 'a'),
            (6, '', '\\x2020'::bytea, 1, 1, '2024-06-01 12:00', '2024-06-01 12:00+00', '2024-06-01', 1, 1,
             '{"k": "\\u0000"}'::text::jsonb, ARRAY['', NULL], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', false, '1 second', '')
          """.replace("'{\"k\": \"\\u0000\"}'::text::jsonb", "'{\"k\": \"\\u0001\"}'"));
      statement.execute("INSERT INTO kinds (id, t, b) SELECT 100 + g, repeat(E'\\\\\\t\\n', g), decode(md5(g::text), 'hex')"
          + " FROM generate_series(1, 50) g");
      statement.execute("CREATE TABLE empty (id int PRIMARY KEY, v text)");
      statement.execute("CREATE TABLE big (id bigint PRIMARY KEY, v text NOT NULL, amount numeric(12,2))");
      statement.execute("INSERT INTO big SELECT g, repeat(md5(g::text), 3), g / 100.0 FROM generate_series(1, 30000) g");
      statement.execute("VACUUM ANALYZE big");
      statement.execute("CREATE TABLE nokey (a text, b int)");
      statement.execute("INSERT INTO nokey VALUES ('x', 1), ('x', 1), (NULL, NULL)");
    }
  }

  @AfterAll
  static void stop() {
    postgres.close();
  }

  @Test
  void readsEveryValueAsTheServerWritesItsText() throws Exception {
    Map<String, List<String[]>> expected = new HashMap<>();
    for (String table : List.of("public.kinds", "public.empty", "public.nokey")) {
      expected.put(table, serverText(table));
    }
    Read read = read(new SnapshotSettings(2, 10, 1 << 16), List.of("public.kinds", "public.empty", "public.nokey"), null);

    assertThat(read.result.rowsByTable()).containsExactly(Map.entry("public.kinds", 56L), Map.entry("public.empty", 0L),
        Map.entry("public.nokey", 3L));
    for (String table : expected.keySet()) {
      assertThat(sorted(read.rows(table))).as(table).containsExactlyElementsOf(sorted(expected.get(table)));
    }
    SnapshotTable kinds = read.tables.get("public.kinds");
    assertThat(kinds.key()).containsExactly("id");
    assertThat(kinds.columns()).extracting(PgColumn::name).containsExactly("id", "t", "b", "n", "nv", "ts", "tz", "d",
        "f", "r", "j", "arr", "u", "bo", "iv", "c");
    assertThat(kinds.columns().get(3)).isEqualTo(new PgColumn("n", 1700, (20 << 16 | 5) + 4, "numeric", false));
    assertThat(kinds.columns().get(0).notNull()).isTrue();
    assertThat(kinds.columns().get(11).typeName()).isEqualTo("_text");
    assertThat(read.tables.get("public.nokey").key()).isEmpty();
    // Spot checks that the comparison is not between two equally wrong forms.
    String[] first = read.rows("public.kinds").stream().filter(row -> row[0].equals("1")).findFirst().orElseThrow();
    assertThat(first[1]).isEqualTo("tab\there");
    assertThat(first[2]).isEqualTo("\\x00ff5c0a09");
    String[] third = read.rows("public.kinds").stream().filter(row -> row[0].equals("3")).findFirst().orElseThrow();
    assertThat(third[1]).isEqualTo("back\\slash \\N");
    assertThat(third[2]).isNull();
  }

  @Test
  void readsATableOfManyChunksOnSeveralConnectionsNumberingRowsInDeliveryOrder() throws Exception {
    List<String[]> expected = serverText("public.big");
    Read read = read(new SnapshotSettings(3, 1000, 1 << 16), List.of("public.big"), null);

    assertThat(read.result.chunks()).isGreaterThan(10);
    assertThat(read.result.rows()).isEqualTo(30_000);
    assertThat(read.numbers).hasSize(30_000);
    for (int i = 0; i < read.numbers.size(); i++) {
      assertThat(read.numbers.get(i)).isEqualTo(i + 1L);
    }
    assertThat(sorted(read.rows("public.big"))).containsExactlyElementsOf(sorted(expected));
  }

  @Test
  void changesCommittedDuringTheReadDoNotShow() throws Exception {
    try (Connection connection = postgres.connection(DATABASE); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE moving (id int PRIMARY KEY, v text)");
      statement.execute("INSERT INTO moving SELECT g, 'before ' || g FROM generate_series(1, 20000) g");
      statement.execute("ANALYZE moving");
    }
    List<String[]> before = serverText("public.moving");
    AtomicBoolean changed = new AtomicBoolean();
    Read read = read(new SnapshotSettings(2, 500, 1 << 16), List.of("public.moving"), () -> {
      // Runs once the readers hold the snapshot and the exporting connection is closed: every change here
      // commits while the snapshot is read.
      try (Connection connection = postgres.connection(DATABASE); Statement statement = connection.createStatement()) {
        statement.execute("UPDATE moving SET v = 'after' WHERE id % 3 = 0");
        statement.execute("DELETE FROM moving WHERE id % 7 = 0");
        statement.execute("INSERT INTO moving SELECT g, 'new' FROM generate_series(20001, 25000) g");
        statement.execute("VACUUM moving");
        changed.set(true);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    assertThat(changed).isTrue();
    assertThat(sorted(read.rows("public.moving"))).containsExactlyElementsOf(sorted(before));
    assertThat(serverText("public.moving")).hasSize(20000 - 20000 / 7 + 5000);
  }

  @Test
  void deliversReadChangesAtIncreasingPositionsThenLeavesTheSnapshot() throws Exception {
    try (Connection connection = postgres.connection(DATABASE); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE events (id int PRIMARY KEY, v text NOT NULL, n int)");
      statement.execute("INSERT INTO events SELECT g, CASE WHEN g = 7 THEN 'bad' ELSE 'v' || g END, NULLIF(g % 3, 0)"
          + " FROM generate_series(1, 5000) g");
      statement.execute("ANALYZE events");
    }
    // A stand-in for the lake's value decoding: int4 as Integer, anything else as its text, 'bad' undecodable.
    ColumnDecoder.Factory decoders = (catalog, column) -> new ColumnDecoder() {
      @Override
      public DataType type() {
        return DataType.of(column.typeOid() == 23 ? DataType.Kind.INT32 : DataType.Kind.STRING);
      }

      @Override
      public Object decode(String text) {
        if (text.equals("bad")) {
          throw new IllegalArgumentException("no value for \"bad\"");
        }
        return column.typeOid() == 23 ? Integer.valueOf(text) : text;
      }
    };
    CollectingSink sink = new CollectingSink();
    Instant at = Instant.parse("2026-01-02T03:04:05Z");
    Position end;
    try (ExportedSnapshot snapshot = ExportedSnapshot.create(connections.openReplication(), "events_test", true)) {
      end = new SnapshotEvents("pg", "src_", decoders).deliver(
          new ChunkedSnapshotReader("pg", connections, new SnapshotSettings(2, 300, 1 << 16)), snapshot.snapshotName(),
          List.of("public.events"), at, "row-token", "end-token", sink, () -> {});
    }

    assertThat(sink.events).hasSize(4999);
    assertThat(sink.letters).hasSize(1);
    List<Position> positions = new ArrayList<>();
    sink.events.forEach(event -> positions.add(event.position()));
    positions.add(sink.letters.get(0).position());
    positions.sort(null);
    assertThat(positions).extracting(Position::sortKey).doesNotHaveDuplicates()
        .contains("0:0000000000000001", "0:0000000000005000");
    for (int i = 1; i < sink.order.size(); i++) {
      assertThat(sink.order.get(i).isAfter(sink.order.get(i - 1))).as("delivery order at %d", i).isTrue();
    }
    ChangeEvent first = sink.events.get(0);
    assertThat(first.operation()).isEqualTo(Operation.READ);
    assertThat(first.table()).isEqualTo(new TableId("pg", "public", "src_events"));
    assertThat(first.schema().key()).containsExactly("id");
    assertThat(first.schema().columns()).containsExactly(new Column("id", DataType.of(DataType.Kind.INT32), false),
        new Column("v", DataType.of(DataType.Kind.STRING), false), new Column("n", DataType.of(DataType.Kind.INT32), true));
    assertThat(first.commitTime()).isEqualTo(at);
    assertThat(first.position().resumeToken()).isEqualTo("row-token");
    assertThat(sink.order.subList(0, 4999)).allMatch(Position::inSnapshot);
    Map<Integer, Map<String, Object>> byId = new HashMap<>();
    sink.events.forEach(event -> byId.put((Integer) event.row().get("id"), event.row()));
    assertThat(byId).hasSize(4999).doesNotContainKey(7);
    assertThat(byId.get(3)).containsOnlyKeys("id", "v", "n").containsEntry("id", 3).containsEntry("v", "v3")
        .containsEntry("n", null);
    assertThat(List.copyOf(byId.get(3).keySet())).containsExactly("id", "v", "n");
    assertThat(byId.get(5)).containsEntry("n", 2);
    DeadLetter letter = sink.letters.get(0);
    assertThat(letter.key()).containsExactly(Map.entry("id", 7));
    assertThat(letter.column()).contains("v");
    assertThat(letter.value()).contains("bad");
    assertThat(letter.reason()).isEqualTo("Cannot read column v of public.events (type text): no value for \"bad\"");
    assertThat(end).isEqualTo(new Position("0:0000000000005000", "end-token", false));
    assertThat(sink.order.get(4999)).as("the last row leaves the snapshot").isEqualTo(end);
    assertThat(sink.progress).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(PostgresCapture.class)
  void sourceStreamsExactlyTheChangesCommittedAfterTheSnapshotsConsistentPoint(PostgresCapture capture) throws Exception {
    String table = "handover_" + capture.name().toLowerCase(java.util.Locale.ROOT);
    try (Connection connection = postgres.connection(DATABASE); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text, n numeric(10,2))");
      statement.execute("INSERT INTO " + table + " SELECT g, 'v' || g, g / 4.0 FROM generate_series(1, 20000) g");
      statement.execute("ANALYZE " + table);
    }
    Map<Integer, List<String>> before = state("public." + table);
    AtomicBoolean changed = new AtomicBoolean();
    CollectingSink sink = new CollectingSink() {
      @Override
      public void accept(ChangeEvent event) {
        super.accept(event);
        if (changed.compareAndSet(false, true)) {
          // The first row is being delivered: the readers hold the snapshot, most rows are still to be read.
          try (Connection connection = postgres.connection(DATABASE); Statement statement = connection.createStatement()) {
            statement.execute("UPDATE " + table + " SET v = 'changed', n = -1 WHERE id % 100 = 0");
            statement.execute("DELETE FROM " + table + " WHERE id % 100 = 1");
            statement.execute("INSERT INTO " + table + " SELECT g, E'new\\t' || g, NULL FROM generate_series(20001, 20100) g");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    };
    PostgresSourceSettings settings = new PostgresSourceSettings("pg", postgres.host(), postgres.port(), DATABASE,
        "postgres", Optional.of("postgres"), List.of("public." + table), "", table + "_slot", table + "_pub",
        Duration.ofMillis(500), SnapshotMode.INITIAL, Path.of("target", table + "-work"), capture,
        Optional.of(new SnapshotSettings(2, 1000, 1 << 16)));
    io.tributary.sources.postgres.PostgresSource source = new io.tributary.sources.postgres.PostgresSource(settings);
    source.start(Optional.empty(), sink);
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (sink.events.size() < 20000 + 200 + 200 + 100 && System.nanoTime() < deadline && sink.failure == null) {
        Thread.sleep(100);
      }
    } finally {
      source.close();
    }
    assertThat(sink.failure).isNull();
    List<ChangeEvent> snapshot = sink.events.stream().filter(event -> event.operation() == Operation.READ).toList();
    List<ChangeEvent> streamed = sink.events.stream().filter(event -> event.operation() != Operation.READ).toList();
    // The snapshot is the table as it was before the changes, row by row.
    Map<Integer, List<String>> snapshotState = new HashMap<>();
    snapshot.forEach(event -> snapshotState.put((Integer) event.row().get("id"), values(event.row())));
    assertThat(snapshotState).isEqualTo(before);
    assertThat(snapshot.get(snapshot.size() - 1).position().inSnapshot()).isFalse();
    // Every change committed during the snapshot is streamed once, after it.
    assertThat(streamed).extracting(ChangeEvent::operation).containsOnly(Operation.UPDATE, Operation.DELETE,
        Operation.CREATE);
    assertThat(streamed).hasSize(200 + 200 + 100);
    assertThat(streamed.get(0).position().sortKey()).startsWith("1:");
    for (int i = 1; i < sink.order.size(); i++) {
      assertThat(sink.order.get(i).isAfter(sink.order.get(i - 1))).as("delivery order at %d", i).isTrue();
    }
    // Snapshot then stream applied in order is the table now.
    Map<Integer, List<String>> applied = new HashMap<>(snapshotState);
    for (ChangeEvent event : streamed) {
      Integer id = (Integer) event.row().get("id");
      if (event.operation() == Operation.DELETE) {
        applied.remove(id);
      } else {
        applied.put(id, values(event.row()));
      }
    }
    assertThat(applied).isEqualTo(state("public." + table));
  }

  private static List<String> values(Map<String, Object> row) {
    return Arrays.asList((String) row.get("v"), row.get("n") == null ? null : row.get("n").toString());
  }

  /** id -> (v, n as text) of every row of a table of that shape. */
  private static Map<Integer, List<String>> state(String table) throws Exception {
    Map<Integer, List<String>> rows = new HashMap<>();
    try (Connection connection = postgres.connection(DATABASE); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT id, v, n FROM " + table)) {
      while (result.next()) {
        rows.put(result.getInt(1), Arrays.asList(result.getString(2), result.getString(3)));
      }
    }
    return rows;
  }

  @Test
  void namesATableItCannotRead() throws Exception {
    assertThatThrownBy(() -> read(SnapshotSettings.defaults(), List.of("public.missing"), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot read the snapshot of source pg")
        .hasMessageContaining("cannot read the columns of public.missing")
        .hasMessageContaining("relation \"public.missing\" does not exist");
  }

  private static class CollectingSink implements ChangeSink {
    final List<ChangeEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<DeadLetter> letters = new ArrayList<>();
    final List<Position> progress = new ArrayList<>();
    final List<Position> order = new ArrayList<>();
    volatile Throwable failure;

    @Override
    public void accept(ChangeEvent event) {
      events.add(event);
      order.add(event.position());
    }

    @Override
    public void reject(DeadLetter deadLetter) {
      letters.add(deadLetter);
      order.add(deadLetter.position());
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

  private record Read(ChunkedSnapshotReader.Result result, Map<String, SnapshotTable> tables,
      Map<String, List<String[]>> byTable, List<Long> numbers) {
    List<String[]> rows(String table) {
      return byTable.getOrDefault(table, List.of());
    }
  }

  /** Reads {@code tables} at a fresh exported snapshot; {@code whileReading} runs once every reader imported it. */
  private static Read read(SnapshotSettings settings, List<String> tables, Runnable whileReading) throws Exception {
    Map<String, SnapshotTable> described = new HashMap<>();
    Map<String, List<String[]>> rows = new HashMap<>();
    List<Long> numbers = new ArrayList<>();
    ChunkedSnapshotReader reader = new ChunkedSnapshotReader("pg", connections, settings);
    try (ExportedSnapshot snapshot = ExportedSnapshot.create(connections.openReplication(), "chunks_test", true)) {
      ChunkedSnapshotReader.Result result = reader.read(snapshot.snapshotName(), tables,
          ChunkedSnapshotReader.text(),
          (table, number, values) -> {
            described.put(table.qualifiedName(), table);
            rows.computeIfAbsent(table.qualifiedName(), ignored -> new ArrayList<>()).add(values);
            numbers.add(number);
          },
          () -> {
            if (whileReading != null) {
              snapshot.close();
              whileReading.run();
            }
          });
      tables.forEach(table -> {
        if (!described.containsKey(table)) {
          described.put(table, null);
        }
      });
      return new Read(result, described, rows, numbers);
    }
  }

  /** Every row of {@code table} with each column as the server's text form ({@code ::text}), in the reader's session settings. */
  private static List<String[]> serverText(String table) throws Exception {
    List<String[]> rows = new ArrayList<>();
    try (Connection connection = postgres.connection(DATABASE); Statement statement = connection.createStatement()) {
      statement.execute("SET TimeZone = 'UTC'");
      statement.execute("SET DateStyle = 'ISO'");
      try (ResultSet result = statement.executeQuery("SELECT * FROM " + table)) {
        int columns = result.getMetaData().getColumnCount();
        while (result.next()) {
          String[] row = new String[columns];
          for (int i = 0; i < columns; i++) {
            // getString of a bytea is its hex text form; of other types, the server's text output.
            row[i] = result.getString(i + 1);
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  private static List<List<String>> sorted(List<String[]> rows) {
    return rows.stream().map(Arrays::asList).sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
  }
}
