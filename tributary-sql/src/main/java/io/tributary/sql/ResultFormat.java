package io.tributary.sql;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How {@link ResultWriter} prints a {@link QueryResult}. */
public enum ResultFormat {
  /** Aligned text for people. */
  TABLE,
  /** RFC 4180 CSV with a header line. */
  CSV,
  /** A JSON array with one object per row. */
  JSON;

  /** Parses a format name, ignoring case ({@code csv}, {@code Json}). */
  public static ResultFormat parse(String name) {
    requireNonNull(name, "name is null");
    String wanted = name.strip().toUpperCase(Locale.ROOT);
    for (ResultFormat format : values()) {
      if (format.name().equals(wanted)) {
        return format;
      }
    }
    throw new IllegalArgumentException("Invalid result format '" + name + "' (use one of: "
        + Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
        + ")");
  }
}
