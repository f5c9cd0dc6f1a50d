package io.tributary.server;

import static java.util.Objects.requireNonNull;

import io.tributary.lake.Lake;
import io.tributary.lake.LakeProperties;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryException;
import io.tributary.sql.QueryResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;

/**
 * The lake's tables as the API shows them: metadata from the Iceberg catalog (files, snapshots,
 * schema), row counts and rows through a SQL engine of the server's own. Row counts are kept per
 * snapshot, so a table is counted again only after it changed.
 */
final class LakeView {
  /** The layers in flow order; other namespaces (dead letters in {@code errors}) come after them. */
  static final List<String> LAYERS = List.of("raw", "bronze", "silver", "history", "gold");
  static final String ERRORS = Lake.ERRORS;
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*");
  private static final Duration REFRESH_EVERY = Duration.ofSeconds(1);

  private final Lake lake;
  private final LakeSqlEngine engine;
  private final Clock clock;
  private final Map<String, Count> counts = new ConcurrentHashMap<>();
  private volatile long refreshedAt;

  private record Count(long snapshotId, long rows) {}

  LakeView(Lake lake, LakeSqlEngine engine, Clock clock) {
    this.lake = requireNonNull(lake, "lake is null");
    this.engine = requireNonNull(engine, "engine is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Every table outside Tributary's own namespace, as {@code namespace.table}, in layer order. */
  List<String> tables() {
    List<String> names = new ArrayList<>();
    for (Namespace namespace : lake.catalog().listNamespaces()) {
      if (namespace.toString().equals(Lake.SYSTEM)) {
        continue;
      }
      for (TableIdentifier identifier : lake.catalog().listTables(namespace)) {
        names.add(namespace + "." + identifier.name());
      }
    }
    names.sort(Comparator.comparingInt((String name) -> layerOrder(name.substring(0, name.indexOf('.'))))
        .thenComparing(Comparator.naturalOrder()));
    return names;
  }

  static int layerOrder(String layer) {
    int index = LAYERS.indexOf(layer);
    return index >= 0 ? index : LAYERS.size();
  }

  Optional<Table> table(String name) {
    if (!NAME.matcher(name).matches() || name.startsWith(Lake.SYSTEM + ".")) {
      return Optional.empty();
    }
    try {
      return Optional.of(lake.catalog().loadTable(TableIdentifier.parse(name)));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  /** The table's summary: rows, files, size, last commit and how long ago it was. */
  Map<String, Object> summary(String name, Table table) {
    Snapshot current = table.currentSnapshot();
    Map<String, Object> summary = new LinkedHashMap<>();
    int dot = name.indexOf('.');
    summary.put("name", name);
    summary.put("layer", name.substring(0, dot));
    summary.put("table", name.substring(dot + 1));
    summary.put("source", table.properties().get(LakeProperties.SOURCE));
    summary.put("sourceTable", table.properties().get(LakeProperties.SOURCE_TABLE));
    summary.put("rows", current == null ? 0L : rows(name, current));
    Map<String, String> totals = current == null ? Map.of() : current.summary();
    summary.put("dataFiles", number(totals, SnapshotSummary.TOTAL_DATA_FILES_PROP));
    summary.put("deleteFiles", number(totals, SnapshotSummary.TOTAL_DELETE_FILES_PROP));
    summary.put("sizeBytes", number(totals, SnapshotSummary.TOTAL_FILE_SIZE_PROP));
    summary.put("snapshots", table.history().size());
    summary.put("lastCommit", current == null ? null : commit(name, current));
    summary.put("freshnessSeconds", current == null ? null
        : Math.max(0, clock.millis() - current.timestampMillis()) / 1000.0);
    return summary;
  }

  /** One commit of a table: the snapshot with what it added and removed and the source position it holds. */
  static Map<String, Object> commit(String name, Snapshot snapshot) {
    Map<String, String> summary = snapshot.summary();
    return Json.object(
        "table", name,
        "snapshotId", snapshot.snapshotId(),
        "at", Instant.ofEpochMilli(snapshot.timestampMillis()),
        "operation", snapshot.operation(),
        "addedRows", number(summary, SnapshotSummary.ADDED_RECORDS_PROP),
        "deletedRows", number(summary, SnapshotSummary.DELETED_RECORDS_PROP),
        "addedEqualityDeletes", number(summary, SnapshotSummary.ADDED_EQ_DELETES_PROP),
        "addedFiles", number(summary, SnapshotSummary.ADDED_FILES_PROP),
        "source", summary.get(LakeProperties.SOURCE),
        "position", summary.get(LakeProperties.POSITION));
  }

  /** The newest commits of every table, newest first. */
  List<Map<String, Object>> recentCommits(int limit, Optional<String> onlyTable) {
    List<Map.Entry<String, Snapshot>> snapshots = new ArrayList<>();
    for (String name : onlyTable.map(List::of).orElseGet(this::tables)) {
      table(name).ifPresent(table -> {
        List<Snapshot> all = new ArrayList<>();
        table.snapshots().forEach(all::add);
        all.sort(Comparator.comparingLong(Snapshot::timestampMillis).reversed());
        all.stream().limit(limit).forEach(snapshot -> snapshots.add(Map.entry(name, snapshot)));
      });
    }
    snapshots.sort(Comparator.comparingLong((Map.Entry<String, Snapshot> entry) -> entry.getValue().timestampMillis())
        .reversed());
    return snapshots.stream().limit(limit).map(entry -> commit(entry.getKey(), entry.getValue())).toList();
  }

  /** The columns of a table with their Iceberg types; key columns are the table's identifier fields. */
  static List<Map<String, Object>> schema(Table table) {
    Set<Integer> key = table.schema().identifierFieldIds();
    List<Map<String, Object>> columns = new ArrayList<>();
    for (Types.NestedField field : table.schema().columns()) {
      columns.add(Json.object("id", field.fieldId(), "name", field.name(), "type", field.type().toString(),
          "required", field.isRequired(), "key", key.contains(field.fieldId()), "doc", field.doc()));
    }
    return columns;
  }

  /** The key columns of a lake table: its silver table's identifier fields. */
  List<String> keyColumns(String name) {
    String bare = name.substring(name.indexOf('.') + 1);
    return table(Lake.SILVER + "." + bare)
        .map(silver -> silver.schema().identifierFieldNames().stream().sorted(
            Comparator.comparingInt(column -> silver.schema().findField(column).fieldId())).toList())
        .orElse(List.of());
  }

  /**
   * Every version of one key of a table: from {@code history.T} when the lake has it, otherwise the
   * changes of {@code bronze.T}, oldest first.
   */
  Map<String, Object> history(String name, Map<String, String> key) {
    String bare = name.substring(name.indexOf('.') + 1);
    boolean fromHistory = table("history." + bare).isPresent();
    String from = fromHistory ? "history." + bare : Lake.BRONZE + "." + bare;
    if (table(from).isEmpty()) {
      throw new NotFoundException("Cannot show the history of " + name + ": the lake has neither history." + bare
          + " nor bronze." + bare);
    }
    List<String> keyColumns = keyColumns(name);
    if (keyColumns.isEmpty()) {
      throw new IllegalArgumentException("Cannot show the history of " + name + ": the table has no key columns");
    }
    StringBuilder where = new StringBuilder();
    for (String column : keyColumns) {
      String value = key.get(column);
      if (value == null) {
        throw new IllegalArgumentException("Cannot show the history of " + name + ": give the key column " + column
            + " as ?" + column + "=value (key columns: " + String.join(", ", keyColumns) + ")");
      }
      where.append(where.length() == 0 ? " WHERE " : " AND ")
          .append("CAST(").append(quote(column)).append(" AS VARCHAR) = '").append(value.replace("'", "''"))
          .append("'");
    }
    String order = fromHistory ? "_valid_from, _recorded_at" : "_position";
    QueryResult result = query("SELECT * FROM " + from + where + " ORDER BY " + order + " LIMIT 1000");
    return Json.object("table", name, "from", from, "key", key, "columns", result.columnNames(),
        "types", result.columnTypes(), "rows", result.rows());
  }

  long rows(String name, Snapshot snapshot) {
    Count count = counts.get(name);
    if (count != null && count.snapshotId() == snapshot.snapshotId()) {
      return count.rows();
    }
    long rows = appendOnlyRows(snapshot).orElseGet(() -> ((Number) query("SELECT count(*) FROM " + name).rows()
        .get(0).get(0)).longValue());
    counts.put(name, new Count(snapshot.snapshotId(), rows));
    return rows;
  }

  /** A table without delete files has exactly the records its snapshot summary counts. */
  private static Optional<Long> appendOnlyRows(Snapshot snapshot) {
    Map<String, String> summary = snapshot.summary();
    if (summary.containsKey(SnapshotSummary.TOTAL_RECORDS_PROP)
        && "0".equals(summary.getOrDefault(SnapshotSummary.TOTAL_DELETE_FILES_PROP, "0"))) {
      return Optional.of(Long.parseLong(summary.get(SnapshotSummary.TOTAL_RECORDS_PROP)));
    }
    return Optional.empty();
  }

  /** Up to {@code limit} rows of a table, for dead letters. */
  QueryResult rows(String name, int limit) {
    return query("SELECT * FROM " + name + " LIMIT " + limit);
  }

  private QueryResult query(String sql) {
    synchronized (engine) {
      long now = System.nanoTime();
      if (now - refreshedAt > REFRESH_EVERY.toNanos()) {
        engine.refresh();
        refreshedAt = now;
      }
      try {
        return engine.query(sql);
      } catch (QueryException e) {
        // A table created since the last refresh has no view yet.
        engine.refresh();
        refreshedAt = System.nanoTime();
        return engine.query(sql);
      }
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static Long number(Map<String, String> summary, String key) {
    String value = summary.get(key);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A table or resource the request names does not exist. */
  static final class NotFoundException extends RuntimeException {
    NotFoundException(String message) {
      super(message);
    }
  }
}
