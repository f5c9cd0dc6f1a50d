package io.tributary.core.shape;

import io.tributary.api.DataType;
import io.tributary.core.config.CastType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Casts source values to the types of {@code cast:}. A value that does not fit throws
 * {@link IllegalArgumentException} with the reason; values are never silently truncated, except
 * that a decimal is rounded half up to its scale, as SQL does.
 */
final class Casts {
  private static final DateTimeFormatter LOCAL_TIMESTAMP = new DateTimeFormatterBuilder()
      .append(DateTimeFormatter.ISO_LOCAL_DATE)
      .optionalStart().appendLiteral('T').optionalEnd()
      .optionalStart().appendLiteral(' ').optionalEnd()
      .append(DateTimeFormatter.ISO_LOCAL_TIME)
      .toFormatter(Locale.ROOT);
  private static final DateTimeFormatter OFFSET_TIMESTAMP = new DateTimeFormatterBuilder()
      .append(LOCAL_TIMESTAMP)
      .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HH", "Z").optionalEnd()
      .toFormatter(Locale.ROOT);

  private Casts() {}

  /** The type a cast gives. */
  static DataType type(CastType cast) {
    return switch (cast.kind()) {
      case INT -> DataType.of(DataType.Kind.INT32);
      case BIGINT -> DataType.of(DataType.Kind.INT64);
      case DOUBLE -> DataType.of(DataType.Kind.FLOAT64);
      case BOOLEAN -> DataType.of(DataType.Kind.BOOLEAN);
      case DATE -> DataType.of(DataType.Kind.DATE);
      case TIMESTAMP -> DataType.of(DataType.Kind.TIMESTAMP);
      case TIMESTAMPTZ -> DataType.of(DataType.Kind.TIMESTAMPTZ);
      case TEXT -> DataType.of(DataType.Kind.STRING);
      case DECIMAL -> DataType.decimal(cast.precision().getAsInt(), cast.scale().getAsInt());
    };
  }

