package io.tributary.cli;

import io.tributary.lake.Lake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Reads lake tables back with Iceberg's own merged read, independent of the SQL engine under test. */
final class LakeRows {
  private LakeRows() {}

  /** The rows of {@code layer.table}, each projected to {@code columns} in that order. */
  static List<List<Object>> read(Lake lake, String layer, String table, List<String> columns) {
    Table loaded = lake.catalog().loadTable(TableIdentifier.of(layer, table));
    List<List<Object>> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(loaded).build()) {
      for (Record record : records) {
        List<Object> row = new ArrayList<>(columns.size());
        for (String column : columns) {
          row.add(record.getField(column));
        }
        rows.add(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  static boolean exists(Lake lake, String layer, String table) {
    return lake.catalog().tableExists(TableIdentifier.of(layer, table));
  }
}
