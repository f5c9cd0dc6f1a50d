package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.api.DataType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.DateTimeUtil;

/**
 * The one mapping between Tributary's {@link DataType}s and Iceberg types, and between the Java
 * values of {@link io.tributary.api.ChangeEvent}s and the values Iceberg's generic records hold.
 */
public final class IcebergTypes {

  private IcebergTypes() {}

  /**
   * The Iceberg type of {@code type}. Nested field ids (list elements) come from {@code ids}, so
   * that a schema built from several columns has unique ids; a catalog reassigns them anyway.
   */
  public static Type toIceberg(DataType type, AtomicInteger ids) {
    requireNonNull(type, "type is null");
    requireNonNull(ids, "ids is null");
    return switch (type.kind()) {
      case BOOLEAN -> Types.BooleanType.get();
      case INT16, INT32 -> Types.IntegerType.get();
      case INT64 -> Types.LongType.get();
      case FLOAT32 -> Types.FloatType.get();
      case FLOAT64 -> Types.DoubleType.get();
      case DECIMAL -> Types.DecimalType.of(type.precision(), type.scale());
      case STRING, JSON -> Types.StringType.get();
      case DATE -> Types.DateType.get();
      case TIME -> Types.TimeType.get();
      case TIMESTAMP -> Types.TimestampType.withoutZone();
      case TIMESTAMPTZ -> Types.TimestampType.withZone();
      case UUID -> Types.UUIDType.get();
      case BINARY -> Types.BinaryType.get();
      case LIST -> {
        int elementId = ids.incrementAndGet();
        yield Types.ListType.ofOptional(elementId, toIceberg(type.element().orElseThrow(), ids));
      }
    };
  }

  /** The Iceberg type of {@code type}, with nested ids counted from 1000. */
  public static Type toIceberg(DataType type) {
    return toIceberg(type, new AtomicInteger(1000));
  }

  /** The {@link DataType} an Iceberg type stands for (INT32 for int, STRING for string). */
  public static DataType fromIceberg(Type type) {
    requireNonNull(type, "type is null");
    return switch (type.typeId()) {
      case BOOLEAN -> DataType.of(DataType.Kind.BOOLEAN);
      case INTEGER -> DataType.of(DataType.Kind.INT32);
      case LONG -> DataType.of(DataType.Kind.INT64);
      case FLOAT -> DataType.of(DataType.Kind.FLOAT32);
      case DOUBLE -> DataType.of(DataType.Kind.FLOAT64);
      case DECIMAL -> {
        Types.DecimalType decimal = (Types.DecimalType) type;
        yield DataType.decimal(decimal.precision(), decimal.scale());
      }
      case STRING -> DataType.of(DataType.Kind.STRING);
      case DATE -> DataType.of(DataType.Kind.DATE);
      case TIME -> DataType.of(DataType.Kind.TIME);
      case TIMESTAMP -> DataType.of(((Types.TimestampType) type).shouldAdjustToUTC()
          ? DataType.Kind.TIMESTAMPTZ : DataType.Kind.TIMESTAMP);
      case UUID -> DataType.of(DataType.Kind.UUID);
      case BINARY, FIXED -> DataType.of(DataType.Kind.BINARY);
      case LIST -> DataType.list(fromIceberg(type.asListType().elementType()));
      default -> throw new IllegalArgumentException("Invalid Iceberg type for Tributary: " + type
          + " (only the types IcebergTypes.toIceberg produces map back)");
    };
  }

  /** Whether two types are the same, ignoring nested field ids. */
  public static boolean sameType(Type a, Type b) {
    if (a.isListType() && b.isListType()) {
      return sameType(a.asListType().elementType(), b.asListType().elementType());
    }
    return a.equals(b);
  }

  /**
   * Whether Iceberg can change a column of type {@code from} to {@code to} keeping its data: int to
   * long, float to double, a decimal to one of higher precision and the same scale.
   */
  public static boolean canWiden(Type from, Type to) {
    if (from.typeId() == Type.TypeID.INTEGER) {
      return to.typeId() == Type.TypeID.LONG;
    }
    if (from.typeId() == Type.TypeID.FLOAT) {
      return to.typeId() == Type.TypeID.DOUBLE;
    }
    if (from.typeId() == Type.TypeID.DECIMAL && to.typeId() == Type.TypeID.DECIMAL) {
      Types.DecimalType a = (Types.DecimalType) from;
      Types.DecimalType b = (Types.DecimalType) to;
      return a.scale() == b.scale() && b.precision() > a.precision();
    }
    return false;
  }

