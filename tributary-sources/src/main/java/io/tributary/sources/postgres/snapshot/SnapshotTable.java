package io.tributary.sources.postgres.snapshot;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A table as the snapshot reads it: its columns in table order and its primary key.
 *
 * @param schema the table's schema
 * @param name the table's name
 * @param columns every column, in {@code attnum} order; each row's values come in this order
 * @param key the primary key's columns in key order; empty when the table has none
 * @param pages the table's size in pages when the snapshot was planned
 */
public record SnapshotTable(String schema, String name, List<PgColumn> columns, List<String> key, long pages) {
  public SnapshotTable {
    requireNonNull(schema, "schema is null");
    requireNonNull(name, "name is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
    key = List.copyOf(requireNonNull(key, "key is null"));
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("Invalid table " + schema + "." + name + ": it has no columns");
    }
    if (pages < 0) {
      throw new IllegalArgumentException("Invalid page count of " + schema + "." + name + ": " + pages);
    }
  }

  /** {@code schema.name} as configured. */
  public String qualifiedName() {
    return schema + "." + name;
  }

  /** The table quoted for SQL. */
  String relation() {
    return quote(schema) + "." + quote(name);
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
