package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import io.tributary.api.DataType;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A type a column can be cast to in silver and history: {@code int}, {@code bigint}, {@code double},
 * {@code boolean}, {@code date}, {@code timestamp}, {@code timestamptz}, {@code text} or
 * {@code decimal(p,s)}.
 *
 * @param kind the type
 * @param precision the precision of a decimal
 * @param scale the scale of a decimal
 */
public record CastType(Kind kind, OptionalInt precision, OptionalInt scale) {
  private static final Pattern DECIMAL = Pattern.compile("decimal\\s*\\(\\s*([0-9]{1,2})\\s*,\\s*([0-9]{1,2})\\s*\\)");
  static final int MAX_PRECISION = DataType.MAX_DECIMAL_PRECISION;

  /** The types a cast can produce. */
  public enum Kind { INT, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP, TIMESTAMPTZ, TEXT, DECIMAL }

  /** The spellings {@link #parse} accepts, for messages. */
  public static final String SPELLINGS =
      "int, bigint, double, boolean, date, timestamp, timestamptz, text, decimal(p,s)";

  public CastType {
    requireNonNull(kind, "kind is null");
    requireNonNull(precision, "precision is null");
    requireNonNull(scale, "scale is null");
    if ((kind == Kind.DECIMAL) != precision.isPresent() || precision.isPresent() != scale.isPresent()) {
      throw new IllegalArgumentException("Invalid cast type " + kind + ": precision and scale go with decimal only");
    }
    if (precision.isPresent() && (precision.getAsInt() < 1 || precision.getAsInt() > MAX_PRECISION
        || scale.getAsInt() > precision.getAsInt())) {
      throw new IllegalArgumentException("Invalid decimal(" + precision.getAsInt() + "," + scale.getAsInt()
          + "): precision is 1 to " + MAX_PRECISION + " and scale at most the precision");
    }
  }

  /** The type spelled {@code text}, or empty if it is not one of {@link #SPELLINGS}. */
  public static Optional<CastType> parse(String text) {
    String spelling = text.trim().toLowerCase(Locale.ROOT);
    Matcher decimal = DECIMAL.matcher(spelling);
    if (decimal.matches()) {
      int precision = Integer.parseInt(decimal.group(1));
      int scale = Integer.parseInt(decimal.group(2));
      if (precision < 1 || precision > MAX_PRECISION || scale > precision) {
        return Optional.empty();
      }
      return Optional.of(new CastType(Kind.DECIMAL, OptionalInt.of(precision), OptionalInt.of(scale)));
    }
    for (Kind kind : Kind.values()) {
      if (kind != Kind.DECIMAL && kind.name().toLowerCase(Locale.ROOT).equals(spelling)) {
        return Optional.of(new CastType(kind, OptionalInt.empty(), OptionalInt.empty()));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return kind == Kind.DECIMAL
        ? "decimal(" + precision.getAsInt() + "," + scale.getAsInt() + ")"
        : kind.name().toLowerCase(Locale.ROOT);
  }
}