  /**
   * Converts a change event value (Java types as listed on {@link DataType.Kind}) or a value read
   * from an Iceberg generic record to what a generic record of {@code type} holds. Narrower values
   * fit wider types (an Integer in a long column). Null stays null.
   *
   * @throws IllegalArgumentException if the value does not fit the type
   */
  public static Object toIcebergValue(Object value, Type type) {
    if (value == null) {
      return null;
    }
    switch (type.typeId()) {
      case BOOLEAN:
        return expect(value, Boolean.class, type);
      // A value already of the column's class is returned as it is, not boxed again.
      case INTEGER:
        if (value instanceof Integer) {
          return value;
        }
        if (value instanceof Short || value instanceof Byte) {
          return ((Number) value).intValue();
        }
        throw invalid(value, type);
      case LONG:
        if (value instanceof Long) {
          return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
          return ((Number) value).longValue();
        }
        throw invalid(value, type);
      case FLOAT:
        return expect(value, Float.class, type);
      case DOUBLE:
        if (value instanceof Double) {
          return value;
        }
        if (value instanceof Float) {
          return ((Number) value).doubleValue();
        }
        throw invalid(value, type);
      case DECIMAL:
        return decimal(expect(value, BigDecimal.class, type), (Types.DecimalType) type);
      case STRING:
        return expect(value, String.class, type);
      case DATE:
        return expect(value, LocalDate.class, type);
      case TIME:
        return expect(value, LocalTime.class, type);
      case TIMESTAMP:
        if (((Types.TimestampType) type).shouldAdjustToUTC()) {
          if (value instanceof OffsetDateTime time) {
            return time.withOffsetSameInstant(ZoneOffset.UTC);
          }
          if (value instanceof Instant instant) {
            return utc(instant);
          }
          throw invalid(value, type);
        }
        return expect(value, LocalDateTime.class, type);
      case UUID:
        return expect(value, UUID.class, type);
      case BINARY:
        if (value instanceof ByteBuffer buffer) {
          return buffer.duplicate();
        }
        if (value instanceof byte[] bytes) {
          return ByteBuffer.wrap(bytes);
        }
        throw invalid(value, type);
      case LIST:
        List<?> list = expect(value, List.class, type);
        Type elementType = type.asListType().elementType();
        List<Object> converted = new ArrayList<>(list.size());
        for (Object element : list) {
          converted.add(toIcebergValue(element, elementType));
        }
        return converted;
      default:
        throw new IllegalArgumentException("Invalid lake column type " + type + ": Tributary does not write it");
    }
  }

  /**
   * {@code instant} as an {@link OffsetDateTime} at UTC, the form generic records hold timestamptz values in: equal
   * to {@code instant.atOffset(ZoneOffset.UTC)}, which builds new zone rules on every call (a measurable share of
   * the writer's time at one call per timestamp of every change).
   */
  static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.of(
        LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC), ZoneOffset.UTC);
  }

  /**
   * The form Iceberg expressions take for a value of {@code type} ({@link #toIcebergValue} form):
   * dates as days, times and timestamps as microseconds; other values as they are.
   */
  public static Object toLiteral(Object value, Type type) {
    return switch (type.typeId()) {
      case DATE -> DateTimeUtil.daysFromDate((LocalDate) value);
      case TIME -> DateTimeUtil.microsFromTime((LocalTime) value);
      case TIMESTAMP -> value instanceof OffsetDateTime time
          ? DateTimeUtil.microsFromTimestamptz(time)
          : DateTimeUtil.microsFromTimestamp((LocalDateTime) value);
      default -> value;
    };
  }

  private static BigDecimal decimal(BigDecimal value, Types.DecimalType type) {
    BigDecimal scaled;
    try {
      scaled = value.setScale(type.scale(), RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("Invalid value for " + type + ": " + value.toPlainString()
          + " has more than " + type.scale() + " digits after the point", e);
    }
    if (scaled.precision() > type.precision()) {
      throw new IllegalArgumentException("Invalid value for " + type + ": " + value.toPlainString()
          + " has more than " + type.precision() + " digits");
    }
    return scaled;
  }

  private static <T> T expect(Object value, Class<T> javaType, Type type) {
    if (!javaType.isInstance(value)) {
      throw invalid(value, type);
    }
    return javaType.cast(value);
  }

  private static IllegalArgumentException invalid(Object value, Type type) {
    return new IllegalArgumentException("Invalid value for lake type " + type + ": " + value + " is a "
        + value.getClass().getName());
  }
}
