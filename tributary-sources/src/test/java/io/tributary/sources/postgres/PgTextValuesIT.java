package io.tributary.sources.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DeadLetter;
import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.pgoutput.PgTextValues;
import io.tributary.sources.postgres.pgoutput.PgTypeRegistry;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PgTextValues} against the Debezium path on a table with a column of every type: the text form PostgreSQL
 * prints for each value, decoded with the column's type OID and typmod, must give the schema and the Java values that
 * Debezium's snapshot of the same rows gives.
 */
class PgTextValuesIT {
  /** One column of each type the lake maps, and a few it reads as text. */
  static final String TYPES_TABLE = """
      CREATE TABLE everything (
        id int PRIMARY KEY, s smallint, i int, b bigint, n numeric(12,2), nwide numeric(40,5), nfree numeric,
        f4 real, f8 double precision, bo boolean, t text NOT NULL DEFAULT '', vc varchar(10), c char(3),
        d date, tm time, tm3 time(3), ts timestamp, ts3 timestamp(3), tstz timestamptz, ttz timetz, iv interval,
        u uuid, j json, jb jsonb, x xml, by bytea, ip inet, net cidr, mac macaddr, bit1 bit(1), bits bit(10),
        vb varbit, mo money, arr int[], tarr text[], narr numeric(5,1)[], darr date[], en mood, dom posint,
        p pair, r int4range, o oid, nm name, ch "char", hs hstore, ci citext)""";

  static final List<String> TYPES_SETUP = List.of(
      "CREATE EXTENSION hstore", "CREATE EXTENSION citext",
      "CREATE TYPE mood AS ENUM ('sad', 'happy')", "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
      "CREATE TYPE pair AS (a int, b text)", TYPES_TABLE,
      """
      INSERT INTO everything VALUES (1, -3, 42, 9000000000, 1234.5, 123456789012345678901234567890.12345, 3.14159,
        1.5, 2.25, true, 'text', 'varchar', 'ab', '2024-02-29', '10:15:30.123456', '10:15:30.123',
        '2024-01-01 10:00:00.654321', '2024-01-01 10:00:00.5', '2024-01-01 10:00:00.123456+05:30', '10:15:30+02',
        '1 year 2 months 3 days 04:05:06.78', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}',
        '{"b": {"c": null}, "a": 1}', '<x>1</x>', '\\x00ff10', '10.1.2.3', '10.1.0.0/16', '08:00:2b:01:02:03',
        B'1', B'1011001110', B'101', 1234.56, '{1,2,NULL}', '{"a b","c,d",NULL,"x\\"y"}', '{1.5,NULL,-2.0}',
        '{2024-01-01,NULL}', 'happy', 7, ROW(7, 'seven'), '[1,10)', 4000000000, 'a name', 'q',
        '"k"=>"v", "n"=>NULL', 'MiXeD')""",
      "INSERT INTO everything (id) VALUES (2)",
      """
      INSERT INTO everything (id, s, n, nfree, f4, f8, d, ts, tstz, iv, tarr, arr, by)
        VALUES (3, 32767, -0.01, -12.500, 'NaN', '-Infinity', '1970-01-01', '1999-12-31 23:59:59', '1970-01-01 00:00:00+00',
        '-1 days -00:00:01.5', '{}', '{}', '\\x')""");

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
  void decodesEveryTypeAsDebeziumDoes() throws Exception {
    postgres.createDatabase("types");
    try (Connection connection = postgres.connection("types"); Statement statement = connection.createStatement()) {
      for (String sql : TYPES_SETUP) {
        statement.execute(sql);
      }
    }
    List<ChangeEvent> debezium = debeziumSnapshot();
    assertThat(debezium).hasSize(3);

    // The simple query protocol returns every value in the text form pgoutput sends (a cast to text would trim char(n)).
    try (Connection connection = java.sql.DriverManager.getConnection(postgres.jdbcUrl("types") + "?preferQueryMode=simple",
        EmbeddedPostgresServer.USER, "postgres")) {
      PgTypeRegistry registry = new PgTypeRegistry(connection);
      Map<String, int[]> columns = new LinkedHashMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet result = statement.executeQuery("SELECT attname, atttypid, atttypmod FROM pg_attribute "
              + "WHERE attrelid = 'everything'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
        while (result.next()) {
          columns.put(result.getString(1), new int[] {result.getInt(2), result.getInt(3)});
        }
      }
      for (Column column : debezium.get(0).schema().columns()) {
        int[] type = columns.get(column.name());
        assertThat(PgTextValues.dataType(registry.type(type[0]), type[1]))
            .as("type of column %s", column.name())
            .isEqualTo(column.type());
      }
      for (ChangeEvent event : debezium) {
        Map<String, Object> expected = event.after().orElseThrow();
        Map<String, Object> decoded = new HashMap<>();
        for (Map.Entry<String, int[]> column : columns.entrySet()) {
          try (Statement statement = connection.createStatement()) {
            try (ResultSet result = statement.executeQuery(
                "SELECT \"" + column.getKey() + "\" FROM everything WHERE id = " + expected.get("id"))) {
              result.next();
              String text = result.getString(1);
              decoded.put(column.getKey(), text == null ? null
                  : PgTextValues.decode(registry.type(column.getValue()[0]), column.getValue()[1], text));
            }
          }
        }
        for (String name : columns.keySet()) {
          assertThat(decoded.get(name)).as("value of column %s in row %s", name, expected.get("id"))
              .isEqualTo(expected.get(name));
        }
      }
    }
  }

  private List<ChangeEvent> debeziumSnapshot() throws InterruptedException {
    List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    ChangeSink sink = new ChangeSink() {
      @Override
      public void accept(ChangeEvent event) {
        events.add(event);
      }

      @Override
      public void reject(DeadLetter deadLetter) {
        throw new AssertionError("rejected " + deadLetter);
      }

      @Override
      public void progress(Position position) {}

      @Override
      public void failed(Throwable error) {
        throw new AssertionError("failed", error);
      }
    };
    PostgresSourceSettings settings = new PostgresSourceSettings("pg", postgres.host(), postgres.port(), "types", "postgres",
        Optional.of("postgres"), List.of("public.everything"), "", "types_slot", "types_pub", Duration.ofMillis(500),
        SnapshotMode.INITIAL, work.resolve("source"));
    try (PostgresSource source = new PostgresSource(settings)) {
      source.start(Optional.empty(), sink);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (events.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
    return events;
  }
}
