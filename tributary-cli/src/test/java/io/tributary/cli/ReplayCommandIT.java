package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.lake.Lake;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary replay} on a lake a real pipeline built from real PostgreSQL, over two runs of the
 * pipeline, with a shaped table: refused while the pipeline writes, then bronze, silver and history
 * rebuilt from raw equal the pipeline's own row by row, and the pipeline carries on after it.
 */
class ReplayCommandIT {
  @TempDir Path directory;

  @Test
  void replayRebuildsWhatThePipelineWroteAndIsRefusedWhileItRuns() throws Exception {
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("shop");
      sql(postgres, "CREATE TABLE orders (id int PRIMARY KEY, status text, amount numeric(10,2), "
          + "placed timestamptz, note text, data bytea, tags text[])",
          "ALTER TABLE orders REPLICA IDENTITY FULL",
          "CREATE TABLE clients (id bigint PRIMARY KEY, email text, city text)",
          "CREATE TABLE visits (page text, n int)",
          "INSERT INTO orders SELECT i, 'new', i * 1.25, timestamptz '2026-01-01 00:00+00' + i * interval '1 hour', "
              + "CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END, decode(lpad(to_hex(i), 4, '0'), 'hex'), "
              + "ARRAY['a', 't' || i] FROM generate_series(1, 300) i",
          "INSERT INTO clients SELECT i, 'c' || i || '@example.org', 'city' || (i % 7) FROM generate_series(1, 100) i",
          "INSERT INTO visits VALUES ('/', 1), ('/a', 2)");
      Path config = directory.resolve("tributary.yaml");
      Path warehouse = directory.resolve("lake");
      Files.writeString(config, """
          lake:
            warehouse: %s
            commit-interval: 300ms
          sources:
            shop:
              type: postgres
              port: %d
              database: shop
              user: postgres
              tables: [public.orders, public.clients, public.visits]
          tables:
            clients:
              rename: {city: town}
              mask: [email]
              mask-salt: pepper
          """.formatted(warehouse, postgres.port()));
      TributaryConfig configuration = TributaryConfig.load(config, Map.of());

      try (Lake lake = Lake.open(warehouse)) {
        try (PipelineGroup group = group(lake, configuration)) {
          group.start();
          awaitEqual(postgres, lake, 300);
          sql(postgres, "UPDATE orders SET status = 'paid', amount = amount + 1 WHERE id % 4 = 0",
              "DELETE FROM orders WHERE id BETWEEN 50 AND 60",
              "UPDATE orders SET id = 1000 WHERE id = 7",
              "UPDATE clients SET city = 'moved' WHERE id <= 10",
              "INSERT INTO visits VALUES ('/b', 3)");
          awaitEqual(postgres, lake, 289);

          StringWriter err = new StringWriter();
          int refused = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "replay",
              "--config", config.toString());
          assertThat(refused).isEqualTo(1);
          assertThat(err.toString()).contains("Cannot replay lake " + lake.warehouse() + ": a pipeline");
        }
        // a second run of the pipeline appends to raw
        try (PipelineGroup group = group(lake, configuration)) {
          group.start();
          sql(postgres, "BEGIN; UPDATE orders SET note = 'again' WHERE id < 20; "
              + "INSERT INTO orders VALUES (2000, 'late', 1.5, now(), NULL, NULL, NULL); COMMIT",
              "DELETE FROM clients WHERE id = 3",
              "UPDATE orders SET status = 'paid' WHERE id = 2000");
          awaitEqual(postgres, lake, 290);
          assertThat(silver(lake, "orders", 2000)).contains("status=paid");
        }
        Map<String, List<String>> original = layers(lake);
        assertThat(original).containsKeys("bronze.orders", "silver.orders", "history.orders", "bronze.clients",
            "silver.clients", "history.clients", "bronze.visits");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), "replay", "--config", config.toString());
        assertThat(exit).as("replay exit code; stderr: %s", err).isZero();
        assertThat(out.toString())
            .contains("Replaying clients, orders, visits of lake " + lake.warehouse())
            .contains("replay [####################] 100%")
            .containsPattern("orders +\\d[\\d,]* changes from \\d+ raw files");
        assertThat(layers(lake)).isEqualTo(original);

        // the pipeline resumes from its checkpoint on the replayed lake
        try (PipelineGroup group = group(lake, configuration)) {
          group.start();
          sql(postgres, "INSERT INTO orders VALUES (3000, 'after', 2, now(), NULL, NULL, NULL)");
          awaitEqual(postgres, lake, 291);
        }
        assertThat(silverIds(lake)).isEqualTo(sourceIds(postgres));
      }
    }
  }

  private static PipelineGroup group(Lake lake, TributaryConfig configuration) {
    return new PipelineGroup(lake, PipelineGroup.sources(configuration), configuration.lake().pipelineSettings(),
        CommitListener.NONE, configuration::table);
  }

  private static void awaitEqual(EmbeddedPostgresServer postgres, Lake lake, int orders) throws Exception {
    await("silver.orders equals the source (" + orders + " rows)", () -> {
      try {
        return LakeRows.exists(lake, "silver", "orders") && silverIds(lake).size() == orders
            && silverIds(lake).equals(sourceIds(postgres)) && sameOrders(postgres, lake);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static boolean sameOrders(EmbeddedPostgresServer postgres, Lake lake) throws Exception {
    List<String> source = new ArrayList<>();
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id, status, amount, note FROM orders ORDER BY id")) {
      while (rows.next()) {
        source.add(rows.getInt(1) + "|" + rows.getString(2) + "|" + rows.getBigDecimal(3) + "|" + rows.getString(4));
      }
    }
    List<String> lakeRows = LakeRows.read(lake, "silver", "orders", List.of("id", "status", "amount", "note"))
        .stream().sorted(java.util.Comparator.comparing(row -> (Integer) row.get(0)))
        .map(row -> row.get(0) + "|" + row.get(1) + "|" + row.get(2) + "|" + row.get(3)).toList();
    return source.equals(lakeRows);
  }

  private static List<Integer> silverIds(Lake lake) {
    return LakeRows.read(lake, "silver", "orders", List.of("id")).stream().map(row -> (Integer) row.get(0))
        .sorted().toList();
  }

  private static List<Integer> sourceIds(EmbeddedPostgresServer postgres) throws Exception {
    List<Integer> ids = new ArrayList<>();
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id FROM orders ORDER BY id")) {
      while (rows.next()) {
        ids.add(rows.getInt(1));
      }
    }
    return ids;
  }

  private static String silver(Lake lake, String table, int id) {
    return layers(lake).get("silver." + table).stream().filter(row -> row.startsWith("id=" + id + " ")).findFirst()
        .orElse("");
  }

  /** Every row of every bronze, silver and history table, as sorted text; ingestion times to the millisecond. */
  private static Map<String, List<String>> layers(Lake lake) {
    Map<String, List<String>> tables = new LinkedHashMap<>();
    for (String layer : List.of(Lake.BRONZE, Lake.SILVER, Lake.HISTORY)) {
      if (!lake.catalog().namespaceExists(Namespace.of(layer))) {
        continue;
      }
      for (TableIdentifier id : lake.catalog().listTables(Namespace.of(layer))) {
        Table table = lake.catalog().loadTable(id);
        List<String> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
          for (Record record : records) {
            rows.add(text(record));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        rows.sort(null);
        tables.put(layer + "." + id.name(), rows);
      }
    }
    return tables;
  }

  private static String text(Record record) {
    StringBuilder text = new StringBuilder();
    for (Types.NestedField field : record.struct().fields()) {
      Object value = record.getField(field.name());
      if (value instanceof OffsetDateTime time && field.name().matches("_ingested_at|_recorded_at")) {
        // raw names its files by the batch's ingestion time in milliseconds
        value = time.truncatedTo(ChronoUnit.MILLIS);
      } else if (value instanceof ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        value = HexFormat.of().formatHex(bytes);
      }
      text.append(field.name()).append('=').append(value).append(' ');
    }
    return text.toString();
  }

  private static void sql(EmbeddedPostgresServer postgres, String... statements) throws Exception {
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(what + " within 120 s").isBefore(deadline);
      Thread.sleep(300);
    }
  }
}
