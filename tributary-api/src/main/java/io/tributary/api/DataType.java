package io.tributary.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A column type, independent of source and lake. Values carried in {@link ChangeEvent}s use one
 * Java type per kind, listed on each constant.
 */
public record DataType(Kind kind, int precision, int scale, Optional<DataType> element) {
  /** The largest decimal precision the lake (Iceberg) holds. */
  public static final int MAX_DECIMAL_PRECISION = 38;


  public enum Kind {
    /** {@link Boolean} */
    BOOLEAN,
    /** {@link Integer} (a 16-bit source type, widened) */
    INT16,
    /** {@link Integer} */
    INT32,
    /** {@link Long} */
    INT64,
    /** {@link Float} */
    FLOAT32,
    /** {@link Double} */
    FLOAT64,
    /** {@link java.math.BigDecimal} with exactly {@link #scale()} digits after the point */
    DECIMAL,
    /** {@link String} */
    STRING,
    /** {@link String} holding JSON text */
    JSON,
    /** {@link java.time.LocalDate} */
    DATE,
    /** {@link java.time.LocalTime} */
    TIME,
    /** {@link java.time.LocalDateTime}, no zone */
    TIMESTAMP,
    /** {@link java.time.OffsetDateTime} at UTC */
    TIMESTAMPTZ,
    /** {@link java.util.UUID} */
    UUID,
    /** {@link java.nio.ByteBuffer} */
    BINARY,
    /** {@link java.util.List} of values of {@link #element()} */
    LIST
  }

  public DataType {
    requireNonNull(kind, "kind is null");
    requireNonNull(element, "element is null");
    if (kind == Kind.DECIMAL
        && (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision)) {
      throw new IllegalArgumentException(
          "Invalid decimal type: precision " + precision + ", scale " + scale + " (need 1 <= precision <= "
              + MAX_DECIMAL_PRECISION + ", 0 <= scale <= precision)");
    }
    if ((kind == Kind.LIST) != element.isPresent()) {
      throw new IllegalArgumentException("Invalid type " + kind + ": only LIST has an element type");
    }
  }

  public static DataType of(Kind kind) {
    return new DataType(kind, 0, 0, Optional.empty());
  }

  public static DataType decimal(int precision, int scale) {
    return new DataType(Kind.DECIMAL, precision, scale, Optional.empty());
  }

  public static DataType list(DataType element) {
    return new DataType(Kind.LIST, 0, 0, Optional.of(element));
  }

  @Override
  public String toString() {
    return switch (kind) {
      case DECIMAL -> "decimal(" + precision + "," + scale + ")";
      case LIST -> "list<" + element.orElseThrow() + ">";
      default -> kind.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
