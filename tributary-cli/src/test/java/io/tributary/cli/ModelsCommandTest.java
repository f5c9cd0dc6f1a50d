package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary models run|test|graph} and {@code tributary query --as-of} over a small lake written by the
 * real lake writer, with a models directory of two models: an incremental one with tests, and one reading it.
 */
class ModelsCommandTest {
  private static final TableSchema ORDERS = new TableSchema(new TableId("shop", "public", "orders"), List.of(
      new Column("id", DataType.of(DataType.Kind.INT64), false),
      new Column("customer", DataType.of(DataType.Kind.STRING), true),
      new Column("amount", DataType.decimal(10, 2), true),
      new Column("status", DataType.of(DataType.Kind.STRING), true)), List.of("id"));
  private static final String BASE_YML = """
      materialized: incremental
      unique-key: [id]
      tests:
        - not_null: id
        - unique: id
        - accepted_values: {column: status, values: [new, paid]}
      """;
  private static final String BASE_SQL = """
      -- Every current order.
      SELECT id, customer, amount, status
      FROM silver.orders
      """;
  private static final String BY_CUSTOMER_SQL = """
      SELECT customer, sum(amount) AS total, count(*) AS orders
      FROM gold.base
      GROUP BY customer
      """;
  private static final String DURATION = "in \\d+(\\.\\d)? (ms|s)";

  @TempDir Path directory;
  private Path warehouse;
  private Path models;
  /** A moment between the first and the second commit. */
  private Instant betweenCommits;
  private long position;

  @BeforeEach
  void writeLakeAndModels() throws Exception {
    warehouse = directory.resolve("lake");
    try (Lake lake = Lake.open(warehouse); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      commit(writer, List.of(
          create(order(1, "ann", "10.00", "new")),
          create(order(2, "bob", "20.00", "paid")),
          create(order(3, "cid", "30.00", "shipped"))));
      Thread.sleep(20);
      betweenCommits = Instant.now();
      Thread.sleep(20);
      commit(writer, List.of(
          change(Operation.UPDATE, order(2, "bob", "20.00", "paid"), order(2, "bob", "25.50", "paid")),
          create(order(4, "ann", "5.00", "new"))));
    }
    models = Files.createDirectories(directory.resolve("models"));
    Files.writeString(models.resolve("base.sql"), BASE_SQL);
    Files.writeString(models.resolve("base.yml"), BASE_YML);
    Files.writeString(models.resolve("by_customer.sql"), BY_CUSTOMER_SQL);
  }

  @Test
  void graphPrintsEachModelWithTheTablesItReadsUpstreamFirst() {
    Result result = run("models", "graph", "--models", models.toString());

    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("gold.base <- silver.orders\ngold.by_customer <- gold.base\n");
    assertThat(result.exit()).isZero();
  }

  @Test
  void runRefreshesEveryModelAndFailsForAFailingTest() throws Exception {
    Result first = run("models", "run", "--lake", warehouse.toString(), "--models", models.toString());

    assertThat(first.err()).isEmpty();
    assertThat(lines(first.out())).containsExactly(
        "SUCCEEDED gold.base: 4 rows written, 0 deleted DURATION",
        "SUCCEEDED gold.by_customer: 3 rows written, 0 deleted DURATION",
        "PASS      base not_null(id)",
        "PASS      base unique(id)",
        "FAIL      base accepted_values(status): 1 failing row, e.g. [3, cid, 30.00, shipped]");
    assertThat(first.exit()).isEqualTo(1);
    assertThat(query("SELECT customer, total, orders FROM gold.by_customer ORDER BY customer")).isEqualTo("""
        customer,total,orders\r
        ann,15.00,2\r
        bob,25.50,1\r
        cid,30.00,1\r
        """);

    Result tests = run("models", "test", "--lake", warehouse.toString(), "--models", models.toString());

    assertThat(tests.err()).isEmpty();
    assertThat(lines(tests.out())).containsExactly(
        "PASS      base not_null(id)",
        "PASS      base unique(id)",
        "FAIL      base accepted_values(status): 1 failing row, e.g. [3, cid, 30.00, shipped]");
    assertThat(tests.exit()).isEqualTo(1);

    // Fix the data: order 3 is paid now, order 1 is gone. The incremental model changes only those keys.
    try (Lake lake = Lake.open(warehouse); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      position = 100;
      commit(writer, List.of(
          change(Operation.UPDATE, order(3, "cid", "30.00", "shipped"), order(3, "cid", "30.00", "paid")),
          change(Operation.DELETE, order(1, "ann", "10.00", "new"), null)));
    }
    Result selected = run("models", "run", "--lake", warehouse.toString(), "--models", models.toString(),
        "--select", "base+");

    assertThat(selected.err()).isEmpty();
    assertThat(lines(selected.out())).containsExactly(
        "SUCCEEDED gold.base: 1 rows written, 2 deleted DURATION",
        "SUCCEEDED gold.by_customer: 3 rows written, 3 deleted DURATION",
        "PASS      base not_null(id)",
        "PASS      base unique(id)",
        "PASS      base accepted_values(status)");
    assertThat(selected.exit()).isZero();
    assertThat(query("SELECT id, customer, amount, status FROM gold.base ORDER BY id")).isEqualTo("""
        id,customer,amount,status\r
        2,bob,25.50,paid\r
        3,cid,30.00,paid\r
        4,ann,5.00,new\r
        """);
    assertThat(query("SELECT customer, total, orders FROM gold.by_customer ORDER BY customer")).isEqualTo("""
        customer,total,orders\r
        ann,5.00,1\r
        bob,25.50,1\r
        cid,30.00,1\r
        """);

    Result downstreamOnly = run("models", "run", "--lake", warehouse.toString(), "--models", models.toString(),
        "--select", "by_customer+");

    assertThat(lines(downstreamOnly.out()))
        .containsExactly("SUCCEEDED gold.by_customer: 3 rows written, 3 deleted DURATION");
    assertThat(downstreamOnly.exit()).isZero();
    Result passing = run("models", "test", "--lake", warehouse.toString(), "--models", models.toString());
    assertThat(passing.out()).doesNotContain("FAIL");
    assertThat(passing.exit()).isZero();
  }

