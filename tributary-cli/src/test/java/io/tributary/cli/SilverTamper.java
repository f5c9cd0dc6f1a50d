package io.tributary.cli;

import io.tributary.lake.Lake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.ClusteredEqualityDeleteWriter;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/** Changes a silver table behind the pipeline's back, with Iceberg's own API, as a stray tool would. */
final class SilverTamper {
  private final Table table;
  private final List<Record> deletes = new ArrayList<>();
  private final List<Record> rows = new ArrayList<>();

  SilverTamper(Lake lake, String table) {
    this.table = lake.catalog().loadTable(TableIdentifier.of(Lake.SILVER, table));
  }

  /** Deletes the row whose {@code id} is {@code id}. */
  SilverTamper delete(int id) {
    Record key = GenericRecord.create(table.schema().select("id"));
    key.setField("id", id);
    deletes.add(key);
    return this;
  }

  /** Rewrites the row {@code id} after {@code change} altered a copy of it. */
  SilverTamper change(int id, Consumer<Record> change) {
    Record row = read(id).copy();
    change.accept(row);
    delete(id);
    rows.add(row);
    return this;
  }

  /** Adds a row the source never had: a copy of row {@code template} under the key {@code id}. */
  SilverTamper add(int template, int id) {
    Record row = read(template).copy();
    row.setField("id", id);
    rows.add(row);
    return this;
  }

  void commit() {
    Schema schema = table.schema();
    int[] keyIds = {schema.findField("id").fieldId()};
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET)
        .deleteFileFormat(FileFormat.PARQUET)
        .dataSchema(schema)
        .equalityFieldIds(keyIds)
        .equalityDeleteRowSchema(schema.select("id"))
        .build();
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, System.nanoTime())
        .format(FileFormat.PARQUET).operationId(UUID.randomUUID().toString()).build();
    RowDelta delta = table.newRowDelta();
    try {
      ClusteredEqualityDeleteWriter<Record> deleteWriter =
          new ClusteredEqualityDeleteWriter<>(factory, files, table.io(), 1L << 27);
      try (deleteWriter) {
        for (Record key : deletes) {
          deleteWriter.write(key, table.spec(), null);
        }
      }
      for (DeleteFile file : deleteWriter.result().deleteFiles()) {
        delta.addDeletes(file);
      }
      // Data written in the same commit as the deletes has the same sequence number, so they do not
      // remove it.
      FanoutDataWriter<Record> dataWriter = new FanoutDataWriter<>(factory, files, table.io(), 1L << 27);
      try (dataWriter) {
        for (Record row : rows) {
          dataWriter.write(row, table.spec(), null);
        }
      }
      for (DataFile file : dataWriter.result().dataFiles()) {
        delta.addRows(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    delta.commit();
  }

  private Record read(int id) {
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(table).where(Expressions.equal("id", id)).build()) {
      for (Record record : records) {
        return record;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException("silver has no row with id " + id);
  }
}
