package io.tributary.sql.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import io.tributary.lake.Lake;

/** Silver-like source tables for model tests: upserts and deletes as equality-delete row deltas. */
final class SilverTables {
  static final Schema ORDERS = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "client_id", Types.LongType.get()),
      Types.NestedField.optional(3, "status", Types.StringType.get()),
      Types.NestedField.optional(4, "amount", Types.DecimalType.of(12, 2)));
  static final Schema CLIENTS = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "name", Types.StringType.get()));

  private final Lake lake;
  private long operation;

  SilverTables(Lake lake) {
    this.lake = lake;
  }

  Table create(String name, Schema schema) {
    lake.ensureNamespace(Lake.SILVER);
    return lake.catalog().createTable(TableIdentifier.of(Lake.SILVER, name), schema, PartitionSpec.unpartitioned(),
        Map.of("format-version", "2"));
  }

  static Record order(Table table, long id, Long clientId, String status, String amount) {
    Record record = GenericRecord.create(table.schema());
    record.setField("id", id);
    record.setField("client_id", clientId);
    record.setField("status", status);
    record.setField("amount", amount == null ? null : new BigDecimal(amount));
    return record;
  }

  static Record client(Table table, long id, String name) {
    Record record = GenericRecord.create(table.schema());
    record.setField("id", id);
    record.setField("name", name);
    return record;
  }

  /** Inserts or replaces rows by id, and deletes the ids in {@code deletes}, in one row delta. */
  void upsert(Table table, List<Record> rows, List<Long> deletes) {
    upsert(table, rows, deletes, Map.of());
  }

  /** Like {@link #upsert(Table, List, List)}, with entries for the snapshot summary. */
  void upsert(Table table, List<Record> rows, List<Long> deletes, Map<String, String> summary) {
    table.refresh();
    RowDelta delta = table.newRowDelta();
    List<Long> keys = new ArrayList<>(deletes);
    rows.forEach(row -> keys.add((Long) row.getField("id")));
    if (!keys.isEmpty()) {
      delta.addDeletes(writeDeletes(table, keys));
    }
    if (!rows.isEmpty()) {
      delta.addRows(writeData(table, rows));
    }
    summary.forEach(delta::set);
    delta.commit();
  }

  private DataFile writeData(Table table, List<Record> records) {
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET).dataSchema(table.schema()).build();
    DataWriter<Record> writer = factory.newDataWriter(outputs(table).newOutputFile(), table.spec(), null);
    try (writer) {
      records.forEach(writer::write);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }

  private DeleteFile writeDeletes(Table table, List<Long> ids) {
    Schema keySchema = table.schema().select("id");
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .deleteFileFormat(FileFormat.PARQUET).equalityFieldIds(new int[] {table.schema().findField("id").fieldId()})
        .equalityDeleteRowSchema(keySchema).build();
    EqualityDeleteWriter<Record> writer =
        factory.newEqualityDeleteWriter(outputs(table).newOutputFile(), table.spec(), null);
    try (writer) {
      for (Long id : ids) {
        Record key = GenericRecord.create(keySchema);
        key.setField("id", id);
        writer.write(key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDeleteFile();
  }

  private OutputFileFactory outputs(Table table) {
    return OutputFileFactory.builderFor(table, 1, ++operation).format(FileFormat.PARQUET).build();
  }

  /** Iceberg's own merged read, each row as a list of the table's columns. */
  static List<List<Object>> rows(Table table) {
    table.refresh();
    List<List<Object>> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        List<Object> row = new ArrayList<>();
        for (int i = 0; i < table.schema().columns().size(); i++) {
          row.add(record.get(i));
        }
        rows.add(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }
}
