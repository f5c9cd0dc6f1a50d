package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import io.tributary.lake.TablePositions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;

/**
 * The bronze change logs of the silver tables an {@code incremental-by} model reads: how far the last run got
 * (recorded in the gold snapshot summary) and which of the model's unique keys changed since.
 *
 * <p>A silver table's changes since a position are the bronze rows after it; their primary keys name the source
 * rows that changed, and every bronze version of those rows (old and new values, and the earlier versions of a
 * delete whose bronze row holds only the key) names the model keys they fed. A delete's bronze row whose mapped
 * columns are all NULL adds no key: without REPLICA IDENTITY FULL those NULLs are not values the row had, and the
 * values it had are in its earlier versions.
 */
final class UpstreamLog {
  /** Snapshot summary prefix of a gold table: {@code tributary.upstream.<silver table>=<bronze position>}. */
  static final String POSITION_PREFIX = "tributary.upstream.";
  static final String BRONZE_SNAPSHOT_SUFFIX = ".bronze-snapshot";
  static final String POSITION = "_position";
  static final String OP = "_op";
  private static final String BRONZE = "bronze";

  /** One upstream silver table, its bronze log and the bronze snapshot it was at before this run's reads. */
  record Source(String silver, String bronze, List<String> primaryKey, List<String> keyColumns,
      long bronzeSnapshot, Optional<String> silverPosition) {
    Source {
      requireNonNull(silver, "silver is null");
      requireNonNull(bronze, "bronze is null");
      requireNonNull(silverPosition, "silverPosition is null");
      primaryKey = List.copyOf(primaryKey);
      keyColumns = List.copyOf(keyColumns);
    }
  }

  /** Either the sources of a model that can run by key, or why it cannot. */
  record Sources(List<Source> sources, Optional<String> fallback) {
    Sources {
      sources = List.copyOf(sources);
      requireNonNull(fallback, "fallback is null");
    }

    static Sources fallback(String reason) {
      return new Sources(List.of(), Optional.of(reason));
    }
  }

  private UpstreamLog() {}

  /**
   * The sources of the model, read from the catalog before the SQL engine moves to the current snapshots, so the
   * bronze snapshots recorded are at or before the ones the run reads.
   */
  static Sources sources(Catalog catalog, Model model) {
    if (!model.goldReferences().isEmpty()) {
      return Sources.fallback("it reads gold tables " + model.goldReferences()
          + ", whose changes have no bronze log");
    }
    for (String reference : model.references()) {
      if (!model.incrementalBy().containsKey(reference)) {
        return Sources.fallback("it reads " + reference + ", which incremental-by does not list");
      }
    }
    List<Source> sources = new ArrayList<>();
    for (Map.Entry<String, List<String>> entry : model.incrementalBy().entrySet()) {
      String name = entry.getKey().substring(Model.SILVER.length() + 1);
      Table silver;
      Table bronze;
      try {
        silver = catalog.loadTable(TableIdentifier.of(Model.SILVER, name));
      } catch (NoSuchTableException e) {
        throw new IllegalStateException("Cannot refresh model " + model.name() + ": " + entry.getKey()
            + " of its incremental-by is not in the lake (fix incremental-by or the query)", e);
      }
      try {
        bronze = catalog.loadTable(TableIdentifier.of(BRONZE, name));
      } catch (NoSuchTableException e) {
        return Sources.fallback(entry.getKey() + " has no bronze change log " + BRONZE + "." + name);
      }
      Schema schema = silver.schema();
      for (String column : entry.getValue()) {
        if (schema.caseInsensitiveFindField(column) == null) {
          throw new IllegalStateException("Cannot refresh model " + model.name() + ": column " + column
              + " of incremental-by " + entry.getKey() + " is not in " + entry.getKey() + " (columns: "
              + schema.columns().stream().map(Types.NestedField::name).collect(Collectors.joining(", "))
              + "; fix incremental-by)");
        }
      }
      if (schema.identifierFieldIds().isEmpty()) {
        return Sources.fallback(entry.getKey() + " has no primary key (identifier fields)");
      }
      if (schema.findField(POSITION) == null) {
        return Sources.fallback(entry.getKey() + " has no " + POSITION + " column");
      }
      List<String> primaryKey = schema.identifierFieldIds().stream().sorted()
          .map(id -> schema.findField(id).name()).toList();
      List<String> needed = new ArrayList<>(primaryKey);
      needed.addAll(entry.getValue());
      needed.add(POSITION);
      needed.add(OP);
      for (String column : needed) {
        if (bronze.schema().caseInsensitiveFindField(column) == null) {
          return Sources.fallback("its bronze log " + BRONZE + "." + name + " has no column " + column);
        }
      }
      if (bronze.currentSnapshot() == null) {
        return Sources.fallback("its bronze log " + BRONZE + "." + name + " has no snapshot yet");
      }
      // Compaction snapshots record no position: the last snapshot that does tells how far silver got.
      Optional<String> silverPosition = TablePositions.recorded(silver);
      sources.add(new Source(entry.getKey(), BRONZE + "." + name, primaryKey, entry.getValue(),
          bronze.currentSnapshot().snapshotId(), silverPosition));
    }
    return new Sources(sources, Optional.empty());
  }

