package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.pipeline.Pipeline;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.lake.HistoryCheck;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresCapture;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL to the lake in one process: snapshot, then a random workload with the awkward cases;
 * silver and history's current versions must equal the source row by row, bronze must hold each audited
 * change exactly once, and history must keep its invariants.
 */
class PostgresToLakeIT {
  @TempDir Path work;

  /** Against both ways of streaming: the same lake must result. */
  @ParameterizedTest
  @EnumSource(PostgresCapture.class)
  void silverEqualsTheSourceAndBronzeHoldsEveryChangeOnce(PostgresCapture capture) throws Exception {
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("shop");
      ShopFixture shop = new ShopFixture(42);
      try (Connection connection = postgres.connection("shop")) {
        ShopFixture.createSchema(connection);
        shop.load(connection, 300);
      }

      try (Lake lake = Lake.open(work.resolve("lake"));
          IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
        Pipeline pipeline = new Pipeline(source(postgres, capture), writer, new PipelineSettings(Duration.ofMillis(300), 500, 2_000));
        pipeline.start();
        // Changes made before the snapshot starts would be read by it, not audited as changes.
        Awaits.until(Duration.ofMinutes(1), "the initial snapshot to be committed",
            () -> LakeComparison.snapshotReads(lake.catalog(), "customers").size() == 300);
        try (Connection connection = postgres.connection("shop")) {
          for (int i = 0; i < 400; i++) {
            shop.step(connection);
          }
          shop.edgeCases(connection);
          for (int i = 0; i < 200; i++) {
            shop.step(connection);
          }
          Map<Integer, List<String>> expectedChanges = LakeComparison.auditedChanges(connection, "customers");
          Awaits.until(Duration.ofMinutes(2), "bronze to hold every audited change",
              () -> LakeComparison.bronzeChanges(lake.catalog(), "customers").equals(expectedChanges));
          assertThat(pipeline.state()).isEqualTo(PipelineState.RUNNING);

          assertThat(LakeComparison.bronzeChanges(lake.catalog(), "customers")).isEqualTo(expectedChanges);
          assertThat(LakeComparison.snapshotReads(lake.catalog(), "customers"))
              .hasSize(300)
              .allSatisfy((key, reads) -> assertThat(reads).isEqualTo(1L));
          Map<Integer, List<String>> source = LakeComparison.sourceRows(connection, "customers", ShopFixture.CUSTOMERS_COLUMNS);
          Awaits.until(Duration.ofMinutes(1), "silver to equal the source",
              () -> LakeComparison.lakeRows(lake.catalog(), "silver", "customers", ShopFixture.CUSTOMERS_COLUMNS).equals(source));
          assertThat(LakeComparison.lakeRows(lake.catalog(), "silver", "customers", ShopFixture.CUSTOMERS_COLUMNS))
              .containsExactlyEntriesOf(source);
          // history: the current versions are the source's rows (the large value left unchanged included)
          Awaits.until(Duration.ofMinutes(1), "history's current versions to equal the source",
              () -> LakeComparison.currentHistoryRows(lake.catalog(), "customers", ShopFixture.CUSTOMERS_COLUMNS)
                  .equals(source));
          assertThat(HistoryCheck.violations(lake, "customers")).isEmpty();

          long pageViews = count(connection, "page_views");
          Awaits.until(Duration.ofMinutes(1), "bronze.page_views to hold every row",
              () -> LakeComparison.count(lake.catalog(), "bronze", "page_views") == pageViews);
          assertThat(lake.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of("silver", "page_views")))
              .as("a table without a primary key gets bronze only")
              .isFalse();
        } finally {
          pipeline.close();
        }
        assertThat(pipeline.failure()).isEmpty();
      }
    }
  }

  /**
   * On the Debezium path (snapshot and stream), values the lake cannot hold (timestamps and dates at
   * infinity, which Debezium sends as values far outside any real one or as the text {@code infinity}) send their change to errors.readings with
   * key, column and reason, in the snapshot and while streaming; the changes around them land and a
   * later change that corrects the value brings the row in. NaN in a numeric column reaches Debezium's
   * precise decimals as NULL.
   */
  @Test
  void badValuesGoToTheErrorsTableAndTheRestFlows() throws Exception {
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("odd");
      try (Connection connection = postgres.connection("odd"); var statement = connection.createStatement()) {
        statement.execute("CREATE TABLE readings (id int PRIMARY KEY, label text NOT NULL, at timestamptz, taken timestamp, "
            + "day date, amount numeric(10,2))");
        statement.execute("""
            INSERT INTO readings VALUES (1, 'one', '2024-01-01 10:00+00', '2024-01-01 10:00', '2024-01-01', 1.50),
              (2, 'never', '-infinity', '2024-01-02 10:00', '2024-01-02', 2.50),
              (3, 'three', '2024-01-03 10:00+00', '2024-01-03 10:00', 'infinity', 3.50),
              (4, 'not a number', '2024-01-04 10:00+00', '2024-01-04 10:00', '2024-01-04', 'NaN')""");
      }
      try (Lake lake = Lake.open(work.resolve("lake"));
          IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
        PostgresSource source = new PostgresSource(new PostgresSourceSettings(
            "odd", postgres.host(), postgres.port(), "odd", "postgres", java.util.Optional.of("postgres"),
            List.of("public.readings"), "", "tributary_odd", "tributary_odd", Duration.ofSeconds(1), SnapshotMode.INITIAL,
            work.resolve("source")).withCapture(PostgresCapture.DEBEZIUM));
        Pipeline pipeline = new Pipeline(source, writer, new PipelineSettings(Duration.ofMillis(300), 500, 2_000));
        pipeline.start();
        try (Connection connection = postgres.connection("odd"); var statement = connection.createStatement()) {
          Awaits.until(Duration.ofMinutes(1), "the snapshot's good rows in silver",
              () -> LakeComparison.count(lake.catalog(), "silver", "readings") == 2);
          statement.execute("INSERT INTO readings VALUES (10, 'ten', '2024-02-01 10:00+00', '2024-02-01 10:00', '2024-02-01', 10)");
          statement.execute("INSERT INTO readings VALUES (11, 'forever', '2024-02-02 10:00+00', 'infinity', '2024-02-02', 11)");
          statement.execute("UPDATE readings SET day = '-infinity', label = 'bad day' WHERE id = 1");
          statement.execute("INSERT INTO readings VALUES (12, 'twelve', '2024-02-03 10:00+00', '2024-02-03 10:00', '2024-02-03', 12)");
          statement.execute("UPDATE readings SET at = '2024-01-02 11:00+00', label = 'corrected' WHERE id = 2");
          statement.execute("INSERT INTO readings VALUES (13, 'last', '2024-02-04 10:00+00', '2024-02-04 10:00', '2024-02-04', 13)");

          // Silver is the source's rows but those whose current value the lake cannot hold: 3 and
          // 11 are missing, 1 keeps the version before the bad update, 4's NaN is NULL.
          String columns = "id, label, at, taken, day, amount";
          Map<Integer, List<String>> expected = new java.util.TreeMap<>(LakeComparison.sourceRows(connection,
              "(SELECT id, label, at, taken, CASE WHEN isfinite(day) THEN day END AS day, "
                  + "CASE WHEN amount <> 'NaN' THEN amount END AS amount FROM readings) AS r", columns));
          expected.remove(3);
          expected.remove(11);
          expected.put(1, List.of("1", "one", "2024-01-01T10:00:00Z", "2024-01-01T10:00", "2024-01-01", "1.50"));
          try {
            Awaits.until(Duration.ofSeconds(30), "silver to equal the source's convertible rows",
                () -> LakeComparison.lakeRows(lake.catalog(), "silver", "readings", columns).equals(expected));
          } finally {
            assertThat(LakeComparison.lakeRows(lake.catalog(), "silver", "readings", columns)).containsExactlyEntriesOf(expected);
          }
          assertThat(expected.get(4)).as("NaN reaches the lake as NULL").endsWith("NULL");
          assertThat(expected.get(2)).as("the corrected row").contains("corrected", "2024-01-02T11:00:00Z");

          List<org.apache.iceberg.data.Record> errors = LakeComparison.records(lake.catalog(), "errors", "readings");
          assertThat(errors).extracting(record -> record.getField("key") + " " + record.getField("column_name") + " "
              + record.getField("value")).containsExactlyInAnyOrder("{\"id\":2} at -infinity",
                  "{\"id\":3} day " + errorValue(errors, 3), "{\"id\":11} taken 9223372036825200000",
                  "{\"id\":1} day " + errorValue(errors, 1));
          assertThat(errors).allSatisfy(record -> assertThat(record.getField("reason").toString()).startsWith("Cannot convert value "));
          assertThat(errors).filteredOn(record -> !"at".equals(record.getField("column_name")))
              .allSatisfy(record -> assertThat(record.getField("reason").toString()).contains("PostgreSQL's infinity or -infinity"));
          Map<String, String> locations = new java.util.TreeMap<>();
          errors.forEach(record -> locations.put(record.getField("key").toString(), record.getField("_location").toString()));
          assertThat(locations.get("{\"id\":2}")).isEqualTo("public.readings in the initial snapshot");
          assertThat(locations.get("{\"id\":11}")).startsWith("public.readings at LSN ");
          assertThat(pipeline.state()).isEqualTo(PipelineState.RUNNING);
        } finally {
          pipeline.close();
        }
        assertThat(pipeline.failure()).isEmpty();
      }
    }
  }

  /** The raw day number Debezium sent for an infinite date: it differs between snapshot and streaming. */
  private static String errorValue(List<org.apache.iceberg.data.Record> errors, int key) {
    return errors.stream().filter(record -> ("{\"id\":" + key + "}").equals(record.getField("key")))
        .map(record -> String.valueOf(record.getField("value"))).findFirst().orElse("?");
  }

  private PostgresSource source(EmbeddedPostgresServer postgres, PostgresCapture capture) {
    return new PostgresSource(new PostgresSourceSettings(
        "shop", postgres.host(), postgres.port(), "shop", "postgres", java.util.Optional.of("postgres"),
        List.of("public.customers", "public.page_views"), "", "tributary_shop", "tributary_shop",
        Duration.ofSeconds(1), SnapshotMode.INITIAL, work.resolve("source"), capture));
  }

  private static long count(Connection connection, String table) throws Exception {
    try (var statement = connection.createStatement();
        var result = statement.executeQuery("SELECT count(*) FROM " + table)) {
      result.next();
      return result.getLong(1);
    }
  }
}
