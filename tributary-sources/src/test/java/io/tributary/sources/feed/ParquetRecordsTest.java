package io.tributary.sources.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.parquet.schema.LogicalTypeAnnotation.dateType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.decimalType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Parquet file dropped into a folder, read row by row as the files source reads it. */
class ParquetRecordsTest {
  private static final MessageType SCHEMA = Types.buildMessage()
      .required(INT64).named("id")
      .optional(BINARY).as(stringType()).named("name")
      .optional(INT32).named("visits")
      .optional(DOUBLE).named("score")
      .optional(BOOLEAN).named("active")
      .optional(INT64).as(decimalType(2, 12)).named("amount")
      .optional(INT32).as(dateType()).named("born")
      .optional(INT64).as(timestampType(true, TimeUnit.MICROS)).named("seen_at")
      .optional(INT64).as(timestampType(false, TimeUnit.MILLIS)).named("local_at")
      .named("users");

  @TempDir
  Path directory;

  @Test
  void everyRowIsReadWithItsTypesAndNumberedFromOne() throws Exception {
    Path file = directory.resolve("users.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(SCHEMA).build()) {
      writer.write(groups.newGroup().append("id", 1L).append("name", "Ana").append("visits", 3)
          .append("score", 2.5).append("active", true).append("amount", 123456L)
          .append("born", (int) LocalDate.parse("1990-05-17").toEpochDay())
          .append("seen_at", 1_764_583_200_123_456L).append("local_at", 1_764_583_200_789L));
      // every optional column absent
      writer.write(groups.newGroup().append("id", 2L));
      writer.write(groups.newGroup().append("id", 3L).append("name", "Rui").append("amount", -5L)
          .append("born", (int) LocalDate.parse("1969-12-31").toEpochDay()).append("seen_at", -1L));
    }

    List<FileRecords.Item> items = new ArrayList<>();
    try (ParquetRecords records = ParquetRecords.open(file)) {
      for (FileRecords.Item item = records.next(); item != null; item = records.next()) {
        items.add(item);
      }
    }

    assertThat(items).extracting(FileRecords.Item::line).containsExactly(1, 2, 3);
    assertThat(items).extracting(FileRecords.Item::error).containsOnlyNulls();
    assertThat(items.get(0).values()).containsExactly(
        Map.entry("id", 1L),
        Map.entry("name", "Ana"),
        Map.entry("visits", 3),
        Map.entry("score", 2.5),
        Map.entry("active", true),
        Map.entry("amount", new BigDecimal("1234.56")),
        Map.entry("born", LocalDate.parse("1990-05-17")),
        Map.entry("seen_at", OffsetDateTime.parse("2025-12-01T10:00:00.123456Z")),
        Map.entry("local_at", LocalDateTime.parse("2025-12-01T10:00:00.789")));
    Map<String, Object> absent = new HashMap<>();
    for (String column : List.of("name", "visits", "score", "active", "amount", "born", "seen_at", "local_at")) {
      absent.put(column, null);
    }
    absent.put("id", 2L);
    assertThat(items.get(1).values()).isEqualTo(absent);
    assertThat(items.get(2).values())
        .containsEntry("amount", new BigDecimal("-0.05"))
        .containsEntry("born", LocalDate.parse("1969-12-31"))
        .containsEntry("seen_at", OffsetDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000, ZoneOffset.UTC));
    assertThat(items.get(0).raw()).contains("Ana").contains("1234");

    // the rows become changes of their key with the columns' types, as every feed record does
    FeedTable table = new FeedTable(new TableId("users", "", "users"), List.of("id"), Optional.empty(), Map.of());
    Position at = FeedPositions.position(1, "{}");
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    FeedTable.Result result = table.record(items.get(0).values(), at, now);
    assertThat(result).isInstanceOf(FeedTable.Accepted.class);
    ChangeEvent event = ((FeedTable.Accepted) result).event();
    assertThat(event.operation()).isEqualTo(Operation.UPDATE);
    assertThat(event.after().orElseThrow()).containsEntry("id", 1L).containsEntry("name", "Ana")
        .containsEntry("amount", new BigDecimal("1234.56"));
    assertThat(event.schema().column("seen_at").orElseThrow().type().kind()).isEqualTo(DataType.Kind.TIMESTAMPTZ);
    assertThat(event.schema().column("born").orElseThrow().type().kind()).isEqualTo(DataType.Kind.DATE);
    // a decimal column takes its scale from the first value, not its digits: the third row's -0.05 came first
    FeedTable fromSmall = new FeedTable(new TableId("users", "", "users"), List.of("id"), Optional.empty(), Map.of());
    assertThat(fromSmall.record(items.get(2).values(), at, now)).isInstanceOf(FeedTable.Accepted.class);
    FeedTable.Result larger = fromSmall.record(items.get(0).values(), at, now);
    assertThat(larger).isInstanceOf(FeedTable.Accepted.class);
    assertThat(((FeedTable.Accepted) larger).event().schema().column("amount").orElseThrow().type())
        .isEqualTo(DataType.decimal(38, 2));
  }
}
