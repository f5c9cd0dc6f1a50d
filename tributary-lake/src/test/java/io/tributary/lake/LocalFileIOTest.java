package io.tributary.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.hadoop.HadoopOutputFile;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileIOTest {
  @TempDir
  Path directory;

  @Test
  void parquetFilesShareOneHadoopConfigurationSoIcebergCopiesItInsteadOfParsingANewOne() {
    LocalFileIO io = new LocalFileIO();
    OutputFile first = io.newOutputFile(directory.resolve("a/1.parquet").toString());
    OutputFile second = io.newOutputFile(directory.resolve("b/2.parquet").toString());

    // Iceberg's Parquet writer copies the Configuration of a HadoopOutputFile and parses a new one otherwise.
    assertThat(first).isInstanceOf(HadoopOutputFile.class);
    assertThat(second).isInstanceOf(HadoopOutputFile.class);
    assertThat(((HadoopOutputFile) first).getConf()).isSameAs(((HadoopOutputFile) second).getConf());
    // Without Hadoop's default resources, so that the copy for each file is a handful of entries.
    assertThat(((HadoopOutputFile) first).getConf().size()).isLessThan(10);
    assertThat(first.location()).isEqualTo(directory.resolve("a/1.parquet").toString());
    assertThat(io.newOutputFile(directory.resolve("metadata/v1.metadata.json").toString()))
        .isNotInstanceOf(HadoopOutputFile.class);
  }

  @Test
  void aParquetLocationThatHadoopWouldRewriteKeepsItsLocation() {
    String location = "file://" + directory.resolve("x.parquet");

    OutputFile file = new LocalFileIO().newOutputFile(location);

    assertThat(file.location()).isEqualTo(location);
    assertThat(file).isNotInstanceOf(HadoopOutputFile.class);
  }

  @Test
  void parquetOutputFilesCreateLikeTheOthers() throws IOException {
    String location = directory.resolve("deep/down/f.parquet").toString();
    LocalFileIO io = new LocalFileIO();

    try (PositionOutputStream out = io.newOutputFile(location).create()) {
      out.write("first".getBytes(StandardCharsets.UTF_8));
      assertThat(out.getPos()).isEqualTo(5);
    }
    assertThatThrownBy(() -> io.newOutputFile(location).create())
        .isInstanceOf(AlreadyExistsException.class)
        .hasMessageContaining(location);
    try (PositionOutputStream out = io.newOutputFile(location).createOrOverwrite()) {
      out.write("second".getBytes(StandardCharsets.UTF_8));
    }

    assertThat(Files.readString(Path.of(location))).isEqualTo("second");
    try (Stream<Path> files = Files.list(Path.of(location).getParent())) {
      assertThat(files).containsExactly(Path.of(location)); // no checksum file beside it
    }
  }

  @Test
  void aTableWrittenThroughTheSharedConfigurationReadsBackWithTheTablesParquetSettings() throws IOException {
    Schema schema = new Schema(
        Types.NestedField.required(1, "id", Types.LongType.get()),
        Types.NestedField.optional(2, "name", Types.StringType.get()));
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      lake.ensureNamespace(Lake.BRONZE);
      Table table = lake.catalog().createTable(TableIdentifier.of(Lake.BRONZE, "t"), schema,
          PartitionSpec.unpartitioned());
      table.updateProperties().set("write.parquet.compression-codec", "gzip").commit();
      List<Record> records = new ArrayList<>();
      for (long i = 0; i < 500; i++) {
        GenericRecord record = GenericRecord.create(schema);
        record.set(0, i);
        record.set(1, "name " + i);
        records.add(record);
      }

      List<DataFile> files = LakeFiles.writeData(table, records);
      var append = table.newAppend();
      files.forEach(append::appendFile);
      append.commit();

      List<Record> read = new ArrayList<>();
      try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
        rows.forEach(read::add);
      }
      assertThat(read).extracting(r -> r.getField("id")).containsExactlyInAnyOrderElementsOf(
          records.stream().map(r -> r.getField("id")).toList());
      assertThat(read).extracting(r -> r.getField("name")).contains("name 0", "name 499");
      // A table property still reaches the Parquet writer through the copied Configuration.
      try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
          new org.apache.hadoop.fs.Path(files.get(0).location()), new Configuration()))) {
        assertThat(reader.getFooter().getBlocks().get(0).getColumns().get(0).getCodec().name()).isEqualTo("GZIP");
      }
    }
  }
}
