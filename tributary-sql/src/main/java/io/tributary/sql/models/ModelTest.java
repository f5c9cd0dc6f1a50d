package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A data test of a model's gold table. Each one is a query returning the failing rows: the test passes when
 * it returns none.
 */
public sealed interface ModelTest {
  /** A short name for reports, such as {@code not_null(client_id)}. */
  String name();

  /** The query returning the failing rows of {@code table} (a quoted DuckDB name like {@code "gold"."x"}). */
  String failingRowsSql(String table);

  /** Tables the test reads besides the model's own ({@code silver.clients} for a relationship). */
  default List<String> references() {
    return List.of();
  }

  /** Rows whose column is NULL fail. */
  record NotNull(String column) implements ModelTest {
    public NotNull {
      requireNonNull(column, "column is null");
    }

    @Override
    public String name() {
      return "not_null(" + column + ")";
    }

    @Override
    public String failingRowsSql(String table) {
      return "SELECT * FROM " + table + " WHERE " + ident(column) + " IS NULL";
    }
  }

  /** Values of the columns that occur more than once fail (one row per duplicated value, with its count). */
  record Unique(List<String> columns) implements ModelTest {
    public Unique {
      columns = List.copyOf(requireNonNull(columns, "columns is null"));
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("Invalid unique test: no column given");
      }
    }

    @Override
    public String name() {
      return "unique(" + String.join(", ", columns) + ")";
    }

    @Override
    public String failingRowsSql(String table) {
      String list = columns.stream().map(ModelTest::ident).collect(Collectors.joining(", "));
      return "SELECT " + list + ", count(*) AS occurrences FROM " + table + " GROUP BY " + list
          + " HAVING count(*) > 1";
    }
  }

  /** Rows whose column holds a value outside the list fail; NULL is accepted (test it with not_null). */
  record AcceptedValues(String column, List<String> values) implements ModelTest {
    public AcceptedValues {
      requireNonNull(column, "column is null");
      values = List.copyOf(requireNonNull(values, "values is null"));
      if (values.isEmpty()) {
        throw new IllegalArgumentException("Invalid accepted_values test of column " + column + ": no value given");
      }
    }

    @Override
    public String name() {
      return "accepted_values(" + column + ")";
    }

    @Override
    public String failingRowsSql(String table) {
      // Compared as text: YAML gives the values as text, and casting them to the column type could fail.
      return "SELECT * FROM " + table + " WHERE " + ident(column) + " IS NOT NULL AND CAST(" + ident(column)
          + " AS VARCHAR) NOT IN (" + values.stream().map(ModelTest::literal).collect(Collectors.joining(", "))
          + ")";
    }
  }

  /** Rows whose column holds a value missing from {@code toTable.toColumn} fail; NULL is accepted. */
  record Relationships(String column, String toTable, String toColumn) implements ModelTest {
    public Relationships {
      requireNonNull(column, "column is null");
      requireNonNull(toTable, "toTable is null");
      requireNonNull(toColumn, "toColumn is null");
      if (!toTable.contains(".")) {
        throw new IllegalArgumentException("Invalid relationships test of column " + column + ": table " + toTable
            + " has no namespace (write namespace.table.column, like silver.clients.id)");
      }
    }

    @Override
    public String name() {
      return "relationships(" + column + " -> " + toTable + "." + toColumn + ")";
    }

    @Override
    public String failingRowsSql(String table) {
      int dot = toTable.indexOf('.');
      String target = ident(toTable.substring(0, dot)) + "." + ident(toTable.substring(dot + 1));
      return "SELECT m.* FROM " + table + " m ANTI JOIN " + target + " t ON m." + ident(column) + " = t."
          + ident(toColumn) + " WHERE m." + ident(column) + " IS NOT NULL";
    }

    @Override
    public List<String> references() {
      return List.of(toTable);
    }
  }

  /** A query of the user's that returns the failing rows, given inline or in a file. */
  record CustomSql(String label, String sql, Optional<String> file) implements ModelTest {
    public CustomSql {
      requireNonNull(label, "label is null");
      requireNonNull(sql, "sql is null");
      requireNonNull(file, "file is null");
      sql = sql.strip();
      while (sql.endsWith(";")) {
        sql = sql.substring(0, sql.length() - 1).strip();
      }
      if (sql.isEmpty()) {
        throw new IllegalArgumentException("Invalid sql test " + label + ": the query is empty");
      }
    }

    @Override
    public String name() {
      return "sql(" + label + ")";
    }

    @Override
    public String failingRowsSql(String table) {
      return sql;
    }
  }

  private static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  private static String literal(String value) {
    return '\'' + value.replace("'", "''") + '\'';
  }
}
