package io.tributary.sql;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Builds the DuckDB query that reads the current snapshot of one Iceberg table.
 *
 * <p>Data files come from Iceberg planning and are read with {@code read_parquet}, columns matched by
 * Iceberg field id (so renamed, added and promoted columns read as Iceberg reads them). Position deletes
 * are an anti-join on (file, row number); equality deletes are an anti-join on the equality columns,
 * limited to data files with a smaller data sequence number and, for partitioned delete files, the same
 * partition: the rules of the Iceberg spec.
 */
final class SnapshotViewSql {
  private static final String FILE_COLUMN = "__tributary_file";
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

  private final String tableName;
  private final Table table;
  private final Optional<Snapshot> snapshot;
  private final Schema schema;

  /** Reads the table's current snapshot. */
  SnapshotViewSql(String tableName, Table table) {
    this(tableName, table, Optional.ofNullable(table.currentSnapshot()));
  }

  /** Reads {@code snapshot} of the table (empty: the table has no snapshot, it reads as empty). */
  SnapshotViewSql(String tableName, Table table, Optional<Snapshot> snapshot) {
    this.tableName = requireNonNull(tableName, "tableName is null");
    this.table = requireNonNull(table, "table is null");
    this.snapshot = requireNonNull(snapshot, "snapshot is null");
    // An older snapshot is read with the schema it was written with, as Iceberg's time travel does; the
    // current one with the current schema, which may have changed without a new snapshot.
    boolean current = snapshot.isEmpty() || table.currentSnapshot() == null
        || snapshot.get().snapshotId() == table.currentSnapshot().snapshotId();
    this.schema = current
        ? table.schema()
        : Optional.ofNullable(snapshot.get().schemaId()).map(id -> table.schemas().get(id)).orElse(table.schema());
  }

