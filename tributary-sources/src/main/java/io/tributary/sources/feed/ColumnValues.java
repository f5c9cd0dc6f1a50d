package io.tributary.sources.feed;

import io.tributary.api.DataType;
import io.tributary.api.DataType.Kind;
import io.tributary.core.config.CastType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/** Types of feed columns: inferred from a first value or declared, and the conversion of values to them. */
final class ColumnValues {
  private ColumnValues() {}

  static DataType declared(CastType type) {
    return switch (type.kind()) {
      case INT -> DataType.of(Kind.INT32);
      case BIGINT -> DataType.of(Kind.INT64);
      case DOUBLE -> DataType.of(Kind.FLOAT64);
      case BOOLEAN -> DataType.of(Kind.BOOLEAN);
      case DATE -> DataType.of(Kind.DATE);
      case TIMESTAMP -> DataType.of(Kind.TIMESTAMP);
      case TIMESTAMPTZ -> DataType.of(Kind.TIMESTAMPTZ);
      case TEXT -> DataType.of(Kind.STRING);
      case DECIMAL -> DataType.decimal(type.precision().getAsInt(), type.scale().getAsInt());
    };
  }

  /** The type a column takes from its first non-null value. */
  static DataType inferred(Object value) {
    if (value instanceof Boolean) {
      return DataType.of(Kind.BOOLEAN);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return DataType.of(Kind.INT32);
    }
    if (value instanceof Long || value instanceof BigInteger) {
      return DataType.of(Kind.INT64);
    }
    if (value instanceof Double || value instanceof Float) {
      return DataType.of(Kind.FLOAT64);
    }
    if (value instanceof BigDecimal decimal) {
      // the widest precision at the value's scale, so that a first 0.07 leaves room for 1234.56: Iceberg cannot
      // change a decimal column's scale later, and a column's precision bounds every later value
      int scale = Math.max(0, decimal.scale());
      return Math.max(decimal.precision(), scale + 1) <= DataType.MAX_DECIMAL_PRECISION
          ? DataType.decimal(DataType.MAX_DECIMAL_PRECISION, scale) : DataType.of(Kind.STRING);
    }
    if (value instanceof JsonText) {
      return DataType.of(Kind.JSON);
    }
    if (value instanceof LocalDate) {
      return DataType.of(Kind.DATE);
    }
    if (value instanceof LocalDateTime) {
      return DataType.of(Kind.TIMESTAMP);
    }
    if (value instanceof OffsetDateTime || value instanceof Instant) {
      return DataType.of(Kind.TIMESTAMPTZ);
    }
    return DataType.of(Kind.STRING);
  }

  /** The type as written in resume tokens. */
  static String spell(DataType type) {
    return type.toString();
  }

  static DataType parse(String spelling) {
    if (spelling.startsWith("decimal(")) {
      String[] parts = spelling.substring(8, spelling.length() - 1).split(",");
      return DataType.decimal(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    }
    return DataType.of(Kind.valueOf(spelling.toUpperCase(Locale.ROOT)));
  }

  /**
   * {@code value} as a value of {@code type}: of that type already, or a string that reads as one.
   *
   * @throws IllegalArgumentException saying why it does not fit
   */
  static Object convert(Object value, DataType type) {
    if (value == null) {
      return null;
    }
    try {
      return switch (type.kind()) {
        case BOOLEAN -> toBoolean(value);
        case INT16, INT32 -> Math.toIntExact(toLong(value));
        case INT64 -> toLong(value);
        case FLOAT32, FLOAT64 -> toDouble(value);
        case DECIMAL -> toDecimal(value, type);
        case STRING -> value instanceof BigDecimal decimal ? decimal.toPlainString() : value.toString();
        case JSON -> value instanceof JsonText json ? json.json() : JsonRecords.MAPPER.writeValueAsString(value);
        case DATE -> value instanceof LocalDate date ? date : LocalDate.parse(text(value));
        case TIMESTAMP -> value instanceof LocalDateTime time ? time : LocalDateTime.parse(text(value).replace(' ', 'T'));
        case TIMESTAMPTZ -> toTimestamptz(value);
        default -> throw new IllegalArgumentException("type " + type + " is not supported for feeds");
      };
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
      throw mismatch(value, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value + " as JSON: " + e.getOriginalMessage());
    }
  }

  private static IllegalArgumentException mismatch(Object value, DataType type) {
    String shown = value instanceof String ? "'" + value + "'" : String.valueOf(value);
    if (shown.length() > 80) {
      shown = shown.substring(0, 77) + "...";
    }
    return new IllegalArgumentException(shown + " is not a " + name(type));
  }

  static String name(DataType type) {
    return switch (type.kind()) {
      case INT16, INT32 -> "int";
      case INT64 -> "bigint";
      case FLOAT32, FLOAT64 -> "double";
      case STRING -> "text";
      case JSON -> "JSON value";
      default -> type.toString();
    };
  }

  private static String text(Object value) {
    if (value instanceof String text) {
      return text.trim();
    }
    throw new DateTimeParseException("not text", String.valueOf(value), 0);
  }

  private static boolean toBoolean(Object value) {
    if (value instanceof Boolean bool) {
      return bool;
    }
    if (value instanceof String text) {
      String folded = text.trim().toLowerCase(Locale.ROOT);
      if (folded.equals("true") || folded.equals("false")) {
        return folded.equals("true");
      }
    }
    throw new NumberFormatException();
  }

  private static long toLong(Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger integer) {
      return integer.longValueExact();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.longValueExact();
    }
    if (value instanceof String text) {
      return Long.parseLong(text.trim());
    }
    throw new NumberFormatException();
  }

  private static double toDouble(Object value) {
    if (value instanceof Number number && !(value instanceof BigDecimal)) {
      return number.doubleValue();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.doubleValue();
    }
    if (value instanceof String text) {
      return Double.parseDouble(text.trim());
    }
    throw new NumberFormatException();
  }

  private static BigDecimal toDecimal(Object value, DataType type) {
    BigDecimal decimal;
    if (value instanceof BigDecimal exact) {
      decimal = exact;
    } else if (value instanceof Double || value instanceof Float) {
      decimal = BigDecimal.valueOf(((Number) value).doubleValue());
    } else if (value instanceof Number number) {
      decimal = BigDecimal.valueOf(number.longValue());
    } else if (value instanceof String text) {
      decimal = new BigDecimal(text.trim());
    } else {
      throw new NumberFormatException();
    }
    BigDecimal scaled = decimal.setScale(type.scale(), RoundingMode.HALF_UP);
    if (scaled.precision() > type.precision()) {
      throw new ArithmeticException();
    }
    return scaled;
  }

  private static OffsetDateTime toTimestamptz(Object value) {
    if (value instanceof OffsetDateTime time) {
      return time.withOffsetSameInstant(ZoneOffset.UTC);
    }
    if (value instanceof Instant instant) {
      return instant.atOffset(ZoneOffset.UTC);
    }
    if (value instanceof Long millis) {
      return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
    }
    String text = text(value).replace(' ', 'T');
    Optional<OffsetDateTime> parsed = tryParse(text);
    return parsed.orElseGet(() -> LocalDateTime.parse(text).atOffset(ZoneOffset.UTC))
        .withOffsetSameInstant(ZoneOffset.UTC);
  }

  private static Optional<OffsetDateTime> tryParse(String text) {
    try {
      return Optional.of(OffsetDateTime.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
