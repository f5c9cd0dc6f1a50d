package io.tributary.bench;

import static java.util.Objects.requireNonNull;

import io.tributary.lake.Lake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Types;

/**
 * A silver-like Iceberg table made fast: the Parquet files are written by DuckDB (with Iceberg field ids) and
 * registered as Iceberg data and equality-delete files, as if a stream of upserts had been committed.
 *
 * <p>Every value is a pure function of (key, version) — version 0 is the first load, version {@code c} the
 * c-th upsert commit — so the expected final rows can be computed without reading the table back.
 */
final class SyntheticSilverTable implements AutoCloseable {
  static final TableIdentifier IDENTIFIER = TableIdentifier.of(Lake.SILVER, "t");
  static final int ID_FIELD = 1;
  private static final String FIELD_IDS =
      "FIELD_IDS {id: 1, client_id: 2, amount: 3, status: 4, city: 5, created_at: 6}";
  private static final Schema SCHEMA = new Schema(
      List.of(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "client_id", Types.IntegerType.get()),
          Types.NestedField.optional(3, "amount", Types.DecimalType.of(12, 2)),
          Types.NestedField.optional(4, "status", Types.StringType.get()),
          Types.NestedField.optional(5, "city", Types.StringType.get()),
          Types.NestedField.optional(6, "created_at", Types.TimestampType.withZone())),
      Set.of(ID_FIELD));
  private static final String ROW_GROUP_SIZE = "ROW_GROUP_SIZE 122880";

  private final Lake lake;
  private final Path work;
  private final Settings settings;
  /** DuckDB used only to write files; the engine under test has its own instance. */
  private final Connection duckdb;

  /** Table size and shape. {@code touchedPercent} is the share of keys each upsert commit rewrites. */
  record Settings(long rows, int baseFiles, int commits, int touchedPercent) {
    Settings {
      if (rows < 1) {
        throw new IllegalArgumentException("Invalid row count " + rows + ": must be at least 1");
      }
      if (baseFiles < 1 || baseFiles > rows) {
        throw new IllegalArgumentException("Invalid file count " + baseFiles + ": must be between 1 and " + rows);
      }
      if (commits < 0) {
        throw new IllegalArgumentException("Invalid commit count " + commits + ": must be 0 or more");
      }
      if (touchedPercent < 1 || touchedPercent > 100) {
        throw new IllegalArgumentException("Invalid upsert share " + touchedPercent + "%: must be 1 to 100");
      }
    }
  }

  SyntheticSilverTable(Lake lake, Path work, Settings settings) {
    this.lake = requireNonNull(lake, "lake is null");
    this.work = requireNonNull(work, "work is null");
    this.settings = requireNonNull(settings, "settings is null");
    try {
      Files.createDirectories(work);
      this.duckdb = DriverManager.getConnection("jdbc:duckdb:");
      execute("SET TimeZone = 'UTC'");
      // Values are hashes of (key, version, column) so that every version of every row is reproducible.
      execute("CREATE MACRO touched(i, c) AS hash(i, c, 0) % 100 < " + settings.touchedPercent());
      execute("CREATE MACRO version_row(i, v) AS {"
          + "id: i, "
          + "client_id: CAST(hash(i, v, 1) % 50000 AS INTEGER), "
          + "amount: CAST(CAST(hash(i, v, 2) % 10000000 AS BIGINT) / 100.0 AS DECIMAL(12,2)), "
          + "status: ['new', 'paid', 'shipped', 'delivered', 'cancelled'][CAST(1 + hash(i, v, 3) % 5 AS INTEGER)], "
          + "city: ['Lisboa', 'Porto', 'Braga', 'Coimbra', 'Faro', 'Recife', 'Salvador', 'Fortaleza', 'Manaus', "
          + "'Belem', 'Curitiba', 'Natal', 'Maceio', 'Aracaju', 'Vitoria', 'Goiania', 'Campinas', 'Santos', "
          + "'Londrina', 'Joinville'][CAST(1 + hash(i, v, 4) % 20 AS INTEGER)], "
          + "created_at: TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(CAST(hash(i, v, 5) % 31536000 AS BIGINT))"
          + "}");
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("Cannot prepare the benchmark table in " + work + ": " + e.getMessage(), e);
    }
  }

  /** Creates the table, loads it in {@code baseFiles} files, then commits the upserts. */
  Table build() {
    lake.ensureNamespace(Lake.SILVER);
    Table table = lake.catalog().buildTable(IDENTIFIER, SCHEMA)
        .withProperty(TableProperties.FORMAT_VERSION, "2")
        .withProperty(TableProperties.DEFAULT_FILE_FORMAT, "parquet")
        .create();
    Path data = dataDirectory(table);
    AppendFiles append = table.newAppend();
    long perFile = (settings.rows() + settings.baseFiles() - 1) / settings.baseFiles();
    for (int file = 0; file < settings.baseFiles(); file++) {
      long from = file * perFile;
      long to = Math.min(settings.rows(), from + perFile);
      if (from >= to) {
        break;
      }
      Path path = data.resolve("base-" + file + ".parquet");
      copy("SELECT unnest(version_row(i, 0)) FROM range(" + from + ", " + to + ") t(i)", path, FIELD_IDS);
      append.appendFile(dataFile(table, path));
    }
    append.commit();
    for (int commit = 1; commit <= settings.commits(); commit++) {
      Path deletes = data.resolve("upsert-" + commit + "-deletes.parquet");
      Path rows = data.resolve("upsert-" + commit + "-rows.parquet");
      String touched = " FROM range(" + settings.rows() + ") t(i) WHERE touched(i, " + commit + ")";
      copy("SELECT i AS id" + touched, deletes, "FIELD_IDS {id: " + ID_FIELD + "}");
      copy("SELECT unnest(version_row(i, " + commit + "))" + touched, rows, FIELD_IDS);
      // Same commit, same sequence number: the deletes remove older versions only, never these rows.
      table.newRowDelta()
          .addDeletes(equalityDeleteFile(table, deletes))
          .addRows(dataFile(table, rows))
          .commit();
    }
    table.refresh();
    return table;
  }

  /**
   * Writes the rows the table holds after all upserts as one plain Parquet file, computed from the generator
   * (the latest version of each key), not from the table: it is the reference the lake's answer must match.
   */
  void writeExpected(Path path) {
    String latest = settings.commits() == 0 ? "0" : "greatest(0, " + IntStream.rangeClosed(1, settings.commits())
        .mapToObj(c -> "CASE WHEN touched(i, " + c + ") THEN " + c + " ELSE 0 END")
        .collect(Collectors.joining(", ")) + ")";
    copy("SELECT unnest(version_row(i, " + latest + ")) FROM range(" + settings.rows() + ") t(i)", path, "");
  }

  /**
   * Rewrites the whole table as fresh data files with the deletes applied, read through {@code merged} (the
   * engine's view of the table), and replaces every data and delete file in one Iceberg rewrite.
   *
   * @return the number of data files written
   */
  int compact(Table table, Connection merged, String view) {
    Path output = dataDirectory(table).resolve("compacted");
    long planned = table.currentSnapshot().snapshotId();
    List<DataFile> oldData = new ArrayList<>();
    Map<String, DeleteFile> oldDeletes = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(planned).planFiles()) {
      for (FileScanTask task : tasks) {
        oldData.add(task.file());
        task.deletes().forEach(delete -> oldDeletes.putIfAbsent(delete.location(), delete));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan table " + IDENTIFIER + ": " + e.getMessage(), e);
    }
    // About as many files as the first load had, so the comparison after compaction is about deletes only.
    long targetBytes =
        Math.max(1L, oldData.stream().mapToLong(DataFile::fileSizeInBytes).sum() / settings.baseFiles());
    try (Statement statement = merged.createStatement()) {
      // Sorting by key keeps the files as a streaming writer plus background compaction would leave them.
      statement.execute("COPY (SELECT * FROM " + view + " ORDER BY id) TO " + literal(output.toString())
          + " (FORMAT parquet, " + FIELD_IDS + ", " + ROW_GROUP_SIZE + ", FILE_SIZE_BYTES "
          + targetBytes + ")");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot compact table " + IDENTIFIER + " into " + output + ": "
          + e.getMessage(), e);
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(output)) {
      files = listing.filter(path -> path.toString().endsWith(".parquet")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the compacted files in " + output + ": " + e.getMessage(), e);
    }
    // Conflicts are checked from the snapshot the rewrite read; without it Iceberg checks from the first one
    // and sees the upserts' own deletes as new deletes for the replaced files.
    RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(planned);
    oldData.forEach(rewrite::deleteFile);
    oldDeletes.values().forEach(rewrite::deleteFile);
    files.forEach(path -> rewrite.addFile(dataFile(table, path)));
    rewrite.commit();
    table.refresh();
    return files.size();
  }

  @Override
  public void close() {
    try {
      duckdb.close();
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot close the file-writing DuckDB: " + e.getMessage(), e);
    }
  }

  private static Path dataDirectory(Table table) {
    String location = table.location();
    Path path = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
    Path data = path.resolve("data");
    try {
      Files.createDirectories(data);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + data + ": " + e.getMessage(), e);
    }
    return data;
  }

  private static DataFile dataFile(Table table, Path path) {
    InputFile input = table.io().newInputFile(path.toString());
    Metrics metrics = ParquetUtil.fileMetrics(input, MetricsConfig.forTable(table));
    return DataFiles.builder(table.spec())
        .withPath(path.toString())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(input.getLength())
        .withMetrics(metrics)
        .build();
  }

  private static DeleteFile equalityDeleteFile(Table table, Path path) {
    InputFile input = table.io().newInputFile(path.toString());
    Metrics metrics = ParquetUtil.fileMetrics(input, MetricsConfig.forTable(table));
    PartitionSpec spec = table.spec();
    return FileMetadata.deleteFileBuilder(spec)
        .ofEqualityDeletes(ID_FIELD)
        .withPath(path.toString())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(input.getLength())
        .withMetrics(metrics)
        .build();
  }

  private void copy(String select, Path path, String fieldIds) {
    execute("COPY (" + select + ") TO " + literal(path.toString()) + " (FORMAT parquet, "
        + (fieldIds.isEmpty() ? "" : fieldIds + ", ") + ROW_GROUP_SIZE + ")");
  }

  private void execute(String sql) {
    try (Statement statement = duckdb.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot write benchmark files: " + e.getMessage() + " (statement: "
          + (sql.length() > 200 ? sql.substring(0, 200) + "..." : sql) + ")", e);
    }
  }

  /** A single value from the file-writing DuckDB, such as its version. */
  String scalar(String sql) {
    try (Statement statement = duckdb.createStatement(); ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot run " + sql + ": " + e.getMessage(), e);
    }
  }

  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