  @Test
  void configurationNamesTheLakeAndTheModelsRelativeToItsFile() throws IOException {
    Path config = directory.resolve("tributary.yaml");
    Files.writeString(config, """
        lake:
          warehouse: %s
        sources:
          shop:
            type: postgres
            host: 127.0.0.1
            database: shop
            user: postgres
            tables: [public.orders]
        models: ./models
        """.formatted(warehouse));

    assertThat(run("models", "graph", "--config", config.toString()).out())
        .isEqualTo("gold.base <- silver.orders\ngold.by_customer <- gold.base\n");
    Result result = run("models", "run", "--config", config.toString(), "--select", "base");

    assertThat(result.err()).isEmpty();
    assertThat(lines(result.out())).startsWith("SUCCEEDED gold.base: 4 rows written, 0 deleted DURATION");
    assertThat(exists("gold", "base")).isTrue();
    assertThat(exists("gold", "by_customer")).isFalse();
  }

  @Test
  void unknownSelectorNamesTheModels() {
    Result result = run("models", "run", "--lake", warehouse.toString(), "--models", models.toString(),
        "--select", "nope+");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo("Error: Invalid model selector 'nope+': no model nope (models: base, by_customer)" + nl());
  }

  @Test
  void cycleIsAnErrorNamingFileAndLine() throws IOException {
    Path cyclic = Files.createDirectories(directory.resolve("cyclic"));
    Files.writeString(cyclic.resolve("a.sql"), "SELECT x\nFROM gold.b\n");
    Files.writeString(cyclic.resolve("b.sql"), "-- reads a\nSELECT x\nFROM silver.orders\nJOIN gold.a USING (id)\n");

    for (String command : List.of("graph", "run")) {
      Result result = run("models", command, "--lake", warehouse.toString(), "--models", cyclic.toString());

      assertThat(result.exit()).as(command).isEqualTo(1);
      assertThat(result.out()).as(command).isEmpty();
      assertThat(result.err()).as(command).isEqualTo("Error: " + cyclic.resolve("a.sql") + ", line 2: Cannot order the"
          + " models: they form a cycle, gold.a reads gold.b reads gold.a (a model cannot depend on itself through"
          + " other models; break the cycle)" + nl());
    }
    assertThat(exists("gold", "a")).isFalse();
  }

