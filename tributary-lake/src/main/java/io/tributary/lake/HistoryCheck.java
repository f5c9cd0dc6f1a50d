package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import io.tributary.api.Column;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.core.config.TableConfig;
import io.tributary.core.shape.Shaping;
import io.tributary.core.shape.SqlExpressions;
import io.tributary.core.shape.TableShaper;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Checks {@code history.<table>} against silver and bronze: per key, versions never overlap, follow
 * each other without gaps except across a delete, at most one is open (and only the open one has no
 * end), the open versions are exactly silver's rows, every {@code _sk} is unique, and the versions are
 * exactly those that bronze's changes make (none lost, none twice, whatever the commits were).
 */
public final class HistoryCheck {
  private static final int MAX_VIOLATIONS = 20;

  private HistoryCheck() {}

  /** The invariants {@code history.<table>} breaks, for a table without configuration. */
  public static List<String> violations(Lake lake, String table) {
    return violations(lake, TableConfig.defaults(requireNonNull(table, "table is null")));
  }

  /** The invariants {@code history.<table>} breaks, as sentences naming the key; empty when it holds them all. */
  public static List<String> violations(Lake lake, TableConfig config) {
    requireNonNull(lake, "lake is null");
    requireNonNull(config, "config is null");
    String table = config.name();
    Table silver = lake.catalog().loadTable(TableIdentifier.of(Lake.SILVER, table));
    Table history = lake.catalog().loadTable(TableIdentifier.of(Lake.HISTORY, table));
    Table bronze = lake.catalog().loadTable(TableIdentifier.of(Lake.BRONZE, table));
    List<String> keyColumns = new ArrayList<>();
    for (Integer id : silver.schema().identifierFieldIds()) {
      keyColumns.add(silver.schema().findField(id).name());
    }
    List<String> dataColumns = new ArrayList<>();
    for (Types.NestedField field : silver.schema().columns()) {
      if (!field.name().equals(IcebergLakeWriter.POSITION) && !field.name().equals(IcebergLakeWriter.COMMIT_TS)
          && history.schema().findField(field.name()) != null) {
        dataColumns.add(field.name());
      }
    }

    Map<List<Object>, Record> silverRows = new HashMap<>();
    for (Record record : read(silver)) {
      silverRows.put(key(record, keyColumns), record);
    }
    Set<List<Object>> deleted = new HashSet<>();
    for (Record record : read(bronze)) {
      if ("d".equals(record.getField(IcebergLakeWriter.OP))) {
        deleted.add(key(record, keyColumns));
      }
    }
    Map<List<Object>, List<Record>> versions = new HashMap<>();
    Set<String> sks = new HashSet<>();
    List<String> violations = new ArrayList<>();
    for (Record record : read(history)) {
      versions.computeIfAbsent(key(record, keyColumns), k -> new ArrayList<>()).add(record);
      if (!sks.add((String) record.getField(HistoryLayer.SK))) {
        violations.add("_sk " + record.getField(HistoryLayer.SK) + " appears twice");
      }
    }

    Comparator<Record> byStart = Comparator.comparing(
        (Record record) -> record.getField(HistoryLayer.VALID_FROM), Versions.VALUES);
    for (Map.Entry<List<Object>, List<Record>> entry : versions.entrySet()) {
      List<Object> key = entry.getKey();
      List<Record> keyVersions = entry.getValue();
      keyVersions.sort(byStart);
      int open = 0;
      for (int i = 0; i < keyVersions.size(); i++) {
        Record version = keyVersions.get(i);
        boolean current = (Boolean) version.getField(HistoryLayer.IS_CURRENT);
        Object from = version.getField(HistoryLayer.VALID_FROM);
        Object to = version.getField(HistoryLayer.VALID_TO);
        if (current) {
          open++;
          if (to != null) {
            violations.add("key " + key + ": open version " + version.getField(HistoryLayer.SK) + " has _valid_to " + to);
          }
          if (i != keyVersions.size() - 1) {
            violations.add("key " + key + ": open version " + version.getField(HistoryLayer.SK)
                + " is not the last one");
          }
        } else if (to != null && Versions.VALUES.compare(to, from) < 0) {
          violations.add("key " + key + ": version " + version.getField(HistoryLayer.SK) + " ends (" + to
              + ") before it starts (" + from + ")");
        }
        if (i + 1 < keyVersions.size()) {
          Object nextFrom = keyVersions.get(i + 1).getField(HistoryLayer.VALID_FROM);
          if (current || to == null || Versions.VALUES.compare(to, nextFrom) > 0) {
            violations.add("key " + key + ": version " + version.getField(HistoryLayer.SK) + " [" + from + ", " + to
                + ") overlaps the next one, from " + nextFrom);
          } else if (!to.equals(nextFrom) && !deleted.contains(key)) {
            violations.add("key " + key + ": a gap between " + to + " and " + nextFrom
                + " although the key was never deleted");
          }
        }
      }
      if (open > 1) {
        violations.add("key " + key + ": " + open + " open versions");
      }
      Record silverRow = silverRows.get(key);
      Record current = open == 0 ? null : keyVersions.get(keyVersions.size() - 1);
      if (silverRow == null && open > 0) {
        violations.add("key " + key + ": an open version but no silver row");
      } else if (silverRow != null && open == 0) {
        violations.add("key " + key + ": a silver row but no open version");
      } else if (silverRow != null) {
        for (String column : dataColumns) {
          if (!Objects.equals(silverRow.getField(column), current.getField(column))) {
            violations.add("key " + key + ": column " + column + " is " + current.getField(column)
                + " in the open version but " + silverRow.getField(column) + " in silver");
          }
        }
      }
      if (open == 0 && !deleted.contains(key)) {
        violations.add("key " + key + ": no open version although the key was never deleted");
      }
    }
    for (List<Object> key : silverRows.keySet()) {
      if (!versions.containsKey(key)) {
        violations.add("key " + key + ": in silver but without versions in history");
      }
    }
    if (config.shape().isIdentity()) {
      // bronze holds the source's rows; folding them again needs the shaping only when there is none
      violations.addAll(differencesFromBronze(bronze, history, keyColumns, config));
    }
    return violations.size() > MAX_VIOLATIONS ? violations.subList(0, MAX_VIOLATIONS) : violations;
  }

