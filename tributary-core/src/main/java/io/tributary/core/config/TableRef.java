package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

/** A table listed in the file, with where it was listed so duplicates can point at both places. */
record TableRef(String schema, String table, String key, int line) {
  TableRef {
    requireNonNull(schema, "schema is null");
    requireNonNull(table, "table is null");
    requireNonNull(key, "key is null");
  }

  String qualifiedName() {
    return schema + "." + table;
  }
}
