package io.tributary.core.check;

import java.util.Optional;

/**
 * How a column's values are written as text for comparison, the same way on the source and in the
 * lake: each side turns its native type into this one canonical text, so a row hashes alike on both.
 */
public enum CanonicalType {
  /** Whole numbers, in decimal. */
  INTEGER,
  /** Exact decimals with their scale ({@code 12.30}). */
  DECIMAL,
  /** {@code real} and {@code double precision}, in their shortest exact form. */
  FLOAT,
  /**
   * A {@code numeric} without precision, which the lake keeps as text: compared as that text without
   * trailing fractional zeros ({@code 15.0} and {@code 15} are the same number).
   */
  NUMERIC_TEXT,
  /** Text as stored. */
  TEXT,
  /** Blank-padded {@code char(n)}: compared without trailing blanks. */
  CHAR,
  /** {@code true} or {@code false}. */
  BOOLEAN,
  /** {@code YYYY-MM-DD}. */
  DATE,
  /** Time of day, {@code HH:MM:SS[.ffffff]}. */
  TIME,
  /** Microseconds since 1970-01-01 00:00, read as if in UTC. */
  TIMESTAMP,
  /** Microseconds since the epoch. */
  TIMESTAMPTZ,
  /** Lower-case hyphenated form. */
  UUID,
  /** Lower-case hex. */
  BINARY;

  /**
   * The type both sides can write {@code source} and {@code lake} values in, if any: equal types, or
   * a {@code char(n)} or unconstrained {@code numeric} source column in a lake text column.
   */
  public static Optional<CanonicalType> common(CanonicalType source, CanonicalType lake) {
    if (source == lake) {
      return Optional.of(source);
    }
    if ((source == CHAR || source == NUMERIC_TEXT) && lake == TEXT) {
      return Optional.of(source);
    }
    return Optional.empty();
  }
}
