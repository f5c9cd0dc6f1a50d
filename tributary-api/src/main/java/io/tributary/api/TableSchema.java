package io.tributary.api;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The columns of a captured table as the source sees them now, and its key: the primary key for
 * CDC sources, the configured key for feeds. A table without a key gets bronze only.
 */
public record TableSchema(TableId table, List<Column> columns, List<String> key) {
  public TableSchema {
    requireNonNull(table, "table is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    key = List.copyOf(requireNonNull(key, "key is null"));
    Set<String> names = new HashSet<>();
    for (Column column : columns) {
      if (!names.add(column.name())) {
        throw new IllegalArgumentException("Invalid schema of " + table + ": column " + column.name() + " appears twice");
      }
    }
    for (String keyColumn : key) {
      if (!names.contains(keyColumn)) {
        throw new IllegalArgumentException("Invalid schema of " + table + ": key column " + keyColumn + " is not a column");
      }
    }
  }

  public boolean hasKey() {
    return !key.isEmpty();
  }

  public Optional<Column> column(String name) {
    return columns.stream().filter(column -> column.name().equals(name)).findFirst();
  }
}
