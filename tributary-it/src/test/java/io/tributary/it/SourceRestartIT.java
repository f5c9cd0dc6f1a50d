package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.pipeline.CommitListener;
import io.tributary.core.pipeline.Pipeline;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL goes away while the pipeline runs and comes back: capture carries on, nothing lost or doubled. */
class SourceRestartIT {
  private static final String COLUMNS = "id, name";

  @TempDir Path work;

  @Test
  void captureCarriesOnAfterTheDatabaseRestarts() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path data = work.resolve("postgres");
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(Optional.of(data), port, true);
    postgres.createDatabase("app");
    try (Connection connection = postgres.connection("app"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
      statement.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g");
    }
    try (Lake lake = Lake.open(work.resolve("lake"));
        IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      Pipeline pipeline = new Pipeline(new PostgresSource(new PostgresSourceSettings("app", "127.0.0.1", port, "app",
          "postgres", Optional.empty(), List.of("public.items"), "", "app_slot", "app_pub", Duration.ofSeconds(1),
          SnapshotMode.INITIAL, work.resolve("source"))), writer, new PipelineSettings(Duration.ofMillis(200), 1_000, 10_000),
          CommitListener.NONE);
      pipeline.start();
      try {
        Awaits.until(Duration.ofMinutes(1), "the snapshot", () -> LakeComparison.count(lake.catalog(), "silver", "items") == 100);
        try (Connection connection = postgres.connection("app"); Statement statement = connection.createStatement()) {
          statement.execute("UPDATE items SET name = 'before restart' WHERE id <= 10");
        }
        Awaits.until(Duration.ofMinutes(1), "the first changes",
            () -> LakeComparison.count(lake.catalog(), "bronze", "items") == 110);

        postgres.close();
        Thread.sleep(5_000);
        postgres = EmbeddedPostgresServer.start(Optional.of(data), port, true);

        try (Connection connection = postgres.connection("app"); Statement statement = connection.createStatement()) {
          statement.execute("UPDATE items SET name = 'after restart' WHERE id > 90");
          statement.execute("DELETE FROM items WHERE id = 50");
          statement.execute("INSERT INTO items VALUES (101, 'new')");
          var expected = LakeComparison.sourceRows(connection, "items", COLUMNS);
          Awaits.until(Duration.ofMinutes(2), "silver to catch up after the restart",
              () -> LakeComparison.lakeRows(lake.catalog(), "silver", "items", COLUMNS).equals(expected));
        }
        assertThat(pipeline.state()).isEqualTo(PipelineState.RUNNING);
        assertThat(LakeComparison.count(lake.catalog(), "bronze", "items"))
            .as("100 snapshot reads, 10 updates before, 10 updates, 1 delete and 1 insert after: each once")
            .isEqualTo(122);
      } finally {
        pipeline.close();
        postgres.close();
      }
    }
  }
}
