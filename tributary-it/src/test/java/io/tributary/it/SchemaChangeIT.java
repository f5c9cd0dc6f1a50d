package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.pipeline.Pipeline;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source schema changes while the pipeline runs: an added column, a widened one, an incompatible one. */
class SchemaChangeIT {
  private static final String COLUMNS = "id, name, qty, note";

  @TempDir Path work;

  @Test
  void addedAndWidenedColumnsAppearWithoutRestartAndAnIncompatibleChangeStopsWithItsReason() throws Exception {
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("inventory");
      try (Connection connection = postgres.connection("inventory"); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE items (id int PRIMARY KEY, name text, qty int)");
        statement.execute("INSERT INTO items VALUES (1, 'bolt', 10), (2, 'nut', 20)");
      }
      try (Lake lake = Lake.open(work.resolve("lake"));
          IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
        Pipeline pipeline = new Pipeline(new PostgresSource(new PostgresSourceSettings("inv", postgres.host(), postgres.port(),
            "inventory", "postgres", Optional.empty(), List.of("public.items"), "", "inv_slot", "inv_pub",
            Duration.ofSeconds(1), SnapshotMode.INITIAL, work.resolve("source"))), writer,
            new PipelineSettings(Duration.ofMillis(200), 1_000, 10_000));
        pipeline.start();
        try (Connection connection = postgres.connection("inventory"); Statement statement = connection.createStatement()) {
          Awaits.until(Duration.ofMinutes(1), "the snapshot", () -> LakeComparison.count(lake.catalog(), "silver", "items") == 2);

          statement.execute("ALTER TABLE items ADD COLUMN note text");
          statement.execute("ALTER TABLE items ALTER COLUMN qty TYPE bigint");
          statement.execute("INSERT INTO items VALUES (3, 'washer', 5000000000, 'zinc')");
          statement.execute("UPDATE items SET note = 'steel' WHERE id = 1");
          var expected = LakeComparison.sourceRows(connection, "items", COLUMNS);
          Awaits.until(Duration.ofMinutes(1), "silver to hold the new column's values",
              () -> lake.catalog().loadTable(org.apache.iceberg.catalog.TableIdentifier.of("silver", "items")).schema()
                  .findField("note") != null
                  && LakeComparison.lakeRows(lake.catalog(), "silver", "items", COLUMNS).equals(expected));
          assertThat(LakeComparison.lakeRows(lake.catalog(), "silver", "items", COLUMNS)).containsExactlyEntriesOf(expected);
          assertThat(lake.catalog().loadTable(org.apache.iceberg.catalog.TableIdentifier.of("bronze", "items")).schema()
              .findField("qty").type().toString()).isEqualTo("long");

          statement.execute("ALTER TABLE items ALTER COLUMN qty TYPE text");
          statement.execute("UPDATE items SET qty = 'many' WHERE id = 2");
          Awaits.until(Duration.ofMinutes(1), "the pipeline to stop", () -> pipeline.state() == PipelineState.FAILED);
          assertThat(pipeline.failure().orElseThrow().getMessage())
              .contains("items")
              .contains("qty")
              .contains("long")
              .contains("string");
        } finally {
          pipeline.close();
        }
      }
    }
  }
}
