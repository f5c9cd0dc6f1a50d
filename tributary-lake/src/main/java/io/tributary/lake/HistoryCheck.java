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
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Checks the invariants of {@code history.<table>} against silver and bronze: per key, versions never
 * overlap, follow each other without gaps except across a delete, at most one is open (and only the
 * open one has no end), the open versions are exactly silver's rows, and every {@code _sk} is unique.
 */
public final class HistoryCheck {
  private static final int MAX_VIOLATIONS = 20;

  private HistoryCheck() {}

  /** The invariants {@code history.<table>} breaks, as sentences naming the key; empty when it holds them all. */
  public static List<String> violations(Lake lake, String table) {
    requireNonNull(lake, "lake is null");
    requireNonNull(table, "table is null");
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
    return violations.size() > MAX_VIOLATIONS ? violations.subList(0, MAX_VIOLATIONS) : violations;
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
