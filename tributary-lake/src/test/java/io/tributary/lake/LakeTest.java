package io.tributary.lake;

import static io.tributary.lake.Changes.SOURCE;
import static io.tributary.lake.Changes.column;
import static io.tributary.lake.Changes.insert;
import static io.tributary.lake.Changes.position;
import static io.tributary.lake.Changes.read;
import static io.tributary.lake.Changes.row;
import static io.tributary.lake.Changes.schema;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.DataType;
import io.tributary.api.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.catalog.Namespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeTest {
  @TempDir
  Path directory;

  @Test
  void opensACatalogInTheWarehouseInWalMode() throws Exception {
    Path warehouse = directory.resolve("lake");
    try (Lake lake = Lake.open(warehouse)) {
      assertThat(lake.warehouse()).isEqualTo(warehouse.toAbsolutePath());
      assertThat(lake.rawDirectory()).isEqualTo(warehouse.toAbsolutePath().resolve("raw"));
      assertThat(lake.catalog().name()).isEqualTo("tributary");
      lake.ensureNamespace(Lake.BRONZE);
      lake.ensureNamespace(Lake.BRONZE);
      assertThat(lake.catalog().listNamespaces()).contains(Namespace.of(Lake.BRONZE));
    }
    assertThat(warehouse.resolve("catalog.db")).isRegularFile();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + warehouse.resolve("catalog.db"));
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("PRAGMA journal_mode")) {
      assertThat(result.next()).isTrue();
      assertThat(result.getString(1)).isEqualToIgnoringCase("wal");
    }
    try (Lake again = Lake.open(warehouse)) {
      assertThat(again.catalog().namespaceExists(Namespace.of(Lake.BRONZE))).isTrue();
    }
  }

  @Test
  void readersOfASecondLakeHandleNeverFailWhileAWriterCommits() throws Exception {
    TableSchema ticks = schema("ticks", List.of("id"), column("id", DataType.Kind.INT32));
    Path warehouse = directory.resolve("lake");
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try (Lake writerLake = Lake.open(warehouse); Lake readerLake = Lake.open(warehouse);
        IcebergLakeWriter writer = new IcebergLakeWriter(writerLake)) {
      writer.commit(SOURCE, List.of(insert(ticks, 1, row("id", 1))), position(1));
      AtomicBoolean done = new AtomicBoolean();
      Future<Integer> reads = executor.submit(() -> {
        int count = 0;
        Checkpoints checkpoints = new Checkpoints(readerLake);
        while (!done.get()) {
          assertThat(read(readerLake, Lake.SILVER, "ticks")).isNotEmpty();
          assertThat(checkpoints.read(SOURCE)).isPresent();
          count++;
        }
        return count;
      });
      for (int i = 2; i <= 25; i++) {
        writer.commit(SOURCE, List.of(insert(ticks, i, row("id", i))), position(i));
      }
      done.set(true);
      assertThat(reads.get(60, TimeUnit.SECONDS)).isPositive();
      assertThat(read(readerLake, Lake.SILVER, "ticks")).hasSize(25);
      assertThat(new Checkpoints(readerLake).read(SOURCE).orElseThrow().position()).isEqualTo(position(25));
    } finally {
      executor.shutdownNow();
    }
    try (var files = Files.walk(warehouse)) {
      assertThat(files.filter(file -> file.toString().endsWith(".crc"))).isEmpty();
    }
  }
}
