package io.tributary.sql.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.config.MaintenanceConfig;
import io.tributary.lake.Lake;
import io.tributary.lake.LakeMaintenance;
import io.tributary.lake.TableReport;
import io.tributary.sql.LakeSqlEngine;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction seen through the SQL engine's views and the incremental models that read bronze. */
class CompactedLakeTest {
  private static final String SQL = "SELECT o.client_id, c.name, count(*) AS orders, sum(o.amount) AS total\n"
      + "FROM silver.orders o LEFT JOIN silver.clients c ON c.id = o.client_id GROUP BY o.client_id, c.name";
  private static final MaintenanceConfig CONFIG = new MaintenanceConfig(true, Duration.ofMinutes(5), 2,
      128L * 1024 * 1024, Duration.ofHours(1), 1, Duration.ofDays(1));

  @TempDir Path directory;
  private Lake lake;
  private ChangeLogTables tables;
  private LakeSqlEngine engine;
  private ModelRunner runner;

  @BeforeEach
  void open() {
    lake = Lake.open(directory.resolve("lake"));
    tables = new ChangeLogTables(lake);
    tables.create("orders", SilverTables.ORDERS);
    tables.create("clients", SilverTables.CLIENTS);
    engine = new LakeSqlEngine(lake.catalog());
    runner = new ModelRunner(lake, engine);
  }

  @AfterEach
  void close() {
    engine.close();
    lake.close();
  }

  private static Map<String, Object> order(long id, long client, String amount) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put("client_id", client);
    row.put("status", "new");
    row.put("amount", new BigDecimal(amount));
    return row;
  }

  private List<List<Object>> query(String sql) {
    engine.refresh();
    return engine.query(sql).rows();
  }

  private List<List<Object>> gold(String name) {
    List<List<Object>> rows = new ArrayList<>(SilverTables.rows(lake.catalog().loadTable(
        TableIdentifier.of("gold", name))));
    rows.sort(Comparator.comparing(Object::toString));
    return rows;
  }

  private ModelRunResult run(Model model) {
    ModelRunResult result = runner.run(model);
    assertThat(result.succeeded()).as("%s: %s", model.name(), result.error()).isTrue();
    return result;
  }

  @Test
  void viewsAndIncrementalModelsReadTheSameAfterCompaction() throws IOException {
    Path models = Files.createDirectories(directory.resolve("models"));
    Files.writeString(models.resolve("inc.sql"), "-- materialized: incremental, unique-key: client_id\n"
        + "-- incremental-by: {silver.orders: client_id, silver.clients: id}\n" + SQL);
    Files.writeString(models.resolve("full.sql"), SQL);
    ModelProject project = ModelProject.load(models);
    Model incremental = project.model("inc").orElseThrow();
    Model full = project.model("full").orElseThrow();
    tables.apply("clients", List.of(Map.of("id", 1L, "name", "ana"), Map.of("id", 2L, "name", "bia")), List.of());
    for (int round = 0; round < 4; round++) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        rows.add(order(i * 3L + round, 1 + (i + round) % 2, String.format("%d.%02d", round, i)));
      }
      tables.apply("orders", rows, round > 0 ? List.of(round - 1L) : List.of());
      if (round == 0 || round == 3) {
        run(incremental);
      }
    }
    String silver = "SELECT * FROM silver.orders ORDER BY id";
    String bronze = "SELECT * FROM bronze.orders ORDER BY _position";
    String groups = "SELECT client_id, count(*), sum(amount) FROM silver.orders GROUP BY ALL ORDER BY ALL";
    List<List<Object>> silverBefore = query(silver);
    List<List<Object>> bronzeBefore = query(bronze);
    List<List<Object>> groupsBefore = query(groups);

    List<TableReport> reports = new LakeMaintenance(lake, CONFIG).run(Optional.empty(), false);

    assertThat(reports).filteredOn(report -> report.table().equals("silver.orders")).singleElement()
        .satisfies(report -> {
          assertThat(report.compacted()).isTrue();
          assertThat(report.deleteFilesAfter()).isZero();
        });
    assertThat(reports).filteredOn(report -> report.table().equals("bronze.orders")).singleElement()
        .satisfies(report -> assertThat(report.dataFilesAfter()).isEqualTo(1));
    assertThat(tables.bronze("orders").currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(query(silver)).isEqualTo(silverBefore);
    assertThat(query(bronze)).isEqualTo(bronzeBefore);
    assertThat(query(groups)).isEqualTo(groupsBefore);

    // the incremental model still runs by key over the compacted bronze log, and agrees with a full refresh
    tables.apply("orders", List.of(order(4, 2, "99.00")), List.of(7L));
    ModelRunResult next = run(incremental);
    run(full);
    assertThat(next.recomputedKeys()).as("ran by key, not a fallback to a full refresh").isPresent();
    assertThat(gold("inc")).isEqualTo(gold("full"));
  }
}
