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
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary query} and {@code tributary status} over a small lake written by the real lake writer. */
class QueryCommandTest {
  private static final TableSchema ORDERS = new TableSchema(new TableId("shop", "public", "orders"), List.of(
      new Column("id", DataType.of(DataType.Kind.INT64), false),
      new Column("customer", DataType.of(DataType.Kind.STRING), true),
      new Column("amount", DataType.decimal(10, 2), true),
      new Column("placed", DataType.of(DataType.Kind.DATE), true),
      new Column("note", DataType.of(DataType.Kind.STRING), true)), List.of("id"));
  private static final String SELECT_ORDERS =
      "SELECT id, customer, amount, placed, note FROM silver.orders ORDER BY id";

  @TempDir static Path warehouse;

  @BeforeAll
  static void writeLake() {
    try (Lake lake = Lake.open(warehouse); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      writer.commit("shop", List.of(
          change(Operation.CREATE, 1, null, order(1, "ann", "10.00", "2024-02-29", "a, \"quoted\" note")),
          change(Operation.CREATE, 2, null, order(2, "bob", "20.00", "2024-03-01", null)),
          change(Operation.CREATE, 3, null, order(3, "cid", "30.00", "2024-03-02", "gone soon"))), position(3));
      writer.commit("shop", List.of(
          change(Operation.UPDATE, 4, order(2, "bob", "20.00", "2024-03-01", null),
              order(2, "bob", "25.50", "2024-03-01", null)),
          change(Operation.DELETE, 5, order(3, "cid", "30.00", "2024-03-02", "gone soon"), null),
          change(Operation.CREATE, 6, null, order(4, "Zoë", "-0.05", null, ""))), position(6));
    }
  }

  @Test
  void csv() {
    Result result = run("query", "--lake", warehouse.toString(), "--format", "csv", SELECT_ORDERS);

    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("""
        id,customer,amount,placed,note\r
        1,ann,10.00,2024-02-29,"a, ""quoted"" note"\r
        2,bob,25.50,2024-03-01,\r
        4,Zoë,-0.05,,""\r
        """);
    assertThat(result.exit()).isZero();
  }

  @Test
  void json() {
    Result result = run("query", "--lake", warehouse.toString(), "--format", "json", SELECT_ORDERS);

    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("""
        [
          {"id":1,"customer":"ann","amount":10.00,"placed":"2024-02-29","note":"a, \\"quoted\\" note"},
          {"id":2,"customer":"bob","amount":25.50,"placed":"2024-03-01","note":null},
          {"id":4,"customer":"Zoë","amount":-0.05,"placed":null,"note":""}
        ]
        """);
    assertThat(result.exit()).isZero();
  }

  @Test
  void tableIsTheDefaultFormat() {
    Result result = run("query", "--lake", warehouse.toString(), SELECT_ORDERS);

    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("""
        id | customer | amount | placed     | note
        ---+----------+--------+------------+-----------------
         1 | ann      |  10.00 | 2024-02-29 | a, "quoted" note
         2 | bob      |  25.50 | 2024-03-01 | NULL
         4 | Zoë      |  -0.05 | NULL       |
        (3 rows)
        """);
    assertThat(result.exit()).isZero();
    assertThat(run("query", "--lake", warehouse.toString(), "--format", "TABLE", SELECT_ORDERS).out())
        .isEqualTo(result.out());
  }

  @Test
  void bronzeHoldsEveryChange() {
    Result result = run("query", "--lake", warehouse.toString(), "--format", "csv",
        "SELECT _op, count(*) AS changes, max(_position) AS last FROM bronze.orders GROUP BY _op ORDER BY _op");

    assertThat(result.out())
        .isEqualTo("_op,changes,last\r\nc,4,000000000006\r\nd,1,000000000005\r\nu,1,000000000004\r\n");
    assertThat(result.exit()).isZero();
  }

  @Test
  void unknownTableListsTheTables() {
    Result result = run("query", "--lake", warehouse.toString(), "SELECT * FROM silver.customers");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo(
        "Error: Cannot run query: table silver.customers does not exist (tables: bronze.orders, history.orders, silver.orders)" + nl());
  }

  @Test
  void missingLakeDirectoryIsNamed(@TempDir Path empty) {
    Path missing = empty.resolve("no-lake-here");

    Result result = run("query", "--lake", missing.toString(), "SELECT 1");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("Error: Cannot query lake " + missing
        + ": no such directory (give the warehouse with --lake DIR)" + nl());
    assertThat(missing).doesNotExist();
  }

  @Test
  void directoryWithoutLakeIsRefusedAndLeftAlone(@TempDir Path notALake) throws IOException {
    Result result = run("query", "--lake", notALake.toString(), "SELECT 1");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("Error: Cannot query lake " + notALake
        + ": it has no catalog.db, so it holds no lake"
        + " (give the warehouse with --lake DIR: the directory with catalog.db in it)" + nl());
    try (Stream<Path> files = Files.list(notALake)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void statusShowsCheckpointAndTables() {
    Result result = run("status", "--lake", warehouse.toString());

    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .startsWith("Sources" + nl() + "  shop             position 000000000006, committed ")
        .endsWith("Tables" + nl()
            + "  bronze.orders                               6 rows" + nl()
            + "  history.orders                              4 rows" + nl()
            + "  silver.orders                               3 rows" + nl()
            + "Checks" + nl()
            + "  (none yet: run tributary check, or set checks.interval)" + nl()
            + "Alerts" + nl()
            + "  (no pipeline has run with alerts on this lake)" + nl()
            + "No failing checks, tests or active alerts" + nl());
    assertThat(result.exit()).isZero();
  }

  @Test
  void unknownFormatNamesTheAllowedOnes() {
    Result result = run("query", "--lake", warehouse.toString(), "--format", "xml", SELECT_ORDERS);

    assertThat(result.exit()).isNotZero();
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("Error: Invalid result format 'xml' (use one of: table, csv, json)" + nl());
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

  private static Map<String, Object> order(long id, String customer, String amount, String placed, String note) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("customer", customer);
    row.put("amount", new BigDecimal(amount));
    row.put("placed", placed == null ? null : LocalDate.parse(placed));
    row.put("note", note);
    return row;
  }

  private static ChangeEvent change(Operation operation, long position, Map<String, Object> before,
      Map<String, Object> after) {
    return new ChangeEvent(ORDERS, operation, Optional.ofNullable(before), Optional.ofNullable(after),
        position(position), Instant.parse("2026-01-02T03:04:05Z"), 100 + position);
  }

  private static Position position(long n) {
    return new Position(String.format("%012d", n), "lsn-" + n, false);
  }

  private record Result(int exit, String out, String err) {}
}