  /**
   * The position up to which the run's reads hold every change of each source: the lower of bronze's highest
   * {@code _position} and silver's position (the one its snapshot records, taken before the reads; else its highest
   * {@code _position}, lower after deletes), as one may be a commit ahead of the other. Changes after it are read
   * again next run.
   */
  static Map<String, String> positions(Connection connection, List<Source> sources) throws SQLException {
    Map<String, String> positions = new LinkedHashMap<>();
    for (Source source : sources) {
      String bronze = max(connection, source.bronze());
      String silver = source.silverPosition().isPresent()
          ? source.silverPosition().get()
          : max(connection, source.silver());
      positions.put(source.silver(), bronze.compareTo(silver) <= 0 ? bronze : silver);
    }
    return positions;
  }

  private static String max(Connection connection, String table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT max(" + ModelProject.ident(POSITION) + ") FROM "
            + qualified(table))) {
      rows.next();
      return Optional.ofNullable(rows.getString(1)).orElse("");
    }
  }

  /** The summary entries a run records. */
  static Map<String, String> summary(List<Source> sources, Map<String, String> positions) {
    Map<String, String> summary = new LinkedHashMap<>();
    for (Source source : sources) {
      summary.put(POSITION_PREFIX + source.silver(), positions.get(source.silver()));
      summary.put(POSITION_PREFIX + source.silver() + BRONZE_SNAPSHOT_SUFFIX, String.valueOf(source.bronzeSnapshot()));
    }
    return summary;
  }

  /**
   * The positions the gold snapshot recorded for every source, or why the run cannot start from them: none
   * recorded (a first run), or a bronze log that was not only appended to (or compacted) since (wiped, expired).
   */
  static Optional<String> unusable(Catalog catalog, Snapshot gold, List<Source> sources, Map<String, String> now) {
    Map<String, String> summary = gold.summary();
    for (Source source : sources) {
      String position = summary.get(POSITION_PREFIX + source.silver());
      String snapshot = summary.get(POSITION_PREFIX + source.silver() + BRONZE_SNAPSHOT_SUFFIX);
      if (position == null || snapshot == null) {
        return Optional.of("the gold table records no position of " + source.silver() + " (a first run)");
      }
      if (now.get(source.silver()).compareTo(position) < 0) {
        return Optional.of(source.bronze() + " is behind the recorded position " + position + " (rewritten)");
      }
      Table bronze = catalog.loadTable(TableIdentifier.of(BRONZE, source.bronze().substring(BRONZE.length() + 1)));
      long recorded;
      try {
        recorded = Long.parseLong(snapshot);
      } catch (NumberFormatException e) {
        return Optional.of("the recorded bronze snapshot of " + source.silver() + " is not a number: " + snapshot);
      }
      Snapshot current = bronze.snapshot(source.bronzeSnapshot());
      while (current != null && current.snapshotId() != recorded) {
        // A replace (compaction) rewrites files without changing rows: the log still holds the same changes.
        if (!DataOperations.APPEND.equals(current.operation()) && !DataOperations.REPLACE.equals(current.operation())) {
          return Optional.of(source.bronze() + " was changed by a " + current.operation() + " (snapshot "
              + current.snapshotId() + ") since the last run, not only appended to");
        }
        current = current.parentId() == null ? null : bronze.snapshot(current.parentId());
      }
      if (current == null) {
        return Optional.of(source.bronze() + " no longer has the snapshot " + recorded
            + " of the last run (rewritten or expired)");
      }
    }
    return Optional.empty();
  }

  /**
   * A query of the model keys (named and typed as the gold table's key columns) fed by the source rows that
   * changed after the recorded positions.
   */
  static String affectedKeys(Snapshot gold, List<Source> sources, List<Types.NestedField> goldKeys) {
    List<String> selects = new ArrayList<>();
    for (Source source : sources) {
      String position = gold.summary().get(POSITION_PREFIX + source.silver());
      StringBuilder select = new StringBuilder("SELECT ");
      for (int i = 0; i < goldKeys.size(); i++) {
        Types.NestedField key = goldKeys.get(i);
        select.append(i == 0 ? "" : ", ").append("CAST(b.").append(ModelProject.ident(source.keyColumns().get(i)))
            .append(" AS ").append(GoldTypes.duckDb(key.type())).append(") AS ")
            .append(ModelProject.ident(key.name()));
      }
      select.append(" FROM ").append(qualified(source.bronze())).append(" b WHERE EXISTS (SELECT 1 FROM ")
          .append(qualified(source.bronze())).append(" c WHERE c.").append(ModelProject.ident(POSITION))
          .append(" > '").append(position.replace("'", "''")).append("'");
      for (String column : source.primaryKey()) {
        select.append(" AND c.").append(ModelProject.ident(column)).append(" = b.")
            .append(ModelProject.ident(column));
      }
      select.append(")");
      // A delete's bronze row may hold only the primary key: its other columns are NULL, not values it had.
      select.append(" AND NOT (b.").append(ModelProject.ident(OP)).append(" IS NOT DISTINCT FROM 'd'")
          .append(source.keyColumns().stream().map(column -> " AND b." + ModelProject.ident(column) + " IS NULL")
              .collect(Collectors.joining())).append(")");
      selects.add(select.toString());
    }
    // UNION (not UNION ALL) makes the keys distinct.
    return String.join("\nUNION\n", selects);
  }

  /**
   * The rows of {@code query} whose key columns match a row of {@code keys}, NULL matching NULL. Keys without NULLs
   * are matched with {@code IN}, which DuckDB pushes down into the query's scans; the few with a NULL, only when
   * {@code nullKeys}, by a second pass.
   */
  static String restrict(String query, String keys, List<Types.NestedField> goldKeys, boolean nullKeys) {
    String exact = "EXISTS (SELECT 1 FROM " + keys + " k WHERE " + goldKeys.stream()
        .map(key -> "r." + ModelProject.ident(key.name()) + " IS NOT DISTINCT FROM k." + ModelProject.ident(key.name()))
        .collect(Collectors.joining(" AND ")) + ")";
    String in = goldKeys.stream()
        .map(key -> "r." + ModelProject.ident(key.name()) + " IN (SELECT " + ModelProject.ident(key.name()) + " FROM "
            + keys + ")")
        .collect(Collectors.joining(" AND "));
    String sql = "SELECT * FROM (" + query + "\n) r WHERE " + in + (goldKeys.size() > 1 ? " AND " + exact : "");
    if (nullKeys) {
      sql += "\nUNION ALL SELECT * FROM (" + query + "\n) r WHERE (" + goldKeys.stream()
          .map(key -> "r." + ModelProject.ident(key.name()) + " IS NULL").collect(Collectors.joining(" OR "))
          + ") AND " + exact;
    }
    return sql;
  }

  /** A condition that a row of {@code keys} has a NULL key column. */
  static String hasNull(List<Types.NestedField> goldKeys) {
    return goldKeys.stream().map(key -> ModelProject.ident(key.name()) + " IS NULL")
        .collect(Collectors.joining(" OR "));
  }

  private static String qualified(String table) {
    int dot = table.indexOf('.');
    return ModelProject.ident(table.substring(0, dot)) + "." + ModelProject.ident(table.substring(dot + 1));
  }
}
