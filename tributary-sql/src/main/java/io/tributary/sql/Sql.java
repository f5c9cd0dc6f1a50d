package io.tributary.sql;

/** Quoting for SQL text built by this module. */
final class Sql {
  private Sql() {}

  static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  static String literal(String value) {
    return '\'' + value.replace("'", "''") + '\'';
  }
}
