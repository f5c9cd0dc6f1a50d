package io.tributary.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeSqlEngineTest {
  private static final Schema ORDERS = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "customer", Types.StringType.get()),
      Types.NestedField.optional(3, "amount", Types.DecimalType.of(12, 2)));
  private static final List<String> KEY = List.of("id");

  @TempDir Path directory;
  private TestLake lake;

  @BeforeEach
  void openLake() {
    lake = new TestLake(directory);
  }

  @AfterEach
  void closeLake() throws Exception {
    lake.close();
  }

  @Test
  void upsertsWithEqualityDeletesOverSeveralCommitsMatchIcebergsRead() {
    Table orders = lake.create("silver", "orders", ORDERS);
    lake.append(orders,
        List.of(order(orders, 1, "ana", "10.00"), order(orders, 2, "bia", "20.00"), order(orders, 3, "caio", "30.00")),
        List.of(order(orders, 4, "duda", "40.00"), order(orders, 5, "eva", "50.00")));
    lake.upsert(orders, KEY, List.of(order(orders, 2, "bia", "21.00"), order(orders, 3, "caio", "31.00")));
    lake.upsert(orders, KEY, List.of(order(orders, 3, "caio", "32.00"), order(orders, 6, "fabio", "60.00")));
    lake.deleteKeys(orders, KEY, List.of(order(orders, 4, null, null)));
    lake.append(orders, List.of(order(orders, 7, "gil", "70.00")));

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      QueryResult result = engine.query("SELECT * FROM silver.orders ORDER BY id");

      assertThat(result.columnNames()).containsExactly("id", "customer", "amount");
      assertThat(result.columnTypes()).containsExactly("BIGINT", "VARCHAR", "DECIMAL(12,2)");
      assertThat(result.rows()).containsExactly(
          List.of(1L, "ana", new BigDecimal("10.00")),
          List.of(2L, "bia", new BigDecimal("21.00")),
          List.of(3L, "caio", new BigDecimal("32.00")),
          List.of(5L, "eva", new BigDecimal("50.00")),
          List.of(6L, "fabio", new BigDecimal("60.00")),
          List.of(7L, "gil", new BigDecimal("70.00")));
      assertThat(result.rows()).containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(orders));
    }
  }

  @Test
  void aKeyDeletedAndWrittenAgainInLaterCommitsIsVisibleOnce() {
    Table orders = lake.create("silver", "orders", ORDERS);
    lake.append(orders, List.of(order(orders, 1, "ana", "10.00")));
    lake.deleteKeys(orders, KEY, List.of(order(orders, 1, null, null)));
    lake.upsert(orders, KEY, List.of(order(orders, 1, "ana", "11.00")));

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      assertThat(engine.query("SELECT * FROM silver.orders").rows())
          .containsExactly(List.of(1L, "ana", new BigDecimal("11.00")))
          .containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(orders));
    }
  }

  @Test
  void positionDeletesRemoveExactlyTheirRows() {
    Table orders = lake.create("bronze", "orders", ORDERS);
    List<DataFile> files = lake.append(orders,
        List.of(order(orders, 1, "a", "1.00"), order(orders, 2, "b", "2.00"), order(orders, 3, "c", "3.00"),
            order(orders, 4, "d", "4.00"), order(orders, 5, "e", "5.00")),
        List.of(order(orders, 6, "f", "6.00"), order(orders, 7, "g", "7.00")));
    lake.deletePositions(orders, files.get(0), 1, 3);
    lake.deletePositions(orders, files.get(1), 0);

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      QueryResult result = engine.query("SELECT id FROM bronze.orders ORDER BY id");
      assertThat(result.rows()).containsExactly(List.of(1L), List.of(3L), List.of(5L), List.of(7L));
      assertThat(engine.query("SELECT * FROM bronze.orders").rows())
          .containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(orders));
    }
  }

  @Test
  void columnsAddedOrRenamedLaterAreMatchedByFieldId() {
    Table orders = lake.create("silver", "orders", ORDERS);
    lake.append(orders, List.of(order(orders, 1, "ana", "10.00"), order(orders, 2, "bia", "20.00")));
    orders.updateSchema().addColumn("note", Types.StringType.get()).commit();
    orders.updateSchema().renameColumn("customer", "client").commit();
    orders.refresh();
    Record three = GenericRecord.create(orders.schema())
        .copy(Map.of("id", 3L, "client", "caio", "amount", new BigDecimal("30.00"), "note", "vip"));
    Record twoAgain = GenericRecord.create(orders.schema())
        .copy(Map.of("id", 2L, "client", "bia", "amount", new BigDecimal("22.00"), "note", "late"));
    lake.append(orders, List.of(three));
    lake.upsert(orders, KEY, List.of(twoAgain));

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      QueryResult result = engine.query("SELECT * FROM silver.orders ORDER BY id");

      assertThat(result.columnNames()).containsExactly("id", "client", "amount", "note");
      assertThat(result.columnTypes()).containsExactly("BIGINT", "VARCHAR", "DECIMAL(12,2)", "VARCHAR");
      assertThat(result.rows()).containsExactly(
          Arrays.asList(1L, "ana", new BigDecimal("10.00"), null),
          Arrays.asList(2L, "bia", new BigDecimal("22.00"), "late"),
          Arrays.asList(3L, "caio", new BigDecimal("30.00"), "vip"));
      assertThat(result.rows()).containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(orders));
    }
  }

  @Test
  void typePromotionReadsOldFilesAsTheWiderType() {
    Schema schema = new Schema(
        Types.NestedField.required(1, "id", Types.IntegerType.get()),
        Types.NestedField.optional(2, "ratio", Types.FloatType.get()));
    Table table = lake.create("bronze", "measures", schema);
    lake.append(table, List.of(GenericRecord.create(schema).copy(Map.of("id", 1, "ratio", 0.5f))));
    table.updateSchema().updateColumn("id", Types.LongType.get()).updateColumn("ratio", Types.DoubleType.get())
        .commit();

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      QueryResult result = engine.query("SELECT * FROM bronze.measures");
      assertThat(result.columnTypes()).containsExactly("BIGINT", "DOUBLE");
      assertThat(result.rows()).containsExactly(List.of(1L, 0.5d))
          .containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(table));
    }
  }

  @Test
  void everyTypeReadsAsIcebergReadsIt() {
    Table table = lake.create("silver", "everything", ALL_TYPES);
    Map<String, Object> full = new HashMap<>();
    full.put("id", 1L);
    full.put("flag", true);
    full.put("small", 42);
    full.put("big", 9_000_000_000L);
    full.put("ratio", 1.5f);
    full.put("score", 2.25d);
    full.put("price", new BigDecimal("12345678901234567890.12"));
    full.put("name", "ação, \"quoted\"\nline");
    full.put("day", LocalDate.of(2024, 2, 29));
    full.put("at_time", LocalTime.of(23, 59, 58, 123_456_000));
    full.put("local_ts", LocalDateTime.of(2024, 5, 1, 10, 15, 30, 123_456_000));
    full.put("zoned_ts", OffsetDateTime.of(2024, 5, 1, 10, 15, 30, 0, ZoneOffset.ofHours(-3)));
    full.put("uid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
    full.put("payload", ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xff}));
    full.put("tags", List.of("a", "b"));
    Record empty = GenericRecord.create(ALL_TYPES);
    empty.setField("id", 2L);
    lake.append(table, List.of(GenericRecord.create(ALL_TYPES).copy(full), empty));
    lake.upsert(table, KEY, List.of(GenericRecord.create(ALL_TYPES).copy(withId(full, 3L))));

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      QueryResult result = engine.query("SELECT * FROM silver.everything ORDER BY id");

      assertThat(result.columnTypes()).containsExactlyElementsOf(ALL_DUCKDB_TYPES);
      assertThat(TestLake.comparableRows(result))
          .containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(table));
      List<Object> first = result.rows().get(0);
      assertThat(first.get(6)).isEqualTo(new BigDecimal("12345678901234567890.12"));
      assertThat(first.get(11)).isEqualTo(OffsetDateTime.of(2024, 5, 1, 13, 15, 30, 0, ZoneOffset.UTC));
      assertThat((byte[]) first.get(13)).containsExactly(0, 1, 0xff);
      assertThat(result.rows().get(1).subList(1, 15)).containsOnlyNulls();
    }
  }

  @Test
  void anEmptyTableIsATypedEmptyView() {
    lake.create("silver", "everything", ALL_TYPES);

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      QueryResult result = engine.query("SELECT * FROM silver.everything");

      assertThat(result.rows()).isEmpty();
      assertThat(result.columnNames()).containsExactlyElementsOf(
          ALL_TYPES.columns().stream().map(Types.NestedField::name).toList());
      assertThat(result.columnTypes()).containsExactlyElementsOf(ALL_DUCKDB_TYPES);
    }
  }

  @Test
  void aTableWhoseRowsAreAllDeletedIsEmptyWithItsColumns() {
    Table orders = lake.create("silver", "orders", ORDERS);
    lake.append(orders, List.of(order(orders, 1, "ana", "10.00")));
    lake.deleteKeys(orders, KEY, List.of(order(orders, 1, null, null)));

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      QueryResult result = engine.query("SELECT * FROM silver.orders");
      assertThat(result.rows()).isEmpty();
      assertThat(result.columnNames()).containsExactly("id", "customer", "amount");
    }
  }

  @Test
  void equalityDeletesOfAPartitionLeaveOtherPartitionsAlone() {
    Schema schema = new Schema(
        Types.NestedField.required(1, "id", Types.LongType.get()),
        Types.NestedField.required(2, "region", Types.StringType.get()),
        Types.NestedField.optional(3, "amount", Types.IntegerType.get()));
    Table table = lake.create("silver", "sales", schema, PartitionSpec.builderFor(schema).identity("region").build());
    lake.append(table, List.of(sale(schema, 1, "north", 10)), List.of(sale(schema, 1, "south", 20)));
    lake.upsert(table, KEY, List.of(sale(schema, 1, "north", 11)));

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      assertThat(engine.query("SELECT id, region, amount FROM silver.sales ORDER BY region").rows())
          .containsExactly(List.of(1L, "north", 11), List.of(1L, "south", 20))
          .containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(table));
    }
  }

  @Test
  void readsWarehousesWhoseLocationsAreFileUris(@TempDir Path other) throws Exception {
    try (TestLake uriLake = new TestLake(other, "file:" + other.resolve("warehouse"))) {
      Table orders = uriLake.create("silver", "orders", ORDERS);
      List<DataFile> files = uriLake.append(orders,
          List.of(order(orders, 1, "ana", "10.00"), order(orders, 2, "bia", "20.00")));
      assertThat(files.get(0).location()).startsWith("file:");
      uriLake.deletePositions(orders, files.get(0), 0);
      uriLake.upsert(orders, KEY, List.of(order(orders, 2, "bia", "21.00")));

      try (LakeSqlEngine engine = new LakeSqlEngine(uriLake.catalog)) {
        assertThat(engine.query("SELECT * FROM silver.orders").rows())
            .containsExactly(List.of(2L, "bia", new BigDecimal("21.00")))
            .containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(orders));
      }
    }
  }

  @Test
  void refreshSeesNewSnapshotsNewTablesAndDroppedTables() {
    Table orders = lake.create("silver", "orders", ORDERS);
    lake.append(orders, List.of(order(orders, 1, "ana", "10.00")));
    lake.create("bronze", "orders", ORDERS);
    lake.create("_tributary", "checkpoints", ORDERS);

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      assertThat(engine.tables()).containsExactly("bronze.orders", "silver.orders");
      lake.upsert(orders, KEY, List.of(order(orders, 1, "ana", "12.00")));
      Table customers = lake.create("silver", "customers", ORDERS);
      lake.append(customers, List.of(order(customers, 9, "zoe", "0.00")));
      lake.catalog.dropTable(TableIdentifier.of(Namespace.of("bronze"), "orders"));

      assertThat(engine.query("SELECT amount FROM silver.orders").rows())
          .containsExactly(List.of(new BigDecimal("10.00")));
      engine.refresh();

      assertThat(engine.tables()).containsExactly("silver.customers", "silver.orders");
      assertThat(engine.query("SELECT amount FROM silver.orders").rows())
          .containsExactly(List.of(new BigDecimal("12.00")));
      assertThat(engine.query("SELECT id FROM silver.customers").rows()).containsExactly(List.of(9L));
      assertThatThrownBy(() -> engine.query("SELECT * FROM bronze.orders"))
          .isInstanceOf(QueryException.class)
          .hasMessage("Cannot run query: table bronze.orders does not exist"
              + " (tables: silver.customers, silver.orders)");
    }
  }

  @Test
  void refreshSeesSchemaChangesWithoutNewSnapshotsAndRecreatedTables() {
    Table orders = lake.create("silver", "orders", ORDERS);
    lake.append(orders, List.of(order(orders, 1, "ana", "10.00")));
    Table empty = lake.create("silver", "empty", ORDERS);

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      orders.updateSchema().addColumn("note", Types.StringType.get()).commit();
      lake.catalog.dropTable(TableIdentifier.of(Namespace.of("silver"), "empty"));
      lake.create("silver", "empty", new Schema(Types.NestedField.optional(1, "other", Types.DateType.get())));
      engine.refresh();

      assertThat(engine.query("SELECT * FROM silver.orders").rows())
          .containsExactly(Arrays.asList(1L, "ana", new BigDecimal("10.00"), null));
      QueryResult recreated = engine.query("SELECT * FROM silver.empty");
      assertThat(recreated.columnNames()).containsExactly("other");
      assertThat(recreated.columnTypes()).containsExactly("DATE");
    }
  }

  @Test
  void anUnknownTableIsReportedWithTheTablesThatExist() {
    lake.create("silver", "orders", ORDERS);
    lake.create("bronze", "orders", ORDERS);

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      assertThatThrownBy(() -> engine.query("SELECT *\nFROM silver.order WHERE id = 1"))
          .isInstanceOf(QueryException.class)
          .hasMessage("Cannot run query: table silver.order does not exist (tables: bronze.orders, silver.orders)");
      assertThatThrownBy(() -> engine.query("SELECT * FROM gold.totals"))
          .hasMessage("Cannot run query: table gold.totals does not exist (tables: bronze.orders, silver.orders)");
      assertThatThrownBy(() -> engine.query("select * from \"silver\".\"Order\""))
          .hasMessage("Cannot run query: table silver.Order does not exist (tables: bronze.orders, silver.orders)");
    }
  }

  @Test
  void otherSqlErrorsNameTheQuerysFirstLine() {
    lake.create("silver", "orders", ORDERS);

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      assertThatThrownBy(() -> engine.query("SELECT nope\nFROM silver.orders"))
          .isInstanceOf(QueryException.class)
          .hasMessageStartingWith("Cannot run query 'SELECT nope': Binder Error: Referenced column \"nope\" not found");
      assertThatThrownBy(() -> engine.query("SELEC 1"))
          .hasMessageStartingWith("Cannot run query 'SELEC 1': Parser Error: syntax error at or near \"SELEC\"");
      // The connection survives failed statements.
      assertThat(engine.query("SELECT count(*) AS n FROM silver.orders").rows()).containsExactly(List.of(0L));
    }
  }

  @Test
  void theConnectionSeesTheLakeViews() throws Exception {
    Table orders = lake.create("silver", "orders", ORDERS);
    lake.append(orders, List.of(order(orders, 1, "ana", "10.00")));

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog);
        var statement = engine.connection().createStatement()) {
      statement.execute("CREATE SCHEMA gold");
      statement.execute("CREATE TABLE gold.totals AS SELECT sum(amount) AS total FROM silver.orders");
      assertThat(engine.query("SELECT total FROM gold.totals").rows())
          .containsExactly(List.of(new BigDecimal("10.00")));
    }
  }

  @Test
  void aViewOverTwentyFilesWithDeletesBuildsQuickly() {
    Table orders = lake.create("silver", "orders", ORDERS);
    for (int commit = 0; commit < 10; commit++) {
      List<Record> rows = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        long id = commit * 500L + i;
        rows.add(order(orders, id, "c" + id, commit + ".00"));
      }
      lake.upsert(orders, KEY, rows);
      DataFile extra = lake.append(orders, List.of(order(orders, 100_000L + commit, "x", "1.00"))).get(0);
      if (commit % 3 == 0) {
        lake.deletePositions(orders, extra, 0);
      }
    }

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      lake.deleteKeys(orders, KEY, List.of(order(orders, 0L, null, null)));
      long start = System.nanoTime();
      engine.refresh();
      long millis = (System.nanoTime() - start) / 1_000_000;
      QueryResult count = engine.query("SELECT count(*), count(DISTINCT id), max(amount) FROM silver.orders");

      assertThat(millis).as("refresh time in ms").isLessThan(1000);
      assertThat(count.rows()).containsExactly(List.of(5_505L, 5_505L, new BigDecimal("9.00")));
      assertThat(TestLake.comparableRows(engine.query("SELECT * FROM silver.orders")))
          .containsExactlyInAnyOrderElementsOf(TestLake.icebergRows(orders));
    }
  }

  private static final Schema ALL_TYPES = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "flag", Types.BooleanType.get()),
      Types.NestedField.optional(3, "small", Types.IntegerType.get()),
      Types.NestedField.optional(4, "big", Types.LongType.get()),
      Types.NestedField.optional(5, "ratio", Types.FloatType.get()),
      Types.NestedField.optional(6, "score", Types.DoubleType.get()),
      Types.NestedField.optional(7, "price", Types.DecimalType.of(38, 2)),
      Types.NestedField.optional(8, "name", Types.StringType.get()),
      Types.NestedField.optional(9, "day", Types.DateType.get()),
      Types.NestedField.optional(10, "at_time", Types.TimeType.get()),
      Types.NestedField.optional(11, "local_ts", Types.TimestampType.withoutZone()),
      Types.NestedField.optional(12, "zoned_ts", Types.TimestampType.withZone()),
      Types.NestedField.optional(13, "uid", Types.UUIDType.get()),
      Types.NestedField.optional(14, "payload", Types.BinaryType.get()),
      Types.NestedField.optional(15, "tags", Types.ListType.ofOptional(16, Types.StringType.get())));
  private static final List<String> ALL_DUCKDB_TYPES = List.of("BIGINT", "BOOLEAN", "INTEGER", "BIGINT", "FLOAT",
      "DOUBLE", "DECIMAL(38,2)", "VARCHAR", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "UUID", "BLOB",
      "VARCHAR[]");

  private static Map<String, Object> withId(Map<String, Object> values, long id) {
    Map<String, Object> copy = new HashMap<>(values);
    copy.put("id", id);
    return copy;
  }

  private static Record order(Table table, long id, String customer, String amount) {
    Record record = GenericRecord.create(table.schema());
    record.setField("id", id);
    record.setField("customer", customer);
    record.setField("amount", amount == null ? null : new BigDecimal(amount));
    return record;
  }

  private static Record sale(Schema schema, long id, String region, int amount) {
    return GenericRecord.create(schema).copy(Map.of("id", id, "region", region, "amount", amount));
  }
}
