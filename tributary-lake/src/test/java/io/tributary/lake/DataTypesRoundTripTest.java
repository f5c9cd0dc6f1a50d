package io.tributary.lake;

import static io.tributary.lake.Changes.SOURCE;
import static io.tributary.lake.Changes.column;
import static io.tributary.lake.Changes.insert;
import static io.tributary.lake.Changes.position;
import static io.tributary.lake.Changes.read;
import static io.tributary.lake.Changes.schema;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.DataType;
import io.tributary.api.DataType.Kind;
import io.tributary.api.TableSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTypesRoundTripTest {
  private static final TableSchema ALL = schema("all_types", List.of("id"),
      column("id", Kind.INT64),
      column("flag", Kind.BOOLEAN),
      column("small", Kind.INT16),
      column("number", Kind.INT32),
      column("big", Kind.INT64),
      column("ratio", Kind.FLOAT32),
      column("measure", Kind.FLOAT64),
      column("money", DataType.decimal(38, 10)),
      column("text", Kind.STRING),
      column("doc", Kind.JSON),
      column("day", Kind.DATE),
      column("clock", Kind.TIME),
      column("local_ts", Kind.TIMESTAMP),
      column("instant_ts", Kind.TIMESTAMPTZ),
      column("uid", Kind.UUID),
      column("payload", Kind.BINARY),
      column("numbers", DataType.list(DataType.of(Kind.INT32))),
      column("prices", DataType.list(DataType.decimal(5, 2))));

  @TempDir
  Path warehouse;

  @Test
  void everyKindRoundTripsThroughBronzeSilverAndRaw() throws IOException {
    Map<String, Object> full = new LinkedHashMap<>();
    full.put("id", 1L);
    full.put("flag", true);
    full.put("small", 12);
    full.put("number", 123_456);
    full.put("big", 1_234_567_890_123L);
    full.put("ratio", 1.5f);
    full.put("measure", 2.25d);
    full.put("money", new BigDecimal("1234567890123456789012345678.0123456789"));
    full.put("text", "héllo \"world\"");
    full.put("doc", "{\"a\":[1,2]}");
    full.put("day", LocalDate.of(2024, 2, 29));
    full.put("clock", LocalTime.of(13, 14, 15, 123_456_000));
    full.put("local_ts", LocalDateTime.of(2024, 2, 29, 13, 14, 15, 123_456_000));
    full.put("instant_ts", OffsetDateTime.of(2024, 2, 29, 13, 14, 15, 123_456_000, ZoneOffset.UTC));
    full.put("uid", UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"));
    full.put("payload", ByteBuffer.wrap("bytes\0\1".getBytes(StandardCharsets.ISO_8859_1)));
    full.put("numbers", Arrays.asList(1, null, 3));
    full.put("prices", List.of(new BigDecimal("1.50"), new BigDecimal("999.99")));
    Map<String, Object> empty = new LinkedHashMap<>();
    for (String name : full.keySet()) {
      empty.put(name, null);
    }
    empty.put("id", 2L);

    try (Lake lake = Lake.open(warehouse); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      writer.commit(SOURCE, List.of(insert(ALL, 1, full), insert(ALL, 2, empty)), position(2));

      Table silver = lake.catalog().loadTable(TableIdentifier.of(Lake.SILVER, "all_types"));
      assertThat(silver.schema().findField("money").type()).isEqualTo(Types.DecimalType.of(38, 10));
      assertThat(silver.schema().findField("small").type()).isEqualTo(Types.IntegerType.get());
      assertThat(silver.schema().findField("doc").type()).isEqualTo(Types.StringType.get());
      assertThat(silver.schema().findField("instant_ts").type()).isEqualTo(Types.TimestampType.withZone());
      assertThat(silver.schema().findField("local_ts").type()).isEqualTo(Types.TimestampType.withoutZone());
      assertThat(silver.schema().findField("numbers").type().asListType().isElementOptional()).isTrue();
      assertThat(silver.schema().identifierFieldNames()).containsExactly("id");

      for (String layer : List.of(Lake.BRONZE, Lake.SILVER)) {
        Map<Object, Record> rows = new LinkedHashMap<>();
        for (Record record : read(lake, layer, "all_types")) {
          rows.put(record.getField("id"), record);
        }
        assertThat(rows).containsOnlyKeys(1L, 2L);
        for (Map.Entry<String, Object> entry : full.entrySet()) {
          assertThat(rows.get(1L).getField(entry.getKey())).as(layer + " " + entry.getKey())
              .isEqualTo(entry.getValue());
          if (!entry.getKey().equals("id")) {
            assertThat(rows.get(2L).getField(entry.getKey())).as(layer + " null " + entry.getKey()).isNull();
          }
        }
      }
    }

    List<String> lines;
    try (Stream<Path> files = Files.walk(warehouse.resolve("raw").resolve(SOURCE).resolve("all_types"))) {
      Path file = files.filter(Files::isRegularFile).findFirst().orElseThrow();
      lines = Files.readAllLines(file);
    }
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"money\":1234567890123456789012345678.0123456789")
        .contains("\"prices\":[1.50,999.99]");
    JsonNode after = new ObjectMapper().readTree(lines.get(0)).get("after");
    assertThat(after.get("payload").asText()).isEqualTo("Ynl0ZXMAAQ==");
    assertThat(after.get("day").asText()).isEqualTo("2024-02-29");
    assertThat(after.get("clock").asText()).isEqualTo("13:14:15.123456");
    assertThat(after.get("local_ts").asText()).isEqualTo("2024-02-29T13:14:15.123456");
    assertThat(after.get("instant_ts").asText()).isEqualTo("2024-02-29T13:14:15.123456Z");
    assertThat(after.get("uid").asText()).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
    assertThat(after.get("numbers").toString()).isEqualTo("[1,null,3]");
    assertThat(after.get("flag").asBoolean()).isTrue();
    assertThat(after.get("doc").asText()).isEqualTo("{\"a\":[1,2]}");
    assertThat(new ObjectMapper().readTree(lines.get(1)).get("after").get("money").isNull()).isTrue();
  }
}
