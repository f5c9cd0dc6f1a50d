package io.tributary.api;

import static java.util.Objects.requireNonNull;

/** A column of a captured table. */
public record Column(String name, DataType type, boolean nullable) {
  public Column {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
  }
}
