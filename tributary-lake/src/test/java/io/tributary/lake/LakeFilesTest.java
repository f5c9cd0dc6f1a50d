package io.tributary.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeFilesTest {
  @TempDir
  Path directory;

  @Test
  void writesPositionsSurrogateKeysAndDeletedKeysWithoutADictionaryAndOtherColumnsWithOne() throws IOException {
    Schema schema = new Schema(
        Types.NestedField.required(1, HistoryLayer.SK, Types.StringType.get()),
        Types.NestedField.optional(2, "status", Types.StringType.get()),
        Types.NestedField.required(3, IcebergLakeWriter.POSITION, Types.StringType.get()));
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      lake.ensureNamespace(Lake.HISTORY);
      Table table = lake.catalog().createTable(TableIdentifier.of(Lake.HISTORY, "t"), schema,
          PartitionSpec.unpartitioned());
      // Few distinct values: Parquet would keep a dictionary for every one of these columns if allowed to.
      List<Record> records = new ArrayList<>();
      List<Record> keys = new ArrayList<>();
      GenericRecord key = GenericRecord.create(schema.select(HistoryLayer.SK));
      for (int i = 0; i < 1_000; i++) {
        GenericRecord record = GenericRecord.create(schema);
        record.set(0, "sk-" + i % 3);
        record.set(1, i % 2 == 0 ? "paid" : "new");
        record.set(2, "1:" + i % 3);
        records.add(record);
        GenericRecord delete = key.copy();
        delete.set(0, "sk-" + i % 3);
        keys.add(delete);
      }

      Map<String, Boolean> data = dictionaries(LakeFiles.writeData(table, records));
      Map<String, Boolean> deletes = dictionaries(LakeFiles.writeEqualityDeletes(table, List.of(HistoryLayer.SK), keys));

      assertThat(data).containsExactlyInAnyOrderEntriesOf(
          Map.of(HistoryLayer.SK, false, "status", true, IcebergLakeWriter.POSITION, false));
      assertThat(deletes).containsExactlyInAnyOrderEntriesOf(Map.of(HistoryLayer.SK, false));
    }
  }

  @Test
  void writesTheFilesOfACommitInSmallPagesAndCompactedFilesInTheTablesPages() throws IOException {
    Schema schema = new Schema(
        Types.NestedField.required(1, "id", Types.LongType.get()),
        Types.NestedField.required(2, HistoryLayer.SK, Types.StringType.get()));
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      lake.ensureNamespace(Lake.HISTORY);
      Table table = lake.catalog().createTable(TableIdentifier.of(Lake.HISTORY, "pages"), schema,
          PartitionSpec.unpartitioned());
      List<Record> records = new ArrayList<>();
      List<Record> keys = new ArrayList<>();
      GenericRecord key = GenericRecord.create(schema.select(HistoryLayer.SK));
      for (int i = 0; i < 20_000; i++) {
        // 108 random characters a value: over 2 MB of the column, plain-encoded, that compression cannot shrink much
        String sk = UUID.randomUUID() + "-" + UUID.randomUUID() + "-" + UUID.randomUUID();
        records.add(GenericRecord.create(schema).copy(Map.of("id", (long) i, HistoryLayer.SK, sk)));
        GenericRecord delete = key.copy();
        delete.set(0, sk);
        keys.add(delete);
      }

      int pageBytes = Integer.parseInt(LakeFiles.COMMIT_PAGE_BYTES);
      long committed = largestPage(LakeFiles.writeData(table, records), HistoryLayer.SK);
      long deletes = largestPage(LakeFiles.writeEqualityDeletes(table, List.of(HistoryLayer.SK), keys),
          HistoryLayer.SK);
      long compacted = largestPage(LakeFiles.writeData(table, table.spec(), null, Long.MAX_VALUE, records),
          HistoryLayer.SK);

      // sizes in the file, compressed: a page of random hexadecimal text keeps over half of its bytes
      assertThat(committed).isBetween(pageBytes / 2L, (long) pageBytes);
      assertThat(deletes).isBetween(pageBytes / 2L, (long) pageBytes);
      assertThat(compacted).as("Iceberg's default page size, 1 MB").isGreaterThan(3L * pageBytes);
    }
  }

  /** The size in the file of the largest page of {@code column}, from the file's offset index. */
  private static long largestPage(List<? extends ContentFile<?>> files, String column) throws IOException {
    long[] largest = {0};
    forEachChunk(files, (reader, chunk) -> {
      if (chunk.getPath().toDotString().equals(column)) {
        var pages = reader.readOffsetIndex(chunk);
        for (int i = 0; i < pages.getPageCount(); i++) {
          long end = i + 1 < pages.getPageCount() ? pages.getOffset(i + 1) : chunk.getStartingPos()
              + chunk.getTotalSize();
          largest[0] = Math.max(largest[0], end - pages.getOffset(i));
        }
      }
    });
    return largest[0];
  }

  /** Whether each column of the files has a dictionary page. */
  private static Map<String, Boolean> dictionaries(List<? extends ContentFile<?>> files) throws IOException {
    Map<String, Boolean> dictionaries = new HashMap<>();
    forEachChunk(files, (reader, column) ->
        dictionaries.merge(column.getPath().toDotString(), column.hasDictionaryPage(), Boolean::logicalOr));
    return dictionaries;
  }

  private interface ChunkVisitor {
    void visit(ParquetFileReader reader, ColumnChunkMetaData chunk) throws IOException;
  }

  /** Hands every column chunk of the one file in {@code files} to {@code visitor}, with the file's open reader. */
  private static void forEachChunk(List<? extends ContentFile<?>> files, ChunkVisitor visitor) throws IOException {
    assertThat(files).hasSize(1);
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(files.get(0).location()), new Configuration()))) {
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        for (ColumnChunkMetaData chunk : block.getColumns()) {
          visitor.visit(reader, chunk);
        }
      }
    }
  }
}