  @Test
  void unknownTableIsAnErrorNamingFileAndLine() throws IOException {
    Files.writeString(models.resolve("by_customer.sql"), BY_CUSTOMER_SQL.replace("FROM gold.base",
        "FROM gold.base\nJOIN silver.customers USING (customer)"));

    Result result = run("models", "run", "--lake", warehouse.toString(), "--models", models.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("Error: " + models.resolve("by_customer.sql") + ", line 3: Cannot read table"
        + " silver.customers: it is not in the lake and no model makes it (tables: bronze.orders, history.orders, silver.orders;"
        + " models: gold.base, gold.by_customer)" + nl());
    // Validation comes first: not even the valid model ran.
    assertThat(exists("gold", "base")).isFalse();
  }

  @Test
  void queryAsOfATimeReadsTheLakeAsItWasThen() {
    String earlier = "id,amount\r\n1,10.00\r\n2,20.00\r\n3,30.00\r\n";
    String now = "id,amount\r\n1,10.00\r\n2,25.50\r\n3,30.00\r\n4,5.00\r\n";
    String sql = "SELECT id, amount FROM silver.orders ORDER BY id";

    assertThat(run("query", "--lake", warehouse.toString(), "--format", "csv", sql).out()).isEqualTo(now);
    Result asOf = run("query", "--lake", warehouse.toString(), "--format", "csv", "--as-of", betweenCommits.toString(),
        sql);

    assertThat(asOf.err()).isEmpty();
    assertThat(asOf.out()).isEqualTo(earlier);
    assertThat(asOf.exit()).isZero();

    long firstSnapshot;
    try (Lake lake = Lake.open(warehouse)) {
      Table orders = lake.catalog().loadTable(TableIdentifier.of("silver", "orders"));
      firstSnapshot = java.util.stream.StreamSupport.stream(orders.snapshots().spliterator(), false)
          .filter(snapshot -> snapshot.timestampMillis() < betweenCommits.toEpochMilli())
          .max(java.util.Comparator.comparingLong(Snapshot::timestampMillis))
          .orElseThrow()
          .snapshotId();
    }
    Result atSnapshot = run("query", "--lake", warehouse.toString(), "--format", "csv", "--as-of",
        String.valueOf(firstSnapshot), sql);

    assertThat(atSnapshot.err()).isEmpty();
    assertThat(atSnapshot.out()).isEqualTo(earlier);
    assertThat(atSnapshot.exit()).isZero();
  }

  @Test
  void invalidAsOfSaysWhatToGive() {
    Result result = run("query", "--lake", warehouse.toString(), "--as-of", "yesterday", "SELECT 1");

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith("Invalid value for option '--as-of': Invalid --as-of: yesterday (give a time"
        + " such as 2026-11-24T10:15:00Z, 2026-11-24T10:15:00 or 2026-11-24, or a snapshot id)" + nl());

    Result unknownSnapshot = run("query", "--lake", warehouse.toString(), "--as-of", "123456789", "SELECT 1");

    assertThat(unknownSnapshot.exit()).isEqualTo(1);
    assertThat(unknownSnapshot.out()).isEmpty();
    assertThat(unknownSnapshot.err()).isEqualTo("Error: Cannot read the lake at snapshot 123456789: no table has"
        + " this snapshot (list a table's snapshots with its metadata, or give a timestamp)" + nl());

    Result beforeTheLake = run("query", "--lake", warehouse.toString(), "--as-of", "2000-01-01",
        "SELECT count(*) FROM silver.orders");

    assertThat(beforeTheLake.exit()).isEqualTo(1);
    assertThat(beforeTheLake.err()).isEqualTo("Error: Cannot run query: table silver.orders does not exist as of"
        + " 2000-01-01T00:00:00Z (the lake had no tables yet)" + nl());
  }

  private String query(String sql) {
    Result result = run("query", "--lake", warehouse.toString(), "--format", "csv", sql);
    assertThat(result.err()).as(sql).isEmpty();
    assertThat(result.exit()).as(sql).isZero();
    return result.out();
  }

  private boolean exists(String layer, String table) {
    try (Lake lake = Lake.open(warehouse)) {
      return LakeRows.exists(lake, layer, table);
    }
  }

  /** The output's lines, with run durations replaced by {@code DURATION}. */
  private static List<String> lines(String output) {
    return output.lines().map(line -> line.replaceAll(DURATION, "DURATION")).toList();
  }

  private void commit(IcebergLakeWriter writer, List<ChangeEvent> events) {
    writer.commit("shop", events, position(position));
  }

  private ChangeEvent create(Map<String, Object> after) {
    return change(Operation.CREATE, null, after);
  }

  private ChangeEvent change(Operation operation, Map<String, Object> before, Map<String, Object> after) {
    position++;
    return new ChangeEvent(ORDERS, operation, Optional.ofNullable(before), Optional.ofNullable(after),
        position(position), Instant.parse("2026-01-02T03:04:05Z"), 100 + position);
  }

  private static Map<String, Object> order(long id, String customer, String amount, String status) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("customer", customer);
    row.put("amount", new BigDecimal(amount));
    row.put("status", status);
    return row;
  }

  private static Position position(long n) {
    return new Position(String.format("%012d", n), "lsn-" + n, false);
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(exit, out.toString(), err.toString());
  }

  private static String nl() {
    return System.lineSeparator();
  }

  private record Result(int exit, String out, String err) {}
}
