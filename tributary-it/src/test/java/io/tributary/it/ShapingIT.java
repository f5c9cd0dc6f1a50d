package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.config.TableConfig;
import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.Pipeline;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.core.shape.Shaping;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.sql.DuckDbExpressions;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL table shaped on its way to silver (rename, cast, drop, mask, computed), through the
 * pipeline: silver compared row by row with the source shaped by this test's own rules, bad values
 * in errors.clients with their key, value and reason while the other rows flow.
 */
class ShapingIT {
  private static final String SALT = "n0t-a-real-salt";
  private static final String YAML = """
      lake:
        warehouse: lake
      sources:
        app:
          type: postgres
          host: 127.0.0.1
          database: app
          user: postgres
          tables: [public.clients]
      tables:
        clients:
          rename: {idade: age}
          cast: {idade: int}
          drop: [notes]
          mask: [cpf]
          mask-salt: ${env:TEST_MASK_SALT}
          computed:
            full_name: "first_name || ' ' || last_name"
            code_number: "CAST(code AS INTEGER) * 10"
      """;
  private static final List<String> SILVER_COLUMNS =
      List.of("id", "first_name", "last_name", "age", "cpf", "code", "full_name", "code_number");

  @TempDir Path work;

  @Test
  void silverHoldsTheShapedSourceAndBadValuesGoToErrors() throws Exception {
    Path file = work.resolve("tributary.yaml");
    Files.writeString(file, YAML);
    TableConfig clients = TributaryConfig.load(file, Map.of("TEST_MASK_SALT", SALT)).table("clients");

    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("app");
      try (Connection connection = postgres.connection("app"); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE clients (id int PRIMARY KEY, first_name text, last_name text, idade text, "
            + "cpf text, notes text, code text)");
        statement.execute("INSERT INTO clients SELECT i, 'first' || i, 'last' || i, (20 + i % 50)::text, "
            + "lpad(i::text, 11, '0'), 'note ' || i, i::text FROM generate_series(1, 60) i");
        statement.execute("UPDATE clients SET idade = 'abc' WHERE id = 7");
        statement.execute("UPDATE clients SET code = 'x9' WHERE id = 9");
        statement.execute("UPDATE clients SET cpf = NULL, last_name = NULL WHERE id = 11");
      }
      try (Lake lake = Lake.open(work.resolve("lake"));
          DuckDbExpressions expressions = new DuckDbExpressions();
          IcebergLakeWriter writer = new IcebergLakeWriter(lake, new Shaping(name -> name.equals("clients")
              ? clients : TableConfig.defaults(name), expressions))) {
        Pipeline pipeline = new Pipeline(new PostgresSource(new PostgresSourceSettings("app", postgres.host(),
            postgres.port(), "app", "postgres", Optional.empty(), List.of("public.clients"), "", "shape_slot",
            "shape_pub", Duration.ofSeconds(1), SnapshotMode.INITIAL, work.resolve("source"))), writer,
            new PipelineSettings(Duration.ofMillis(200), 1_000, 10_000));
        pipeline.start();
        try (Connection connection = postgres.connection("app"); Statement statement = connection.createStatement()) {
          Awaits.until(Duration.ofMinutes(1), "the snapshot in silver",
              () -> silver(lake).size() == 58 && errors(lake).size() == 2);
          Map<Integer, List<String>> expected = expectedSilver(connection);
          assertThat(silver(lake)).containsExactlyEntriesOf(expected);
          List<String> keptBeforeItsBadUpdate = expected.get(2);

          statement.execute("INSERT INTO clients VALUES (61, 'Ana', 'Gomes', '41', '12345678900', 'vip', '5')");
          statement.execute("UPDATE clients SET idade = 'forty' WHERE id = 2");
          statement.execute("UPDATE clients SET first_name = 'Bia', idade = '33' WHERE id = 3");
          statement.execute("DELETE FROM clients WHERE id = 4");
          statement.execute("INSERT INTO clients VALUES (62, 'Caio', 'Reis', 'n/a', '1', 'x', '1')");
          statement.execute("UPDATE clients SET idade = '35' WHERE id = 7");
          statement.execute("ALTER TABLE clients ADD COLUMN city text");
          statement.execute("INSERT INTO clients VALUES (63, 'Davi', 'Luz', '50', '2', 'y', '2', 'Faro')");

          Map<Integer, List<String>> streamed = expectedSilver(connection);
          streamed.put(2, keptBeforeItsBadUpdate);
          Awaits.until(Duration.ofMinutes(1), "the stream in silver", () -> silver(lake).equals(streamed)
              && errors(lake).size() == 4);
          assertThat(silver(lake)).containsExactlyEntriesOf(streamed);
          assertThat(pipeline.state()).isEqualTo(PipelineState.RUNNING);
          assertThat(lake.catalog().loadTable(TableIdentifier.of("silver", "clients")).schema().columns())
              .extracting(Types.NestedField::name)
              .as("shaped columns, the new source column without a restart, notes dropped")
              .containsExactly("id", "first_name", "last_name", "age", "cpf", "code", "full_name", "code_number",
                  "_position", "_commit_ts", "city");
          assertThat(records(lake, "bronze", "clients"))
              .as("bronze keeps the source as it was")
              .anySatisfy(record -> assertThat(record.getField("idade")).isEqualTo("forty"))
              .anySatisfy(record -> assertThat(record.getField("cpf")).isEqualTo("12345678900"));
        } finally {
          pipeline.close();
        }

        try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
          List<List<Object>> rows = engine.query("SELECT key, column_name, value, reason, source, table_name, "
              + "_location, payload FROM errors.clients ORDER BY _position").rows();
          assertThat(rows).extracting(row -> row.get(0) + " " + row.get(1) + " " + row.get(2)).containsExactly(
              "{\"id\":7} idade abc", "{\"id\":9} code_number null", "{\"id\":2} idade forty",
              "{\"id\":62} idade n/a");
          assertThat(rows.get(0).get(3)).isEqualTo("Cannot cast column idade of table clients to int: 'abc' is not "
              + "an integer (tables.clients.cast.idade; fix the value at the source or change the cast)");
          assertThat((String) rows.get(1).get(3)).startsWith("Cannot compute column code_number of table clients: "
              + "Conversion Error").contains("x9");
          assertThat(rows).allSatisfy(row -> {
            assertThat(row.get(4)).isEqualTo("app");
            assertThat(row.get(5)).isEqualTo("clients");
          });
          assertThat((String) rows.get(0).get(6)).startsWith("public.clients read at position ");
          assertThat((String) rows.get(2).get(6)).startsWith("public.clients update at position ");
          assertThat((String) rows.get(2).get(7)).contains("\"idade\":\"forty\"");
          assertThat(engine.tables()).contains("errors.clients");
        }
      }
    }
  }

  /** The source's rows shaped by this test's reading of the configuration; rows that cannot be shaped left out. */
  private static Map<Integer, List<String>> expectedSilver(Connection connection) throws Exception {
    Map<Integer, List<String>> rows = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT id, first_name, last_name, idade, cpf, code FROM clients")) {
      while (result.next()) {
        String idade = result.getString("idade");
        String code = result.getString("code");
        if (!idade.matches("-?\\d+") || !code.matches("-?\\d+")) {
          continue;
        }
        String first = result.getString("first_name");
        String last = result.getString("last_name");
        String cpf = result.getString("cpf");
        rows.put(result.getInt("id"), List.of(
            Integer.toString(result.getInt("id")),
            String.valueOf(first),
            String.valueOf(last),
            Integer.toString(Integer.parseInt(idade)),
            cpf == null ? "null" : sha256(SALT + cpf),
            code,
            first == null || last == null ? "null" : first + " " + last,
            Integer.toString(Integer.parseInt(code) * 10)));
      }
    }
    return rows;
  }

  private static Map<Integer, List<String>> silver(Lake lake) {
    Map<Integer, List<String>> rows = new TreeMap<>();
    for (Record record : records(lake, "silver", "clients")) {
      List<String> values = new ArrayList<>();
      for (String column : SILVER_COLUMNS) {
        values.add(String.valueOf(record.getField(column)));
      }
      rows.put((Integer) record.getField("id"), values);
    }
    return rows;
  }

  private static List<Record> errors(Lake lake) {
    if (!lake.catalog().tableExists(TableIdentifier.of("errors", "clients"))) {
      return List.of();
    }
    return records(lake, "errors", "clients");
  }

  private static List<Record> records(Lake lake, String layer, String table) {
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(lake.catalog().loadTable(TableIdentifier.of(layer, table))).build()) {
      rows.forEach(records::add);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return records;
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
