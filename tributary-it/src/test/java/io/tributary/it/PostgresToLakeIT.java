package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.pipeline.Pipeline;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.lake.HistoryCheck;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL to the lake in one process: snapshot, then a random workload with the awkward cases;
 * silver and history's current versions must equal the source row by row, bronze must hold each audited
 * change exactly once, and history must keep its invariants.
 */
class PostgresToLakeIT {
  @TempDir Path work;

  @Test
  void silverEqualsTheSourceAndBronzeHoldsEveryChangeOnce() throws Exception {
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("shop");
      ShopFixture shop = new ShopFixture(42);
      try (Connection connection = postgres.connection("shop")) {
        ShopFixture.createSchema(connection);
        shop.load(connection, 300);
      }

      try (Lake lake = Lake.open(work.resolve("lake"));
          IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
        Pipeline pipeline = new Pipeline(source(postgres), writer, new PipelineSettings(Duration.ofMillis(300), 500, 2_000));
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

  private PostgresSource source(EmbeddedPostgresServer postgres) {
    return new PostgresSource(new PostgresSourceSettings(
        "shop", postgres.host(), postgres.port(), "shop", "postgres", java.util.Optional.of("postgres"),
        List.of("public.customers", "public.page_views"), "", "tributary_shop", "tributary_shop",
        Duration.ofSeconds(1), SnapshotMode.INITIAL, work.resolve("source")));
  }

  private static long count(Connection connection, String table) throws Exception {
    try (var statement = connection.createStatement();
        var result = statement.executeQuery("SELECT count(*) FROM " + table)) {
      result.next();
      return result.getLong(1);
    }
  }
}
