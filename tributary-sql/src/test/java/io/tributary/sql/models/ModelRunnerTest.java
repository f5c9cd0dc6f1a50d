package io.tributary.sql.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.lake.Lake;
import io.tributary.sql.AsOf;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRunnerTest {
  @TempDir Path directory;
  private Lake lake;
  private SilverTables silver;
  private LakeSqlEngine engine;
  private ModelRunner runner;
  private Table orders;
  private Table clients;

  @BeforeEach
  void open() {
    lake = Lake.open(directory.resolve("lake"));
    silver = new SilverTables(lake);
    orders = silver.create("orders", SilverTables.ORDERS);
    clients = silver.create("clients", SilverTables.CLIENTS);
    silver.upsert(clients, List.of(SilverTables.client(clients, 1, "ana"), SilverTables.client(clients, 2, "bia")),
        List.of());
    silver.upsert(orders, List.of(
        SilverTables.order(orders, 10, 1L, "new", "10.50"),
        SilverTables.order(orders, 11, 1L, "paid", "20.00"),
        SilverTables.order(orders, 12, 2L, "new", "5.25")), List.of());
    engine = new LakeSqlEngine(lake.catalog());
    runner = new ModelRunner(lake, engine);
  }

  @AfterEach
  void close() {
    engine.close();
    lake.close();
  }

  private ModelProject project(String... files) throws IOException {
    Path models = Files.createDirectories(directory.resolve("models"));
    for (int i = 0; i < files.length; i += 2) {
      Files.writeString(models.resolve(files[i]), files[i + 1]);
    }
    return ModelProject.load(models);
  }

  private Table gold(String name) {
    return lake.catalog().loadTable(TableIdentifier.of("gold", name));
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparing(Object::toString));
    return copy;
  }

  @Test
  void fullRefreshWritesARealIcebergTableAndReplacesItsRows() throws IOException {
    ModelProject project = project("revenue.sql",
        "SELECT client_id, sum(amount) AS total, count(*) AS orders\nFROM silver.orders\nGROUP BY client_id");
    ModelRunResult first = runner.run(project.models().get(0));
    assertThat(first.outcome()).isEqualTo(ModelRunResult.Outcome.SUCCEEDED);
    assertThat(first.rowsWritten()).isEqualTo(2);

    Table revenue = gold("revenue");
    assertThat(revenue.schema().columns()).extracting(Types.NestedField::name, field -> field.type().toString())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("client_id", "long"),
            org.assertj.core.groups.Tuple.tuple("total", "decimal(38, 2)"),
            org.assertj.core.groups.Tuple.tuple("orders", "long"));
    assertThat(first.snapshotId()).contains(revenue.currentSnapshot().snapshotId());
    assertThat(sorted(SilverTables.rows(revenue))).containsExactly(
        List.of(1L, new BigDecimal("30.50"), 2L), List.of(2L, new BigDecimal("5.25"), 1L));
    try (CloseableIterable<FileScanTask> tasks = revenue.newScan().includeColumnStats().planFiles()) {
      DataFile file = tasks.iterator().next().file();
      assertThat(file.recordCount()).isEqualTo(2);
      assertThat(file.lowerBounds()).containsKey(revenue.schema().findField("client_id").fieldId());
      assertThat(file.nullValueCounts()).containsEntry(revenue.schema().findField("total").fieldId(), 0L);
    }

    silver.upsert(orders, List.of(SilverTables.order(orders, 13, 3L, "new", "1.00")), List.of(10L));
    ModelRunResult second = runner.run(project.models().get(0));
    assertThat(second.rowsWritten()).isEqualTo(3);
    assertThat(second.rowsDeleted()).isEqualTo(2);
    assertThat(sorted(SilverTables.rows(gold("revenue")))).containsExactly(
        List.of(1L, new BigDecimal("20.00"), 1L), List.of(2L, new BigDecimal("5.25"), 1L),
        List.of(3L, new BigDecimal("1.00"), 1L));
    assertThat(engine.query("SELECT sum(orders) AS n FROM gold.revenue").rows().get(0).get(0))
        .hasToString("3");
  }

  @Test
  void aRunInterruptedByAStoppingProcessIsSkippedNotFailed() throws IOException {
    ModelProject project = project("base.sql", "SELECT id, status FROM silver.orders");
    assertThat(runner.run(project.models().get(0)).succeeded()).isTrue();
    List<List<Object>> before = sorted(SilverTables.rows(gold("base")));
    silver.upsert(orders, List.of(SilverTables.order(orders, 14, 3L, "new", "1.00")), List.of());

    Thread.currentThread().interrupt();
    ModelRunResult interrupted;
    try {
      interrupted = runner.run(project.models().get(0));
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(interrupted.outcome()).isEqualTo(ModelRunResult.Outcome.SKIPPED);
    assertThat(interrupted.error()).contains("interrupted: the process is stopping");
    assertThat(runner.lastResults().get("base").outcome()).isEqualTo(ModelRunResult.Outcome.SUCCEEDED);
    assertThat(sorted(SilverTables.rows(gold("base")))).isEqualTo(before);
    assertThat(runner.run(project.models().get(0)).succeeded()).isTrue();
  }

  @Test
  void aFailedModelKeepsThePreviousTableAndSkipsItsDependents() throws IOException {
    ModelProject good = project("base.sql", "SELECT id, status FROM silver.orders",
        "child.sql", "SELECT count(*) AS n FROM gold.base", "other.sql", "SELECT id FROM silver.clients");
    assertThat(runner.runAll(good.models())).allMatch(ModelRunResult::succeeded);
    List<List<Object>> before = sorted(SilverTables.rows(gold("base")));

    ModelProject broken = project("base.sql", "SELECT id, CAST(status AS INTEGER) AS status FROM silver.orders");
    List<ModelRunResult> results = runner.runAll(broken.models());

    assertThat(results).extracting(ModelRunResult::model, ModelRunResult::outcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple("base", ModelRunResult.Outcome.FAILED),
        org.assertj.core.groups.Tuple.tuple("child", ModelRunResult.Outcome.SKIPPED),
        org.assertj.core.groups.Tuple.tuple("other", ModelRunResult.Outcome.SUCCEEDED));
    assertThat(results.get(0).error().orElseThrow()).contains("base.sql").contains("Conversion Error");
    assertThat(results.get(1).error()).contains("skipped: upstream model base failed (fix it and run again)");
    assertThat(sorted(SilverTables.rows(gold("base")))).isEqualTo(before);
    assertThat(runner.lastResults().get("base").outcome()).isEqualTo(ModelRunResult.Outcome.FAILED);
  }

  @Test
  void testsPassAndFailWithCountAndSample() throws IOException {
    ModelProject project = project("o.sql", "SELECT id, client_id, status FROM silver.orders",
        "o.yml", """
        tests:
          - not_null: client_id
          - unique: id
          - accepted_values: {column: status, values: [new, paid]}
          - relationships: {column: client_id, to: silver.clients.id}
          - sql: "SELECT * FROM gold.o WHERE id < 0"
        """);
    Model model = project.models().get(0);
    runner.run(model);
    assertThat(runner.lastTests().get("o")).hasSize(5).allMatch(TestResult::passed);

    silver.upsert(orders, List.of(
        SilverTables.order(orders, 20, null, "lost", "1.00"),
        SilverTables.order(orders, 21, 9L, "new", "1.00"),
        SilverTables.order(orders, -1, 1L, "new", "1.00")), List.of());
    Files.writeString(project.directory().resolve("o.sql"),
        "SELECT id, client_id, status FROM silver.orders UNION ALL SELECT 10, 1, 'new'");
    model = ModelProject.load(project.directory()).models().get(0);
    runner.run(model);
    List<TestResult> tests = runner.lastTests().get("o");
    assertThat(tests).extracting(TestResult::test, TestResult::passed, TestResult::failingRows).containsExactly(
        org.assertj.core.groups.Tuple.tuple("not_null(client_id)", false, 1L),
        org.assertj.core.groups.Tuple.tuple("unique(id)", false, 1L),
        org.assertj.core.groups.Tuple.tuple("accepted_values(status)", false, 1L),
        org.assertj.core.groups.Tuple.tuple("relationships(client_id -> silver.clients.id)", false, 1L),
        org.assertj.core.groups.Tuple.tuple("sql(#1)", false, 1L));
    assertThat(tests.get(0).sample()).containsExactly(java.util.Arrays.asList(20L, null, "lost"));
    assertThat(tests.get(1).sample()).containsExactly(List.of(10L, 2L));
    assertThat(tests.get(2).sample()).containsExactly(java.util.Arrays.asList(20L, null, "lost"));
    assertThat(tests.get(3).sample()).containsExactly(List.of(21L, 9L, "new"));
    assertThat(tests.get(4).sample()).containsExactly(List.of(-1L, 1L, "new"));
  }

  @Test
  void aTestThatCannotRunReportsItsError() throws IOException {
    ModelProject project = project("o.sql", "SELECT id FROM silver.orders", "o.yml", "tests:\n  - not_null: nope\n");
    runner.run(project.models().get(0));
    TestResult result = runner.lastTests().get("o").get(0);
    assertThat(result.passed()).isFalse();
    assertThat(result.error().orElseThrow()).contains("nope");
  }

  @Test
  void incrementalEqualsFullRefreshOverARandomWorkload() throws IOException {
    String sql = "SELECT o.client_id, c.name, count(*) AS orders, sum(o.amount) AS total,\n"
        + "  max(o.status) AS last_status\nFROM silver.orders o LEFT JOIN silver.clients c ON c.id = o.client_id\n"
        + "GROUP BY o.client_id, c.name";
    ModelProject project = project(
        "inc.sql", "-- materialized: incremental, unique-key: client_id\n" + sql,
        "full.sql", sql);
    Model incremental = project.model("inc").orElseThrow();
    Model full = project.model("full").orElseThrow();
    Random random = new Random(42);
    List<String> statuses = List.of("new", "paid", "shipped", "delivered", "cancelled");
    long committedRounds = 0;
    for (int round = 0; round < 12; round++) {
      List<org.apache.iceberg.data.Record> rows = new ArrayList<>();
      List<Long> deletes = new ArrayList<>();
      int changes = round == 5 ? 0 : 1 + random.nextInt(15);
      for (int i = 0; i < changes; i++) {
        long id = random.nextInt(40);
        if (random.nextInt(4) == 0) {
          deletes.add(id);
        } else {
          Long client = random.nextInt(10) == 0 ? null : (long) random.nextInt(8);
          rows.add(SilverTables.order(orders, id, client, statuses.get(random.nextInt(statuses.size())),
              random.nextInt(10000) / 100 + "." + (10 + random.nextInt(90))));
        }
      }
      rows = dedupe(rows, deletes);
      silver.upsert(orders, rows, deletes);
      ModelRunResult inc = runner.run(incremental);
      ModelRunResult fresh = runner.run(full);
      assertThat(inc.succeeded()).as("round %s: %s", round, inc.error()).isTrue();
      assertThat(fresh.succeeded()).isTrue();
      if (inc.rowsWritten() + inc.rowsDeleted() > 0) {
        committedRounds++;
      }
      assertThat(sorted(SilverTables.rows(gold("inc")))).as("round %s", round)
          .isEqualTo(sorted(SilverTables.rows(gold("full"))));
    }
    assertThat(committedRounds).isGreaterThan(5);
    // No change at all commits nothing.
    long snapshot = gold("inc").currentSnapshot().snapshotId();
    ModelRunResult idle = runner.run(incremental);
    assertThat(idle.rowsWritten() + idle.rowsDeleted()).isZero();
    assertThat(gold("inc").currentSnapshot().snapshotId()).isEqualTo(snapshot);
  }

  /** One change per id per round: the last one wins, as silver would hold it. */
  private static List<org.apache.iceberg.data.Record> dedupe(List<org.apache.iceberg.data.Record> rows,
      List<Long> deletes) {
    java.util.Map<Long, org.apache.iceberg.data.Record> byId = new java.util.LinkedHashMap<>();
    rows.forEach(row -> byId.put((Long) row.getField("id"), row));
    deletes.forEach(byId::remove);
    return new ArrayList<>(byId.values());
  }

  @Test
  void incrementalRefusesADuplicateUniqueKey() throws IOException {
    ModelProject project = project("dup.sql",
        "-- materialized: incremental, unique-key: client_id\nSELECT client_id, id FROM silver.orders");
    ModelRunResult result = runner.run(project.models().get(0));
    assertThat(result.outcome()).isEqualTo(ModelRunResult.Outcome.FAILED);
    assertThat(result.error().orElseThrow()).contains("Cannot refresh model dup incrementally: its unique key"
        + " [client_id] is not unique in the result, e.g. [1] x2");
  }

  @Test
  void timeTravelReadsTheEarlierRows() throws Exception {
    ModelProject project = project("o.sql", "SELECT id, status FROM silver.orders");
    ModelRunResult first = runner.run(project.models().get(0));
    Instant between = Instant.ofEpochMilli(gold("o").currentSnapshot().timestampMillis());
    Thread.sleep(5);
    silver.upsert(orders, List.of(SilverTables.order(orders, 10, 1L, "shipped", "1.00")), List.of(11L));
    runner.run(project.models().get(0));
    lake.ensureNamespace("history");
    lake.catalog().createTable(TableIdentifier.of("history", "late"), SilverTables.CLIENTS);

    try (LakeSqlEngine past = new LakeSqlEngine(lake.catalog(), AsOf.timestamp(between))) {
      assertThat(past.query("SELECT id, status FROM gold.o ORDER BY id").rows()).containsExactly(
          List.of(10L, "new"), List.of(11L, "paid"), List.of(12L, "new"));
      assertThat(past.tables()).doesNotContain("history.late").contains("gold.o", "silver.orders");
    }
    try (LakeSqlEngine atSnapshot = new LakeSqlEngine(lake.catalog(), AsOf.snapshot(first.snapshotId().get()))) {
      assertThat(atSnapshot.query("SELECT count(*) FROM gold.o").rows()).containsExactly(List.of(3L));
      assertThat(atSnapshot.query("SELECT count(*) FROM silver.orders").rows()).containsExactly(List.of(2L));
    }
    assertThat(engine.query("SELECT id, status FROM gold.o ORDER BY id").rows()).containsExactly(
        List.of(10L, "shipped"), List.of(12L, "new"));
    assertThatThrownBy(() -> new LakeSqlEngine(lake.catalog(), AsOf.snapshot(123L)))
        .isInstanceOf(QueryException.class)
        .hasMessageStartingWith("Cannot read the lake at snapshot 123: no table has this snapshot");
  }
}
