package io.tributary.core.check;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One key that differs, with its key columns' values and, for {@link DifferenceKind#DIFFERENT_VALUES},
 * each column whose value differs.
 */
public record KeyDifference(DifferenceKind kind, Map<String, String> key, List<ColumnDifference> columns) {
  public KeyDifference {
    requireNonNull(kind, "kind is null");
    key = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(key, "key is null")));
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
  }

  /** The key as {@code id=42} or {@code a=1, b=x}. */
  public String keyText() {
    return key.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue())
        .collect(Collectors.joining(", "));
  }

  /** A column whose canonical values differ; empty means NULL. */
  public record ColumnDifference(String column, Optional<String> source, Optional<String> lake) {
    public ColumnDifference {
      requireNonNull(column, "column is null");
      requireNonNull(source, "source is null");
      requireNonNull(lake, "lake is null");
    }
  }
}
