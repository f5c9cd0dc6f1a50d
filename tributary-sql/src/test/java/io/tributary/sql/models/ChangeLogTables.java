package io.tributary.sql.models;

import io.tributary.lake.Lake;
import io.tributary.lake.LakeProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;

/**
 * Bronze change logs and silver current states as the lake writer keeps them: bronze gets one row per change
 * (a delete carries only the key), silver the current row per {@code id}, both with increasing positions.
 */
final class ChangeLogTables {
  private final Lake lake;
  private final SilverTables silver;
  private long position;
  private long operation;

  ChangeLogTables(Lake lake) {
    this.lake = lake;
    this.silver = new SilverTables(lake);
  }

  /** Creates {@code bronze.<name>} and {@code silver.<name>} for a source table whose first column is {@code id}. */
  void create(String name, Schema source) {
    lake.ensureNamespace(Lake.BRONZE);
    lake.ensureNamespace(Lake.SILVER);
    List<Types.NestedField> bronze = new ArrayList<>();
    List<Types.NestedField> current = new ArrayList<>();
    int id = 0;
    for (Types.NestedField field : source.columns()) {
      bronze.add(Types.NestedField.optional(++id, field.name(), field.type()));
      current.add(field.name().equals("id") ? Types.NestedField.required(id, "id", field.type())
          : Types.NestedField.optional(id, field.name(), field.type()));
    }
    bronze.add(Types.NestedField.optional(++id, "_op", Types.StringType.get()));
    bronze.add(Types.NestedField.optional(++id, "_position", Types.StringType.get()));
    current.add(Types.NestedField.optional(id, "_position", Types.StringType.get()));
    bronze.add(Types.NestedField.optional(++id, "_commit_ts", Types.TimestampType.withZone()));
    current.add(Types.NestedField.optional(id, "_commit_ts", Types.TimestampType.withZone()));
    bronze.add(Types.NestedField.optional(++id, "_txid", Types.LongType.get()));
    lake.catalog().createTable(TableIdentifier.of(Lake.BRONZE, name), new Schema(bronze),
        PartitionSpec.unpartitioned(), Map.of("format-version", "2"));
    Schema silverSchema = new Schema(current, Set.of(1));
    lake.catalog().createTable(TableIdentifier.of(Lake.SILVER, name), silverSchema, PartitionSpec.unpartitioned(),
        Map.of("format-version", "2"));
  }

  Table bronze(String name) {
    return lake.catalog().loadTable(TableIdentifier.of(Lake.BRONZE, name));
  }

  Table silver(String name) {
    return lake.catalog().loadTable(TableIdentifier.of(Lake.SILVER, name));
  }

  /**
   * One transaction: upserts {@code rows} (maps of source column to value, with {@code id}) and deletes
   * {@code deletes}; bronze first, then silver, like the writer.
   */
  void apply(String name, List<Map<String, Object>> rows, List<Long> deletes) {
    Table bronze = bronze(name);
    Table silverTable = silver(name);
    OffsetDateTime now = OffsetDateTime.of(2026, 11, 24, 10, 0, 0, 0, ZoneOffset.UTC).plusSeconds(position);
    List<Record> changes = new ArrayList<>();
    List<Record> currents = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      String at = String.format("1:%016d", ++position);
      Record change = GenericRecord.create(bronze.schema());
      Record current = GenericRecord.create(silverTable.schema());
      row.forEach((column, value) -> {
        change.setField(column, value);
        current.setField(column, value);
      });
      change.setField("_op", "u");
      change.setField("_position", at);
      change.setField("_commit_ts", now);
      change.setField("_txid", position);
      current.setField("_position", at);
      current.setField("_commit_ts", now);
      changes.add(change);
      currents.add(current);
    }
    for (Long id : deletes) {
      Record change = GenericRecord.create(bronze.schema());
      change.setField("id", id);
      change.setField("_op", "d");
      change.setField("_position", String.format("1:%016d", ++position));
      change.setField("_commit_ts", now);
      changes.add(change);
    }
    if (!changes.isEmpty()) {
      AppendFiles append = bronze.newAppend();
      append.appendFile(write(bronze, changes));
      append.commit();
    }
    // The writer records in each silver snapshot the position of the last change it holds.
    silver.upsert(silverTable, currents, deletes, Map.of(LakeProperties.POSITION, String.format("1:%016d", position)));
  }

  private DataFile write(Table table, List<Record> records) {
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET).dataSchema(table.schema()).build();
    OutputFileFactory outputs = OutputFileFactory.builderFor(table, 2, ++operation).format(FileFormat.PARQUET).build();
    DataWriter<Record> writer = factory.newDataWriter(outputs.newOutputFile(), table.spec(), null);
    try (writer) {
      records.forEach(writer::write);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }
}
