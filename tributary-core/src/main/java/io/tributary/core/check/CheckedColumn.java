package io.tributary.core.check;

import static java.util.Objects.requireNonNull;

/** A column compared between the source and the lake, by name, with the canonical form of its values. */
public record CheckedColumn(String name, CanonicalType type) {
  public CheckedColumn {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
  }
}
