package io.tributary.lake;

import static io.tributary.lake.Changes.SOURCE;
import static io.tributary.lake.Changes.byKey;
import static io.tributary.lake.Changes.column;
import static io.tributary.lake.Changes.delete;
import static io.tributary.lake.Changes.insert;
import static io.tributary.lake.Changes.position;
import static io.tributary.lake.Changes.read;
import static io.tributary.lake.Changes.row;
import static io.tributary.lake.Changes.schema;
import static io.tributary.lake.Changes.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DataType;
import io.tributary.api.TableSchema;
import io.tributary.api.spi.CommitSummary;
import io.tributary.core.config.CastType;
import io.tributary.core.config.HistoryConfig;
import io.tributary.core.config.Secret;
import io.tributary.core.config.ShapeConfig;
import io.tributary.core.config.TableConfig;
import io.tributary.core.shape.Shaping;
import io.tributary.core.shape.SqlExpressions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapedSilverTest {
  private static final TableSchema CLIENTS = schema("clients", List.of("id"),
      column("id", DataType.Kind.INT64),
      column("name", DataType.Kind.STRING),
      column("idade", DataType.Kind.STRING),
      column("cpf", DataType.Kind.STRING),
      column("notes", DataType.Kind.STRING));
  private static final ShapeConfig SHAPE = new ShapeConfig(Map.of("idade", "age"),
      Map.of("idade", CastType.parse("int").orElseThrow()), List.of("notes"), List.of("cpf"), Map.of(),
      Optional.of(Secret.of("salt")));

  @TempDir
  Path warehouse;

  private Lake lake;
  private IcebergLakeWriter writer;

  @BeforeEach
  void open() {
    lake = Lake.open(warehouse);
    writer = new IcebergLakeWriter(lake, shaping(SHAPE));
  }

  @AfterEach
  void close() {
    writer.close();
    lake.close();
  }

  private static Shaping shaping(ShapeConfig shape) {
    return new Shaping(name -> new TableConfig(name, List.of(), Optional.empty(), Optional.empty(),
        HistoryConfig.DEFAULT, shape), SqlExpressions.NONE);
  }

  private static Map<String, Object> client(long id, String name, String idade, String cpf) {
    return row("id", id, "name", name, "idade", idade, "cpf", cpf, "notes", "n" + id);
  }

  private static String mask(String value) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(("salt" + value).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void silverHoldsShapedRowsAndBronzeTheSourceRows() throws Exception {
    CommitSummary summary = writer.commit(SOURCE, List.of(
        insert(CLIENTS, 1, client(1, "ann", "30", "111")),
        insert(CLIENTS, 2, client(2, "bob", "abc", "222")),
        insert(CLIENTS, 3, client(3, "cid", "41", "333")),
        update(CLIENTS, 4, null, client(1, "ann", "x1", "111")),
        delete(CLIENTS, 5, row("id", 3L))), position(5));

    Table silver = lake.catalog().loadTable(TableIdentifier.of(Lake.SILVER, "clients"));
    assertThat(silver.schema().columns()).extracting(Types.NestedField::name)
        .containsExactly("id", "name", "age", "cpf", "_position", "_commit_ts");
    assertThat(silver.schema().findField("age").type()).isEqualTo(Types.IntegerType.get());
    Map<Object, Record> rows = byKey(read(lake, Lake.SILVER, "clients"), "id");
    assertThat(rows).as("bob never cast, cid deleted").containsOnlyKeys(1L);
    assertThat(rows.get(1L).getField("age")).as("ann's bad update left her previous version").isEqualTo(30);
    assertThat(rows.get(1L).getField("cpf")).isEqualTo(mask("111"));
    assertThat(rows.get(1L).getField("_position")).isEqualTo(position(1).sortKey());

    assertThat(read(lake, Lake.BRONZE, "clients")).hasSize(5)
        .anySatisfy(record -> assertThat(record.getField("idade")).isEqualTo("abc"))
        .filteredOn(record -> !record.getField("_op").equals("d"))
        .allSatisfy(record -> assertThat(record.getField("notes")).as("dropped from silver only").isNotNull());
    List<Record> errors = read(lake, Lake.ERRORS, "clients");
    assertThat(errors).hasSize(2).allSatisfy(record -> {
      assertThat(record.getField(ErrorTables.COLUMN)).isEqualTo("idade");
      assertThat((String) record.getField(ErrorTables.REASON)).startsWith("Cannot cast column idade of table clients to int");
    });
    assertThat(errors).extracting(record -> record.getField(ErrorTables.KEY) + " " + record.getField(ErrorTables.VALUE))
        .containsExactlyInAnyOrder("{\"id\":2} abc", "{\"id\":1} x1");
    assertThat(summary.rowsByTable()).containsEntry("errors.clients", 2L);

    // Redelivered, nothing doubles; fixed at the source, the key flows again.
    writer.commit(SOURCE, List.of(insert(CLIENTS, 2, client(2, "bob", "abc", "222"))), position(5));
    writer.commit(SOURCE, List.of(update(CLIENTS, 6, null, client(2, "bob", "25", "222"))), position(6));
    assertThat(read(lake, Lake.ERRORS, "clients")).hasSize(2);
    assertThat(byKey(read(lake, Lake.SILVER, "clients"), "id").get(2L).getField("age")).isEqualTo(25);
  }

  @Test
  void unchangedValuesOfAShapedTableComeFromBronze() throws Exception {
    writer.commit(SOURCE, List.of(insert(CLIENTS, 1, client(1, "ann", "30", "111"))), position(1));
    writer.commit(SOURCE, List.of(update(CLIENTS, 2, null,
        row("id", 1L, "name", "anne", "idade", "31", "cpf", ChangeEvent.UNAVAILABLE, "notes", ChangeEvent.UNAVAILABLE))),
        position(2));

    Record ann = byKey(read(lake, Lake.SILVER, "clients"), "id").get(1L);
    assertThat(ann.getField("name")).isEqualTo("anne");
    assertThat(ann.getField("cpf")).isEqualTo(mask("111"));
    assertThat(read(lake, Lake.BRONZE, "clients"))
        .filteredOn(record -> record.getField("_position").equals(position(2).sortKey()))
        .singleElement().satisfies(record -> assertThat(record.getField("notes")).isEqualTo("n1"));
  }

  @Test
  void refusesAChangedShapingOnASilverTableThatHasRows() {
    writer.commit(SOURCE, List.of(insert(CLIENTS, 1, client(1, "ann", "30", "111"))), position(1));
    ShapeConfig renamed = new ShapeConfig(Map.of("idade", "years"), SHAPE.cast(), SHAPE.drop(), SHAPE.mask(),
        Map.of(), SHAPE.maskSalt());
    IcebergLakeWriter changed = new IcebergLakeWriter(lake, shaping(renamed));

    assertThatThrownBy(() -> changed.commit(SOURCE, List.of(insert(CLIENTS, 2, client(2, "bob", "3", "2"))), position(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Cannot write changes of shop:public.clients to silver.clients: the shaping "
            + "configured in tables.clients changed since the table was built")
        .hasMessageContaining("rename{idade=age}")
        .hasMessageContaining("rename{idade=years}")
        .hasMessageNotContaining("=salt");
    changed.close();
  }

  @Test
  void aConfiguredColumnTheSourceDoesNotHaveStopsWithTheTableColumnAndKey() {
    IcebergLakeWriter wrong = new IcebergLakeWriter(lake, shaping(new ShapeConfig(Map.of("age", "years"), Map.of(),
        List.of(), List.of(), Map.of(), Optional.empty())));

    assertThatThrownBy(() -> wrong.commit(SOURCE, List.of(insert(CLIENTS, 1, client(1, "ann", "30", "1"))), position(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot shape table clients: tables.clients.rename names column age, which "
            + "shop:public.clients does not have");
    wrong.close();
  }
}