  /** The SELECT statement of the view. */
  String select() {
    if (snapshot.isEmpty()) {
      return emptySelect();
    }
    Map<String, DataFileRef> dataFiles = new LinkedHashMap<>();
    Map<String, DeleteFile> positionDeletes = new LinkedHashMap<>();
    Map<String, DeleteFile> equalityDeletes = new LinkedHashMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.get().snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        String location = task.file().location();
        checkParquet(task.file());
        dataFiles.putIfAbsent(location, new DataFileRef(location, localPath(location),
            sequence(task.file()), partitionKey(task.file())));
        for (DeleteFile delete : task.deletes()) {
          checkParquet(delete);
          if (delete.content() == FileContent.POSITION_DELETES) {
            positionDeletes.putIfAbsent(delete.location(), delete);
          } else {
            equalityDeletes.putIfAbsent(delete.location(), delete);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the files of table " + tableName + ": " + e.getMessage(), e);
    }
    if (dataFiles.isEmpty()) {
      return emptySelect();
    }
    return dataSelect(new ArrayList<>(dataFiles.values()), new ArrayList<>(positionDeletes.values()),
        new ArrayList<>(equalityDeletes.values()));
  }

  private String emptySelect() {
    String columns = schema.columns().stream()
        .map(field -> "CAST(NULL AS " + DuckDbTypes.of(field.type()) + ") AS " + Sql.identifier(field.name()))
        .collect(Collectors.joining(", "));
    return "SELECT " + columns + " WHERE false";
  }

  private String dataSelect(
      List<DataFileRef> dataFiles, List<DeleteFile> positionDeletes, List<DeleteFile> equalityDeletes) {
    boolean needsFileInfo = !positionDeletes.isEmpty() || !equalityDeletes.isEmpty();
    StringBuilder sql = new StringBuilder();
    List<String> ctes = new ArrayList<>();
    ctes.add("\"__rows\" AS (SELECT * FROM " + readParquet(
        dataFiles.stream().map(DataFileRef::path).toList(), schema.columns(), needsFileInfo) + ")");
    if (!needsFileInfo) {
      return withClause(ctes) + "SELECT " + projection("r") + " FROM \"__rows\" r";
    }
    ctes.add("\"__files\"(location, path, seq, part) AS (VALUES " + dataFiles.stream()
        .map(file -> "(" + Sql.literal(file.location()) + ", " + Sql.literal(file.path()) + ", "
            + file.sequence() + ", " + Sql.literal(file.partition()) + ")")
        .collect(Collectors.joining(", ")) + ")");
    ctes.add("\"__data\" AS (SELECT r.*, f.seq AS \"__seq\", f.part AS \"__part\" FROM \"__rows\" r "
        + "JOIN \"__files\" f ON r." + Sql.identifier(FILE_COLUMN) + " = f.path)");
    StringBuilder joins = new StringBuilder();
    if (!positionDeletes.isEmpty()) {
      List<String> paths = positionDeletes.stream().map(file -> localPath(file.location())).toList();
      // Delete files name data files by their Iceberg location; translate to the paths DuckDB read.
      ctes.add("\"__positions\" AS (SELECT f.path, p.pos FROM read_parquet(" + pathList(paths)
          + ", hive_partitioning=false) p JOIN \"__files\" f ON p.file_path = f.location)");
      joins.append(" ANTI JOIN \"__positions\" p ON d.").append(Sql.identifier(FILE_COLUMN))
          .append(" = p.path AND d.file_row_number = p.pos");
    }
    Map<String, List<DeleteFile>> equalityGroups = equalityDeletes.stream().collect(Collectors.groupingBy(
        file -> file.equalityFieldIds().stream().sorted().map(String::valueOf).collect(Collectors.joining(","))
            + (isUnpartitioned(file) ? "/global" : "/partition"),
        LinkedHashMap::new, Collectors.toList()));
    int group = 0;
    for (List<DeleteFile> files : equalityGroups.values()) {
      String name = "__equality_" + group++;
      List<Types.NestedField> keys = files.get(0).equalityFieldIds().stream().sorted()
          .map(id -> equalityField(id, files.get(0))).toList();
      boolean global = isUnpartitioned(files.get(0));
      String deleteInfo = "(VALUES " + files.stream()
          .map(file -> "(" + Sql.literal(localPath(file.location())) + ", " + sequence(file) + ", "
              + Sql.literal(partitionKey(file)) + ")")
          .collect(Collectors.joining(", ")) + ") g(path, seq, part)";
      String keyColumns = keys.stream().map(key -> "e." + column(key)).collect(Collectors.joining(", "));
      ctes.add(Sql.identifier(name) + " AS (SELECT " + keyColumns + ", g.seq, g.part FROM "
          + readParquet(files.stream().map(file -> localPath(file.location())).toList(), keys, true)
          + " e JOIN " + deleteInfo + " ON e." + Sql.identifier(FILE_COLUMN) + " = g.path)");
      String alias = "e" + group;
      joins.append(" ANTI JOIN ").append(Sql.identifier(name)).append(' ').append(alias).append(" ON ")
          .append(keys.stream()
              .map(key -> "d." + column(key) + " IS NOT DISTINCT FROM " + alias + "." + column(key))
              .collect(Collectors.joining(" AND ")))
          .append(" AND ").append(alias).append(".seq > d.\"__seq\"");
      if (!global) {
        joins.append(" AND ").append(alias).append(".part = d.\"__part\"");
      }
    }
    return withClause(ctes) + "SELECT " + projection("d") + " FROM \"__data\" d" + joins;
  }

  private Types.NestedField equalityField(int id, DeleteFile file) {
    Types.NestedField field = schema.findField(id);
    if (field == null) {
      throw new IllegalStateException("Cannot read table " + tableName + ": equality delete file "
          + file.location() + " deletes by field id " + id + ", which is not in the current schema"
          + " (rewrite the table's deletes with Iceberg maintenance)");
    }
    return field;
  }

  private static String withClause(List<String> ctes) {
    return "WITH " + String.join(",\n", ctes) + "\n";
  }

  private String projection(String alias) {
    return schema.columns().stream()
        .map(field -> alias + "." + column(field) + " AS " + Sql.identifier(field.name()))
        .collect(Collectors.joining(", "));
  }

  /** Columns are read under names derived from field ids so they never clash with DuckDB's own. */
  private static String column(Types.NestedField field) {
    return Sql.identifier("__c" + field.fieldId());
  }

  private static String readParquet(List<String> paths, List<Types.NestedField> fields, boolean fileInfo) {
    String schemaMap = fields.stream()
        .map(field -> field.fieldId() + ": {name: " + Sql.literal("__c" + field.fieldId()) + ", type: "
            + Sql.literal(DuckDbTypes.of(field.type())) + ", default_value: NULL}")
        .collect(Collectors.joining(", ", "MAP {", "}"));
    return "read_parquet(" + pathList(paths) + ", hive_partitioning=false"
        + (fileInfo ? ", filename=" + Sql.literal(FILE_COLUMN) + ", file_row_number=true" : "")
        + ", schema=" + schemaMap + ")";
  }

  private static String pathList(List<String> paths) {
    return paths.stream().map(Sql::literal).collect(Collectors.joining(", ", "[", "]"));
  }

  /** Format v1 files carry no sequence number; they are all 0 and v1 has no delete files. */
  private static long sequence(ContentFile<?> file) {
    Long sequence = file.dataSequenceNumber();
    return sequence == null ? 0L : sequence;
  }

  private boolean isUnpartitioned(ContentFile<?> file) {
    return table.specs().get(file.specId()).isUnpartitioned();
  }

  private String partitionKey(ContentFile<?> file) {
    PartitionSpec spec = table.specs().get(file.specId());
    return spec.isUnpartitioned() ? "" : file.specId() + "/" + spec.partitionToPath(file.partition());
  }

  private void checkParquet(ContentFile<?> file) {
    if (file.format() != FileFormat.PARQUET) {
      throw new IllegalStateException("Cannot read table " + tableName + ": file " + file.location()
          + " is " + file.format() + ", only Parquet data and delete files are supported");
    }
  }

  private String localPath(String location) {
    if (location.startsWith("file://")) {
      return location.substring("file://".length());
    }
    if (location.startsWith("file:")) {
      return location.substring("file:".length());
    }
    if (URI_SCHEME.matcher(location).matches()) {
      throw new IllegalStateException("Cannot read table " + tableName + ": file " + location
          + " is not on the local file system (only local warehouses can be queried for now)");
    }
    return location;
  }

  private record DataFileRef(String location, String path, long sequence, String partition) {}
}
