package io.tributary.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.ClusteredEqualityDeleteWriter;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.FileWriterFactory;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.util.PropertyUtil;

/** Writes Parquet data and equality delete files for a table, not yet committed. */
final class LakeFiles {
  /** Tributary's own columns whose values are (nearly) unique: a change's position, a version's surrogate key. */
  private static final List<String> UNIQUE_COLUMNS = List.of(IcebergLakeWriter.POSITION, HistoryLayer.SK);
  /** Parquet's file-wide dictionary switch ({@code ParquetOutputFormat.ENABLE_DICTIONARY}), which Iceberg passes on. */
  private static final String PARQUET_DICTIONARY = "parquet.enable.dictionary";
  /**
   * The Parquet page size of the files a commit writes, instead of the table's (Iceberg's default 1 MB, which
   * compaction keeps). Parquet's writer allocates a compression buffer of the page size for every file; a commit
   * writes several files, each of a few thousand rows, and on a heap of 1 GiB (G1 regions of 1 MB) a buffer of 1 MB
   * is a humongous object that goes straight to the old generation: a steady stream of them made the collector run
   * concurrent cycles it did not otherwise need. A page of 128 KB still holds thousands of values of a column.
   */
  static final String COMMIT_PAGE_BYTES = String.valueOf(128 << 10);

  private LakeFiles() {}

  /** Writes {@code records} (of the table's current schema) as data files, split by partition. */
  static List<DataFile> writeData(Table table, List<Record> records) {
    if (records.isEmpty()) {
      return List.of();
    }
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    Map<String, String> properties = withoutDictionaries(schema);
    properties.put(TableProperties.PARQUET_PAGE_SIZE_BYTES, COMMIT_PAGE_BYTES);
    FileWriterFactory<Record> factory = dataFiles(table, properties);
    FanoutDataWriter<Record> writer = new FanoutDataWriter<>(factory, files(table), table.io(), targetSize(table));
    try (writer) {
      if (spec.isUnpartitioned()) {
        for (Record record : records) {
          writer.write(record, spec, null);
        }
      } else {
        // Partition transforms of dates and timestamps work on Iceberg's internal values, not java.time.
        PartitionKey key = new PartitionKey(spec, schema);
        InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
        for (Record record : records) {
          key.partition(wrapper.wrap(record));
          writer.write(record, spec, key);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write data files of table " + table.name() + ": " + e.getMessage(), e);
    }
    return writer.result().dataFiles();
  }

  /**
   * Writes {@code records} (of the table's current schema), all of one partition of {@code spec}, as data files
   * of about {@code targetSize} bytes each, reading them one at a time.
   */
  static List<DataFile> writeData(
      Table table, PartitionSpec spec, StructLike partition, long targetSize, Iterable<Record> records) {
    FileWriterFactory<Record> factory = dataFiles(table, withoutDictionaries(table.schema()));
    FanoutDataWriter<Record> writer = new FanoutDataWriter<>(factory, files(table), table.io(), targetSize);
    StructLike key = spec.isUnpartitioned() ? null : partition;
    try (writer) {
      for (Record record : records) {
        writer.write(record, spec, key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write data files of table " + table.name() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(table, writer.result().dataFiles());
      throw e;
    }
    return writer.result().dataFiles();
  }

  /** The writers of data files of the table's current schema: {@link InternalDataFiles} when it takes the schema. */
  private static FileWriterFactory<Record> dataFiles(Table table, Map<String, String> properties) {
    return InternalDataFiles.of(table, properties).orElseGet(() -> new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET)
        .dataSchema(table.schema())
        .writerProperties(properties)
        .build());
  }

  /**
   * Writes equality deletes on {@code keyColumns}; {@code keys} are records of {@code
   * table.schema().select(keyColumns)}. The table must be unpartitioned.
   */
  static List<DeleteFile> writeEqualityDeletes(Table table, List<String> keyColumns, List<Record> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    Schema schema = table.schema();
    Schema deleteSchema = schema.select(keyColumns);
    int[] fieldIds = keyColumns.stream().mapToInt(name -> schema.findField(name).fieldId()).toArray();
    GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET)
        .deleteFileFormat(FileFormat.PARQUET)
        .dataSchema(schema)
        .equalityFieldIds(fieldIds)
        .equalityDeleteRowSchema(deleteSchema)
        // Every row of a delete file names a key no other row does: a dictionary of them is never smaller.
        .writerProperties(Map.of(PARQUET_DICTIONARY, "false", TableProperties.DELETE_PARQUET_PAGE_SIZE_BYTES,
            COMMIT_PAGE_BYTES, TableProperties.PARQUET_PAGE_SIZE_BYTES, COMMIT_PAGE_BYTES))
        .build();
    PartitionSpec spec = table.spec();
    ClusteredEqualityDeleteWriter<Record> writer =
        new ClusteredEqualityDeleteWriter<>(factory, files(table), table.io(), targetSize(table));
    try (writer) {
      for (Record key : keys) {
        writer.write(key, spec, null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write delete files of table " + table.name() + ": " + e.getMessage(), e);
    }
    return writer.result().deleteFiles();
  }

  /**
   * Parquet settings that turn dictionary encoding off for the columns of {@code fileSchema} that hold a different
   * value in almost every row ({@link #UNIQUE_COLUMNS}). Parquet would otherwise hash every value into a dictionary
   * and, finding it no smaller than the values, write them plain anyway: the same file, at twice the work. Only
   * columns the file has are named, since Iceberg warns about the others on every file. (Iceberg applies these
   * per-column settings to data files only; delete files take the file-wide switch.)
   */
  private static Map<String, String> withoutDictionaries(Schema fileSchema) {
    Map<String, String> properties = new HashMap<>(4);
    for (String column : UNIQUE_COLUMNS) {
      if (fileSchema.findField(column) != null) {
        properties.put(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + column, "false");
      }
    }
    return properties;
  }

  /** Removes files written for a commit that did not happen. */
  static void deleteQuietly(Table table, List<? extends ContentFile<?>> files) {
    for (ContentFile<?> file : files) {
      try {
        table.io().deleteFile(file.location());
      } catch (RuntimeException e) {
        // an orphan file is harmless: no snapshot references it
      }
    }
  }

  private static OutputFileFactory files(Table table) {
    return OutputFileFactory.builderFor(table, 1, System.nanoTime())
        .format(FileFormat.PARQUET)
        .operationId(UUID.randomUUID().toString())
        .build();
  }

  private static long targetSize(Table table) {
    return PropertyUtil.propertyAsLong(table.properties(), TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
        TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
  }
}
