package io.tributary.sql;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The rows of a query, fully read. Values are Java objects: {@link Boolean}, {@link Integer}, {@link Long},
 * {@link Float}, {@link Double}, {@link java.math.BigDecimal}, {@link String}, {@link java.time.LocalDate},
 * {@link java.time.LocalTime}, {@link java.time.LocalDateTime}, {@link java.time.OffsetDateTime} (at UTC),
 * {@link java.util.UUID}, {@code byte[]}, {@link List} for lists, {@link java.util.Map} for structs and maps,
 * and {@code null} for SQL NULL. Column types are DuckDB's type names ({@code DECIMAL(38,2)}).
 */
public record QueryResult(List<String> columnNames, List<String> columnTypes, List<List<Object>> rows) {
  public QueryResult {
    columnNames = List.copyOf(requireNonNull(columnNames, "columnNames is null"));
    columnTypes = List.copyOf(requireNonNull(columnTypes, "columnTypes is null"));
    requireNonNull(rows, "rows is null");
    if (columnNames.size() != columnTypes.size()) {
      throw new IllegalArgumentException("Invalid query result: " + columnNames.size() + " column names but "
          + columnTypes.size() + " column types");
    }
    List<List<Object>> copy = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      List<Object> row = requireNonNull(rows.get(i), "row is null");
      if (row.size() != columnNames.size()) {
        throw new IllegalArgumentException("Invalid query result: row " + i + " has " + row.size()
            + " values but there are " + columnNames.size() + " columns");
      }
      // SQL NULLs are null elements, which List.copyOf rejects.
      copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
    }
    rows = Collections.unmodifiableList(copy);
  }

  public int rowCount() {
    return rows.size();
  }
}