  /**
   * {@code value} cast to {@code cast}; null stays null.
   *
   * @throws IllegalArgumentException if the value cannot be cast, with the reason
   */
  static Object cast(Object value, CastType cast) {
    if (value == null) {
      return null;
    }
    return switch (cast.kind()) {
      case INT -> {
        BigInteger integer = integer(value, cast);
        if (integer.bitLength() > 31) {
          throw new IllegalArgumentException(text(value) + " is out of the range of int");
        }
        yield integer.intValue();
      }
      case BIGINT -> {
        BigInteger integer = integer(value, cast);
        if (integer.bitLength() > 63) {
          throw new IllegalArgumentException(text(value) + " is out of the range of bigint");
        }
        yield integer.longValue();
      }
      case DOUBLE -> {
        if (value instanceof Number number) {
          yield number.doubleValue();
        }
        if (value instanceof String string) {
          try {
            yield Double.parseDouble(string.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + string + "' is not a number");
          }
        }
        throw unsupported(value, cast);
      }
      case BOOLEAN -> bool(value, cast);
      case DATE -> {
        if (value instanceof LocalDate date) {
          yield date;
        }
        if (value instanceof LocalDateTime time) {
          yield time.toLocalDate();
        }
        if (value instanceof OffsetDateTime time) {
          yield time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
        }
        if (value instanceof String string) {
          try {
            yield LocalDate.parse(string.trim());
          } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + string + "' is not a date (expected YYYY-MM-DD)");
          }
        }
        throw unsupported(value, cast);
      }
      case TIMESTAMP -> {
        if (value instanceof LocalDateTime time) {
          yield time;
        }
        if (value instanceof LocalDate date) {
          yield date.atStartOfDay();
        }
        if (value instanceof OffsetDateTime time) {
          yield time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        }
        if (value instanceof String string) {
          try {
            yield LocalDateTime.parse(string.trim(), LOCAL_TIMESTAMP);
          } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + string + "' is not a timestamp (expected YYYY-MM-DD HH:MM:SS[.ffffff])");
          }
        }
        throw unsupported(value, cast);
      }
      case TIMESTAMPTZ -> {
        if (value instanceof OffsetDateTime time) {
          yield time.withOffsetSameInstant(ZoneOffset.UTC);
        }
        if (value instanceof Instant instant) {
          yield instant.atOffset(ZoneOffset.UTC);
        }
        if (value instanceof LocalDateTime time) {
          yield time.atOffset(ZoneOffset.UTC);
        }
        if (value instanceof LocalDate date) {
          yield date.atStartOfDay().atOffset(ZoneOffset.UTC);
        }
        if (value instanceof String string) {
          yield timestamptz(string);
        }
        throw unsupported(value, cast);
      }
      case TEXT -> text(value);
      case DECIMAL -> {
        BigDecimal decimal = decimal(value, cast).setScale(cast.scale().getAsInt(), RoundingMode.HALF_UP);
        if (decimal.precision() - decimal.scale() > cast.precision().getAsInt() - cast.scale().getAsInt()) {
          throw new IllegalArgumentException(text(value) + " has more than "
              + (cast.precision().getAsInt() - cast.scale().getAsInt()) + " digits before the point, too many for " + cast);
        }
        yield decimal;
      }
    };
  }

  /** The text form of a value: what {@code text} casts give and what masks hash. */
  static String text(Object value) {
    if (value instanceof String string) {
      return string;
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return "\\x" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof byte[] bytes) {
      return "\\x" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof OffsetDateTime time) {
      return time.withOffsetSameInstant(ZoneOffset.UTC).toString();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(element -> element == null ? "NULL" : text(element))
          .collect(Collectors.joining(",", "[", "]"));
    }
    // numbers, booleans, UUIDs and java.time values: their toString is the usual text form
    return value.toString();
  }

  private static BigInteger integer(Object value, CastType cast) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return BigInteger.valueOf(((Number) value).longValue());
    }
    if (value instanceof Boolean) {
      throw unsupported(value, cast);
    }
    BigDecimal decimal;
    try {
      decimal = decimal(value, cast);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text(value) + "' is not an integer");
    }
    try {
      return decimal.toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(text(value) + " is not an integer: it has a fractional part (cast to "
          + "decimal(p,s) to keep it, or round it in a computed column)");
    }
  }

  private static BigDecimal decimal(Object value, CastType cast) {
    if (value instanceof BigDecimal decimal) {
      return decimal;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      if (Double.isNaN(number) || Double.isInfinite(number)) {
        throw new IllegalArgumentException(number + " has no exact value to cast to " + cast);
      }
      return new BigDecimal(Double.toString(number));
    }
    if (value instanceof String string) {
      try {
        return new BigDecimal(string.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + string + "' is not a number");
      }
    }
    throw unsupported(value, cast);
  }

  private static Boolean bool(Object value, CastType cast) {
    if (value instanceof Boolean bool) {
      return bool;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      long number = ((Number) value).longValue();
      if (number == 0 || number == 1) {
        return number == 1;
      }
      throw new IllegalArgumentException(number + " is not a boolean (expected 0 or 1)");
    }
    if (value instanceof String string) {
      switch (string.trim().toLowerCase(Locale.ROOT)) {
        case "true", "t", "yes", "y", "on", "1":
          return true;
        case "false", "f", "no", "n", "off", "0":
          return false;
        default:
          throw new IllegalArgumentException("'" + string + "' is not a boolean (expected true/false, t/f, "
              + "yes/no, y/n, on/off or 1/0)");
      }
    }
    throw unsupported(value, cast);
  }

  private static OffsetDateTime timestamptz(String string) {
    try {
      var parsed = OFFSET_TIMESTAMP.parse(string.trim());
      LocalDateTime local = LocalDateTime.of(LocalDate.from(parsed), LocalTime.from(parsed));
      ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS)
          ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
          : ZoneOffset.UTC;
      return local.atOffset(offset).withOffsetSameInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + string + "' is not a timestamp with time zone (expected "
          + "YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]; without an offset it is read as UTC)");
    }
  }

  private static IllegalArgumentException unsupported(Object value, CastType cast) {
    return new IllegalArgumentException("a " + kindOf(value) + " value (" + text(value) + ") cannot be cast to " + cast);
  }

  private static String kindOf(Object value) {
    return value.getClass().getSimpleName();
  }
}
