package io.tributary.sql.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalByTest {
  private static final String SQL = "SELECT o.client_id, c.name, count(*) AS orders, sum(o.amount) AS total,\n"
      + "  max(o.status) AS last_status\nFROM silver.orders o LEFT JOIN silver.clients c ON c.id = o.client_id\n"
      + "GROUP BY o.client_id, c.name";
  private static final String BY_KEY = "-- materialized: incremental, unique-key: client_id\n"
      + "-- incremental-by: {silver.orders: client_id, silver.clients: id}\n";

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

  private List<List<Object>> rows(String name) {
    List<List<Object>> copy = new ArrayList<>(SilverTables.rows(gold(name)));
    copy.sort(Comparator.comparing(Object::toString));
    return copy;
  }

  private static Map<String, Object> order(long id, Long client, String status, String amount) {
    Map<String, Object> row = new HashMap<>();
    row.put("id", id);
    row.put("client_id", client);
    row.put("status", status);
    row.put("amount", new BigDecimal(amount));
    return row;
  }

  private static Map<String, Object> client(long id, String name) {
    return Map.of("id", id, "name", name);
  }

  private ModelRunResult run(Model model) {
    ModelRunResult result = runner.run(model);
    assertThat(result.succeeded()).as("%s: %s", model.name(), result.error()).isTrue();
    return result;
  }

  @Test
  void byKeyEqualsFullRefreshOverARandomWorkload() throws IOException {
    String pairSql = "SELECT client_id, status, count(*) AS orders, sum(amount) AS total FROM silver.orders GROUP BY 1, 2";
    ModelProject project = project("inc.sql", BY_KEY + SQL, "full.sql", SQL,
        "pair.sql", "-- materialized: incremental, unique-key: [client_id, status]\n"
            + "-- incremental-by: {silver.orders: [client_id, status]}\n" + pairSql,
        "pairfull.sql", pairSql);
    Model incremental = project.model("inc").orElseThrow();
    Model full = project.model("full").orElseThrow();
    Model pair = project.model("pair").orElseThrow();
    Model pairFull = project.model("pairfull").orElseThrow();
    Random random = new Random(7);
    List<String> statuses = List.of("new", "paid", "shipped", "delivered", "cancelled");
    // The source rows as they are, to make deletes of existing rows and moves between clients.
    Map<Long, Long> clientOf = new HashMap<>();
    tables.apply("clients", List.of(client(0, "zero"), client(1, "one"), client(2, "two")), List.of());
    int moves = 0;
    int deletes = 0;
    long recomputedRounds = 0;
    for (int round = 0; round < 25; round++) {
      Map<Long, Map<String, Object>> orderRows = new LinkedHashMap<>();
      List<Long> orderDeletes = new ArrayList<>();
      int changes = round % 7 == 6 ? 0 : 1 + random.nextInt(12);
      for (int i = 0; i < changes; i++) {
        long id = random.nextInt(40);
        if (random.nextInt(4) == 0 && clientOf.containsKey(id) && !orderRows.containsKey(id)) {
          if (!orderDeletes.contains(id)) {
            orderDeletes.add(id);
            deletes++;
          }
        } else if (!orderDeletes.contains(id)) {
          Long client = random.nextInt(10) == 0 ? null : (long) random.nextInt(8);
          if (clientOf.containsKey(id) && !java.util.Objects.equals(clientOf.get(id), client)) {
            moves++;
          }
          orderRows.put(id, order(id, client, statuses.get(random.nextInt(statuses.size())),
              random.nextInt(10000) / 100 + "." + (10 + random.nextInt(90))));
        }
      }
      orderRows.forEach((id, row) -> clientOf.put(id, (Long) row.get("client_id")));
      orderDeletes.forEach(clientOf::remove);
      tables.apply("orders", new ArrayList<>(orderRows.values()), orderDeletes);
      if (round % 5 == 3) {
        // Only the status changes: the row moves between (client_id, status) keys of the pair model.
        Long id = clientOf.keySet().stream().sorted().findFirst().orElseThrow();
        tables.apply("orders", List.of(order(id, clientOf.get(id), "moved " + round, "1.00")), List.of());
      }
      if (round % 3 == 1) {
        long id = random.nextInt(8);
        if (random.nextBoolean()) {
          tables.apply("clients", List.of(client(id, "client " + id + " v" + round)), List.of());
        } else {
          tables.apply("clients", List.of(), List.of(id));
        }
      }
      ModelRunResult inc = run(incremental);
      run(full);
      ModelRunResult byPair = run(pair);
      run(pairFull);
      assertThat(rows("inc")).as("round %s", round).isEqualTo(rows("full"));
      assertThat(rows("pair")).as("round %s", round).isEqualTo(rows("pairfull"));
      assertThat(byPair.recomputedKeys().isPresent()).isEqualTo(round > 0);
      if (round > 0) {
        assertThat(inc.recomputedKeys()).as("round %s runs by key", round).isPresent();
        recomputedRounds++;
      } else {
        assertThat(inc.recomputedKeys()).isEmpty();
      }
    }
    assertThat(moves).as("rows moved between groups").isGreaterThan(5);
    assertThat(deletes).as("rows deleted").isGreaterThan(5);
    assertThat(recomputedRounds).isEqualTo(24);
    long snapshot = gold("inc").currentSnapshot().snapshotId();
    ModelRunResult idle = run(incremental);
    assertThat(idle.recomputedKeys()).contains(0L);
    assertThat(idle.rowsWritten() + idle.rowsDeleted()).isZero();
    assertThat(gold("inc").currentSnapshot().snapshotId()).isEqualTo(snapshot);
  }

  @Test
  void recomputesOnlyTheKeysTouchedSinceTheLastRun() throws IOException {
    tables.apply("clients", List.of(client(1, "ana"), client(2, "bia"), client(3, "caio"), client(4, "dora")),
        List.of());
    tables.apply("orders", List.of(order(10, 1L, "new", "10.00"), order(11, 1L, "paid", "5.00"),
        order(12, 2L, "new", "7.00"), order(13, 3L, "new", "1.00"), order(14, 4L, "new", "2.00")), List.of());
    Model model = project("co.sql", BY_KEY + SQL).models().get(0);
    ModelRunResult first = run(model);
    assertThat(first.recomputedKeys()).isEmpty();
    assertThat(first.rowsWritten()).isEqualTo(4);
    assertThat(gold("co").currentSnapshot().summary())
        .containsEntry("tributary.upstream.silver.orders", String.format("1:%016d", 9))
        .containsEntry("tributary.upstream.silver.clients", String.format("1:%016d", 4))
        .containsKey("tributary.upstream.silver.orders.bronze-snapshot");

    // Order 11 moves from client 1 to client 2: both groups change, 3 and 4 are not looked at.
    tables.apply("orders", List.of(order(11, 2L, "paid", "5.00")), List.of());
    ModelRunResult move = run(model);
    assertThat(move.recomputedKeys()).contains(2L);
    assertThat(move.rowsWritten()).isEqualTo(2);
    assertThat(move.rowsDeleted()).isEqualTo(2);
    assertThat(rows("co")).containsExactly(
        List.of(1L, "ana", 1L, new BigDecimal("10.00"), "new"),
        List.of(2L, "bia", 2L, new BigDecimal("12.00"), "paid"),
        List.of(3L, "caio", 1L, new BigDecimal("1.00"), "new"),
        List.of(4L, "dora", 1L, new BigDecimal("2.00"), "new"));

    // A delete whose bronze row carries only the id still finds client 3 through the order's earlier version.
    tables.apply("orders", List.of(), List.of(13L));
    ModelRunResult delete = run(model);
    assertThat(delete.recomputedKeys()).contains(1L);
    assertThat(delete.rowsWritten()).isZero();
    assertThat(delete.rowsDeleted()).isEqualTo(1);
    assertThat(rows("co")).extracting(row -> row.get(0)).containsExactly(1L, 2L, 4L);

    // A renamed client is a key of its own table.
    tables.apply("clients", List.of(client(4, "dora maria")), List.of());
    ModelRunResult rename = run(model);
    assertThat(rename.recomputedKeys()).contains(1L);
    assertThat(rows("co").get(2)).containsExactly(4L, "dora maria", 1L, new BigDecimal("2.00"), "new");
  }

  @Test
  void aChangeThatLeavesTheRowsAsTheyWereStillRecordsThePosition() throws IOException {
    tables.apply("clients", List.of(client(1, "ana")), List.of());
    tables.apply("orders", List.of(order(10, 1L, "new", "10.00")), List.of());
    Model model = project("co.sql", BY_KEY + SQL).models().get(0);
    run(model);
    long before = gold("co").currentSnapshot().snapshotId();
    tables.apply("orders", List.of(order(10, 1L, "new", "10.00")), List.of());
    ModelRunResult same = run(model);
    assertThat(same.recomputedKeys()).contains(1L);
    assertThat(same.rowsWritten() + same.rowsDeleted()).isZero();
    assertThat(gold("co").currentSnapshot().snapshotId()).isNotEqualTo(before);
    assertThat(gold("co").currentSnapshot().summary())
        .containsEntry("tributary.upstream.silver.orders", String.format("1:%016d", 3));
    assertThat(run(model).recomputedKeys()).contains(0L);
  }

  @Test
  void fallsBackToTheWholeQueryWhenTheBronzeLogWasRewritten() throws IOException {
    tables.apply("clients", List.of(client(1, "ana"), client(2, "bia")), List.of());
    tables.apply("orders", List.of(order(10, 1L, "new", "10.00"), order(11, 2L, "new", "1.00")), List.of());
    Model model = project("co.sql", BY_KEY + SQL).models().get(0);
    run(model);
    // A rewrite of bronze (here: a wipe of the orders log) leaves no history to find old values in.
    tables.bronze("orders").newDelete().deleteFromRowFilter(org.apache.iceberg.expressions.Expressions.alwaysTrue())
        .commit();
    tables.apply("orders", List.of(order(12, 1L, "paid", "3.00")), List.of(11L));
    ModelRunResult rewritten = run(model);
    assertThat(rewritten.recomputedKeys()).isEmpty();
    assertThat(rows("co")).containsExactly(List.of(1L, "ana", 2L, new BigDecimal("13.00"), "paid"));

    tables.apply("orders", List.of(order(12, 2L, "paid", "3.00")), List.of());
    ModelRunResult next = run(model);
    assertThat(next.recomputedKeys()).contains(2L);
    assertThat(rows("co")).containsExactly(List.of(1L, "ana", 1L, new BigDecimal("10.00"), "new"),
        List.of(2L, "bia", 1L, new BigDecimal("3.00"), "paid"));
  }

  @Test
  void fallsBackWhenATableIsNotListedHasNoBronzeOrIsGold() throws IOException {
    tables.apply("clients", List.of(client(1, "ana")), List.of());
    tables.apply("orders", List.of(order(10, 1L, "new", "10.00")), List.of());
    SilverTables plain = new SilverTables(lake);
    Table regions = plain.create("regions", SilverTables.CLIENTS);
    plain.upsert(regions, List.of(SilverTables.client(regions, 1, "north")), List.of());
    ModelProject project = project(
        "unlisted.sql", "-- materialized: incremental, unique-key: client_id\n"
            + "-- incremental-by: {silver.orders: client_id}\n"
            + "SELECT o.client_id, count(*) AS n FROM silver.orders o JOIN silver.clients c ON c.id = o.client_id"
            + " GROUP BY 1",
        "nobronze.sql", "-- materialized: incremental, unique-key: id\n"
            + "-- incremental-by: {silver.regions: id}\nSELECT id, name FROM silver.regions",
        "base.sql", "SELECT id, client_id FROM silver.orders",
        "fromgold.sql", "-- materialized: incremental, unique-key: client_id\n"
            + "-- incremental-by: {silver.clients: id}\n"
            + "SELECT c.id AS client_id, count(b.id) AS n FROM silver.clients c LEFT JOIN gold.base b"
            + " ON b.client_id = c.id GROUP BY 1");
    for (int i = 0; i < 2; i++) {
      List<ModelRunResult> results = runner.runAll(project.models());
      assertThat(results).allMatch(ModelRunResult::succeeded).allMatch(result -> result.recomputedKeys().isEmpty());
      tables.apply("orders", List.of(order(11, 1L, "new", "1.00")), List.of());
      plain.upsert(regions, List.of(SilverTables.client(regions, 2, "south")), List.of());
    }
    assertThat(rows("unlisted")).containsExactly(List.of(1L, 2L));
    assertThat(rows("nobronze")).containsExactly(List.of(1L, "north"), List.of(2L, "south"));
    assertThat(rows("fromgold")).containsExactly(List.of(1L, 2L));
  }

  @Test
  void aColumnMissingFromTheSilverTableFailsTheRunAndNamesIt() throws IOException {
    tables.apply("orders", List.of(order(10, 1L, "new", "10.00")), List.of());
    Model model = project("co.sql", "-- materialized: incremental, unique-key: client_id\n"
        + "-- incremental-by: {silver.orders: clientid}\n"
        + "SELECT client_id, count(*) AS n FROM silver.orders GROUP BY 1").models().get(0);
    ModelRunResult result = runner.run(model);
    assertThat(result.outcome()).isEqualTo(ModelRunResult.Outcome.FAILED);
    assertThat(result.error().orElseThrow()).startsWith("Cannot refresh model co: column clientid of incremental-by"
        + " silver.orders is not in silver.orders (columns: id, client_id, status, amount, _position, _commit_ts;"
        + " fix incremental-by)");
  }

  @Test
  void invalidIncrementalBySettingsNameTheFileAndLine() throws IOException {
    Path models = Files.createDirectories(directory.resolve("bad"));
    Files.writeString(models.resolve("a.sql"), "SELECT client_id, count(*) AS n FROM silver.orders GROUP BY 1");
    Files.writeString(models.resolve("a.yml"), "materialized: incremental\nunique-key: client_id\n"
        + "incremental-by: {silver.clients: id}\n");
    assertThatThrownBy(() -> ModelProject.load(models)).hasMessageContaining("a.yml, line 3")
        .hasMessageContaining("Invalid incremental-by table 'silver.clients': the model does not read it"
            + " (it reads silver.orders)");
    Files.writeString(models.resolve("a.yml"), "materialized: incremental\nunique-key: client_id\n"
        + "incremental-by: {silver.orders: [client_id, status]}\n");
    assertThatThrownBy(() -> ModelProject.load(models)).hasMessageContaining("a.yml, line 3")
        .hasMessageContaining("Invalid incremental-by of model a: silver.orders maps to [client_id, status] but"
            + " the unique key is [client_id] (give one column of the table per unique-key column, in the same"
            + " order)");
    Files.writeString(models.resolve("a.yml"), "unique-key: client_id\nincremental-by: {silver.orders: client_id}\n");
    assertThatThrownBy(() -> ModelProject.load(models)).hasMessageContaining("a.yml, line 2")
        .hasMessageContaining("Invalid model a: incremental-by needs materialized: incremental");
    Files.writeString(models.resolve("a.yml"), "materialized: incremental\nunique-key: client_id\n"
        + "incremental-by: {bronze.orders: client_id}\n");
    assertThatThrownBy(() -> ModelProject.load(models)).hasMessageContaining("a.yml, line 3")
        .hasMessageContaining("Invalid incremental-by table 'bronze.orders' (name a silver table");
  }
}
