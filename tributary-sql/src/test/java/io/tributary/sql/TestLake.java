package io.tributary.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.jdbc.JdbcCatalog;

/** A real Iceberg lake on a temp dir (JdbcCatalog on SQLite), written with Iceberg's generic writers. */
final class TestLake implements AutoCloseable {
  final JdbcCatalog catalog;
  private long operation;

  TestLake(Path directory) {
    this(directory, directory.resolve("warehouse").toString());
  }

  TestLake(Path directory, String warehouse) {
    Map<String, String> properties = new HashMap<>();
    properties.put(CatalogProperties.URI, "jdbc:sqlite:" + directory.resolve("catalog.db"));
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
    properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.hadoop.HadoopFileIO");
    properties.put("jdbc.schema-version", "V1");
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    conf.setBoolean("fs.file.impl.disable.cache", true);
    catalog = new JdbcCatalog();
    catalog.setConf(conf);
    catalog.initialize("test", properties);
  }

  Table create(String namespace, String name, Schema schema) {
    return create(namespace, name, schema, PartitionSpec.unpartitioned());
  }

  Table create(String namespace, String name, Schema schema, PartitionSpec spec) {
    Namespace ns = Namespace.of(namespace);
    if (!catalog.namespaceExists(ns)) {
      catalog.createNamespace(ns);
    }
    return catalog.createTable(TableIdentifier.of(ns, name), schema, spec, Map.of("format-version", "2"));
  }

  /** Writes each list of records as one data file (of one partition) and appends them in one commit. */
  @SafeVarargs
  final List<DataFile> append(Table table, List<Record>... files) {
    var append = table.newAppend();
    List<DataFile> written = new ArrayList<>();
    for (List<Record> records : files) {
      DataFile file = writeData(table, records);
      append.appendFile(file);
      written.add(file);
    }
    append.commit();
    return written;
  }

  /** An upsert as silver does it: equality deletes on the key and the new rows, one row delta. */
  DataFile upsert(Table table, List<String> keyColumns, List<Record> rows) {
    DataFile data = writeData(table, rows);
    DeleteFile deletes = writeEqualityDeletes(table, keyColumns, rows);
    table.newRowDelta().addRows(data).addDeletes(deletes).commit();
    return data;
  }

  void deleteKeys(Table table, List<String> keyColumns, List<Record> rows) {
    table.newRowDelta().addDeletes(writeEqualityDeletes(table, keyColumns, rows)).commit();
  }

  void deletePositions(Table table, DataFile file, long... positions) {
    table.refresh();
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .deleteFileFormat(FileFormat.PARQUET).build();
    PositionDeleteWriter<Record> writer = factory.newPositionDeleteWriter(
        outputs(table).newOutputFile(table.specs().get(file.specId()), file.partition()),
        table.specs().get(file.specId()), file.partition());
    try (writer) {
      for (long position : positions) {
        writer.write(PositionDelete.<Record>create().set(file.location(), position));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RowDelta delta = table.newRowDelta().addDeletes(writer.toDeleteFile());
    delta.commit();
  }

  DataFile writeData(Table table, List<Record> records) {
    table.refresh();
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET).dataSchema(table.schema()).build();
    StructLike partition = partitionOf(table, records.get(0));
    DataWriter<Record> writer = factory.newDataWriter(
        outputs(table).newOutputFile(table.spec(), partition), table.spec(), partition);
    try (writer) {
      records.forEach(writer::write);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }

  private DeleteFile writeEqualityDeletes(Table table, List<String> keyColumns, List<Record> rows) {
    table.refresh();
    Schema keySchema = table.schema().select(keyColumns);
    int[] keyIds = keySchema.columns().stream().mapToInt(field -> field.fieldId()).toArray();
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .deleteFileFormat(FileFormat.PARQUET).equalityFieldIds(keyIds).equalityDeleteRowSchema(keySchema).build();
    StructLike partition = partitionOf(table, rows.get(0));
    EqualityDeleteWriter<Record> writer = factory.newEqualityDeleteWriter(
        outputs(table).newOutputFile(table.spec(), partition), table.spec(), partition);
    try (writer) {
      for (Record row : rows) {
        Record key = org.apache.iceberg.data.GenericRecord.create(keySchema);
        for (String column : keyColumns) {
          key.setField(column, row.getField(column));
        }
        writer.write(key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDeleteFile();
  }

  private StructLike partitionOf(Table table, Record record) {
    if (table.spec().isUnpartitioned()) {
      return null;
    }
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    key.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(record));
    return key.copy();
  }

  private OutputFileFactory outputs(Table table) {
    return OutputFileFactory.builderFor(table, 1, ++operation).format(FileFormat.PARQUET).build();
  }

  /** Iceberg's own merged read of the current snapshot, as comparable rows. */
  static List<List<Object>> icebergRows(Table table) {
    table.refresh();
    List<List<Object>> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      for (Record record : records) {
        List<Object> row = new ArrayList<>();
        // With position deletes Iceberg's reader appends its _pos metadata column; keep the table's columns.
        for (int i = 0; i < table.schema().columns().size(); i++) {
          row.add(comparable(record.get(i)));
        }
        rows.add(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  /** Engine rows in the same comparable form. */
  static List<List<Object>> comparableRows(QueryResult result) {
    List<List<Object>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      List<Object> copy = new ArrayList<>();
      row.forEach(value -> copy.add(comparable(value)));
      rows.add(copy);
    }
    return rows;
  }

  private static Object comparable(Object value) {
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return HexFormat.of().formatHex(bytes);
    }
    if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    }
    if (value instanceof OffsetDateTime time) {
      return time.withOffsetSameInstant(ZoneOffset.UTC);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(element -> copy.add(comparable(element)));
      return copy;
    }
    return value;
  }

  @Override
  public void close() throws IOException {
    catalog.close();
  }
}