  /** The versions history holds that a fold of bronze's changes does not make, and those it lacks. */
  private static List<String> differencesFromBronze(Table bronze, Table history, List<String> keyColumns,
      TableConfig config) {
    Schema schema = history.schema();
    List<Column> columns = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      if (!HistoryLayer.COLUMNS.contains(field.name())) {
        columns.add(new Column(field.name(), IcebergTypes.fromIceberg(field.type()), true));
      }
    }
    String sourceTable = history.properties().getOrDefault(LakeProperties.SOURCE_TABLE, "public." + config.name());
    int dot = sourceTable.indexOf('.');
    TableId id = new TableId(history.properties().getOrDefault(LakeProperties.SOURCE, "source"),
        sourceTable.substring(0, dot), config.name());
    TableSchema sourceSchema = new TableSchema(id, columns, keyColumns);
    TableShaper shaper = new Shaping(name -> config, SqlExpressions.NONE).shaper(sourceSchema);
    HistoryLayer layer = new HistoryLayer(id, sourceSchema, shaper, config);
    String name = Lake.HISTORY + "." + config.name();
    Set<Versions.Version> expected = new HashSet<>();
    layer.readBronze(bronze, null, schema, name, new HashMap<>()).forEach((key, changes) ->
        expected.addAll(Versions.fold(name, key, List.of(), changes, layer.tracked())));
    Set<Versions.Version> stored = new HashSet<>();
    for (List<HistoryLayer.Row> rows : layer.readAll(history).values()) {
      rows.forEach(row -> stored.add(row.version()));
    }
    List<String> differences = new ArrayList<>();
    for (Versions.Version version : stored) {
      if (!expected.contains(version)) {
        differences.add("version " + version + " is not one bronze's changes make");
      }
    }
    for (Versions.Version version : expected) {
      if (!stored.contains(version)) {
        differences.add("version " + version + " of bronze's changes is missing");
      }
    }
    return differences;
  }

  private static List<Object> key(Record record, List<String> keyColumns) {
    List<Object> key = new ArrayList<>(keyColumns.size());
    for (String column : keyColumns) {
      key.add(record.getField(column));
    }
    return key;
  }

  private static List<Record> read(Table table) {
    Schema schema = table.schema();
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).project(schema).build()) {
      rows.forEach(record -> records.add(record.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + table.name() + ": " + e.getMessage(), e);
    }
    return records;
  }
}
