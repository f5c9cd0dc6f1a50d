package io.tributary.api;

import static java.util.Objects.requireNonNull;

/**
 * Names a captured table: the source it comes from (as named in the configuration), the schema
 * inside that source (for example {@code public}; empty for feeds) and the table name. In the lake
 * the table is known by {@link #name()} alone, under each layer ({@code bronze.name}).
 */
public record TableId(String source, String schema, String name) {
  public TableId {
    requireNonNull(source, "source is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(name, "name is null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("Invalid table name: blank (source " + source + ")");
    }
  }

  /** The table as the source names it: {@code schema.name}, or {@code name} without a schema. */
  public String qualifiedName() {
    return schema.isEmpty() ? name : schema + "." + name;
  }

  @Override
  public String toString() {
    return source + ":" + qualifiedName();
  }
}
