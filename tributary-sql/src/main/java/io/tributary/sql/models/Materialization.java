package io.tributary.sql.models;

import java.util.Locale;
import java.util.Optional;

/** How a model's result becomes its gold table. */
public enum Materialization {
  /** Every run replaces the table's rows with the model's result. */
  TABLE,
  /** Every run changes only the rows whose unique key is new, changed or gone. */
  INCREMENTAL;

  /** The name used in model files: {@code table}, {@code incremental}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<Materialization> parse(String text) {
    for (Materialization value : values()) {
      if (value.configName().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }
}
