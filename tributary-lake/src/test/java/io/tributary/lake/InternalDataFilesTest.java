package io.tributary.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.FileWriterFactory;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InternalDataFilesTest {
  private static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "flag", Types.BooleanType.get()),
      Types.NestedField.optional(3, "small", Types.IntegerType.get()),
      Types.NestedField.optional(4, "ratio", Types.FloatType.get()),
      Types.NestedField.optional(5, "double", Types.DoubleType.get()),
      Types.NestedField.optional(6, "amount", Types.DecimalType.of(12, 2)),
      Types.NestedField.optional(7, "huge", Types.DecimalType.of(38, 3)),
      Types.NestedField.optional(8, "note", Types.StringType.get()),
      Types.NestedField.optional(9, "day", Types.DateType.get()),
      Types.NestedField.optional(10, "clock", Types.TimeType.get()),
      Types.NestedField.optional(11, "wall", Types.TimestampType.withoutZone()),
      Types.NestedField.optional(12, "instant", Types.TimestampType.withZone()),
      Types.NestedField.optional(13, "uuid", Types.UUIDType.get()),
      Types.NestedField.optional(14, "bytes", Types.BinaryType.get()),
      Types.NestedField.optional(15, "tags", Types.ListType.ofOptional(16, Types.StringType.get())));

  @TempDir
  Path directory;

  @Test
  void writesTheRowsAndMetricsIcebergsGenericWriterWrites() throws IOException {
    List<Record> records = new ArrayList<>();
    // Times before the epoch with parts of a microsecond: Iceberg truncates them toward zero.
    List<OffsetDateTime> instants = List.of(OffsetDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_500, ZoneOffset.UTC),
        OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 1, ZoneOffset.ofHoursMinutes(-3, -30)),
        OffsetDateTime.of(2026, 12, 2, 17, 50, 0, 123_456_789, ZoneOffset.ofHours(9)),
        OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
        OffsetDateTime.of(-44, 3, 15, 12, 0, 0, 999, ZoneOffset.UTC));
    for (int i = 0; i < 50; i++) {
      GenericRecord record = GenericRecord.create(SCHEMA);
      record.set(0, (long) i - 25);
      boolean nulls = i % 7 == 3;
      if (!nulls) {
        OffsetDateTime instant = instants.get(i % instants.size()).plusSeconds(i);
        record.set(1, i % 2 == 0);
        record.set(2, -i);
        record.set(3, i / 3.0f);
        record.set(4, i % 5 == 0 ? Double.NaN : -i * 1.5e300 / 50);
        record.set(5, new BigDecimal(i * 1001).movePointLeft(2));
        record.set(6, new BigDecimal("-12345678901234567890123456789012345.678").add(BigDecimal.valueOf(i)));
        record.set(7, "note " + i + (i % 3 == 0 ? " ação" : ""));
        record.set(8, LocalDate.of(-44, 3, 15).plusDays(i * 40_000L));
        record.set(9, LocalTime.of(23, 59, 59, 999_999_999).minusNanos(i * 1_000_001L));
        record.set(10, instant.toLocalDateTime());
        record.set(11, instant);
        record.set(12, new UUID(i, -i));
        record.set(13, ByteBuffer.wrap(new byte[] {(byte) i, 0, -1}));
        record.set(14, Arrays.asList("a" + i, null, "b"));
      }
      records.add(record);
    }

    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      lake.ensureNamespace(Lake.BRONZE);
      Table generic = lake.catalog().createTable(TableIdentifier.of(Lake.BRONZE, "generic"), SCHEMA,
          PartitionSpec.unpartitioned());
      Table internal = lake.catalog().createTable(TableIdentifier.of(Lake.BRONZE, "internal"), SCHEMA,
          PartitionSpec.unpartitioned());
      FileWriterFactory<Record> genericFiles = new GenericFileWriterFactory.Builder(generic)
          .dataFileFormat(FileFormat.PARQUET).dataSchema(SCHEMA).build();
      FileWriterFactory<Record> internalFiles = InternalDataFiles.of(internal, Map.of()).orElseThrow();

      DataFile expected = write(generic, genericFiles, records);
      DataFile actual = write(internal, internalFiles, records);

      assertThat(actual.recordCount()).isEqualTo(records.size());
      assertThat(actual.lowerBounds()).isEqualTo(expected.lowerBounds());
      assertThat(actual.upperBounds()).isEqualTo(expected.upperBounds());
      assertThat(actual.nullValueCounts()).isEqualTo(expected.nullValueCounts());
      assertThat(actual.nanValueCounts()).isEqualTo(expected.nanValueCounts());
      assertThat(actual.valueCounts()).isEqualTo(expected.valueCounts());
      List<Record> read = read(internal);
      assertThat(read).isEqualTo(read(generic));
      // and what was written is what was given, to the microsecond as Iceberg counts it
      for (int i = 0; i < records.size(); i++) {
        Record given = records.get(i);
        Record back = read.get(i);
        if (given.get(11) != null) {
          OffsetDateTime instant = (OffsetDateTime) given.get(11);
          long micros = ChronoUnit.MICROS.between(OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), instant);
          assertThat(InternalDataFiles.micros(instant.toEpochSecond(), instant.getNano())).isEqualTo(micros);
          assertThat(((OffsetDateTime) back.get(11)).toInstant())
              .isEqualTo(instant.toInstant().truncatedTo(ChronoUnit.MICROS).plus(
                  instant.toEpochSecond() < 0 && instant.getNano() % 1_000 != 0 ? 1 : 0, ChronoUnit.MICROS));
          assertThat(back.get(8)).isEqualTo(given.get(8));
          assertThat(back.get(5)).isEqualTo(given.get(5));
          assertThat(back.get(7)).isEqualTo(given.get(7));
          assertThat(back.get(14)).isEqualTo(given.get(14));
        } else {
          assertThat(back.get(11)).isNull();
          assertThat(back.get(14)).isNull();
        }
      }
    }
  }

  @Test
  void leavesSchemasWithNestedOrUnusualValuesToTheGenericWriter() throws IOException {
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      lake.ensureNamespace(Lake.BRONZE);
      Schema times = new Schema(Types.NestedField.optional(1, "times",
          Types.ListType.ofOptional(2, Types.TimestampType.withZone())));
      Schema map = new Schema(Types.NestedField.optional(1, "tags",
          Types.MapType.ofOptional(2, 3, Types.StringType.get(), Types.StringType.get())));
      Schema fixed = new Schema(Types.NestedField.optional(1, "hash", Types.FixedType.ofLength(16)));
      for (Schema schema : List.of(times, map, fixed)) {
        Table table = lake.catalog().createTable(TableIdentifier.of(Lake.BRONZE, "t" + schema.hashCode()), schema,
            PartitionSpec.unpartitioned());
        assertThat(InternalDataFiles.of(table, Map.of())).as(schema.toString()).isEmpty();
      }
    }
  }

  private static DataFile write(Table table, FileWriterFactory<Record> factory, List<Record> records)
      throws IOException {
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PARQUET).build();
    FanoutDataWriter<Record> writer = new FanoutDataWriter<>(factory, files, table.io(), Long.MAX_VALUE);
    try (writer) {
      for (Record record : records) {
        writer.write(record, table.spec(), null);
      }
    }
    List<DataFile> written = writer.result().dataFiles();
    assertThat(written).hasSize(1);
    table.newAppend().appendFile(written.get(0)).commit();
    return written.get(0);
  }

  private static List<Record> read(Table table) throws IOException {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(record -> rows.add(record.copy()));
    }
    return rows;
  }
}
