package io.tributary.core.shape;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of shaping one row: its shaped values, or why it could not be shaped.
 *
 * @param values the row's columns as silver and history hold them (shaped names, in the shaped
 *     schema's order), with Java values as on {@link io.tributary.api.DataType.Kind}; empty when rejected
 * @param rejection why the row was rejected; empty when shaped
 */
public record ShapedRow(Optional<Map<String, Object>> values, Optional<Rejection> rejection) {
  public ShapedRow {
    requireNonNull(values, "values is null");
    requireNonNull(rejection, "rejection is null");
    if (values.isPresent() == rejection.isPresent()) {
      throw new IllegalArgumentException("Invalid shaped row: it holds either values or a rejection");
    }
    values = values.map(map -> Collections.unmodifiableMap(new LinkedHashMap<>(map)));
  }

  public static ShapedRow of(Map<String, Object> values) {
    return new ShapedRow(Optional.of(values), Optional.empty());
  }

  public static ShapedRow rejected(Rejection rejection) {
    return new ShapedRow(Optional.empty(), Optional.of(rejection));
  }

  public boolean isRejected() {
    return rejection.isPresent();
  }

  /** The shaped values; only for a row that was not rejected. */
  public Map<String, Object> row() {
    return values.orElseThrow(() -> new IllegalStateException("Cannot read a rejected row: " + rejection.get().reason()));
  }
}
