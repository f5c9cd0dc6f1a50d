package io.tributary.sources.debezium;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.UUID;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium's data records into {@link ChangeEvent}s: table schemas from the record's Connect
 * schema (the key is the record key's fields, the primary key), values into the lake's Java types.
 * Shared by every Debezium connector; how a connector orders its records is its {@link
 * PositionScheme}.
 */
public final class RecordConverter {
  public static final String UNAVAILABLE_PLACEHOLDER = "__debezium_unavailable_value";
  private static final ByteBuffer UNAVAILABLE_BYTES =
      ByteBuffer.wrap(UNAVAILABLE_PLACEHOLDER.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();

  private static final Set<String> BINARY_TYPES = Set.of("BYTEA", "_BYTEA", "BINARY", "VARBINARY", "TINYBLOB", "BLOB",
      "MEDIUMBLOB", "LONGBLOB", "BIT");

  // PostgreSQL's infinity and -infinity timestamps as Debezium sends them (microseconds; at or
  // beyond them also the values it clamps), and the days of PostgreSQL's date range.
  private static final long POSITIVE_INFINITY = 9_223_372_036_825_200_000L;
  private static final long NEGATIVE_INFINITY = -9_223_372_036_832_400_000L;
  private static final Instant FIRST_INSTANT = Instant.EPOCH.plus(NEGATIVE_INFINITY + 1, ChronoUnit.MICROS);
  private static final Instant LAST_INSTANT = Instant.EPOCH.plus(POSITIVE_INFINITY - 1, ChronoUnit.MICROS);
  private static final long FIRST_DAY = LocalDate.of(-4712, 1, 1).toEpochDay();
  private static final long LAST_DAY = LocalDate.of(5_874_897, 12, 31).toEpochDay();

  private final String source;
  private final String tablePrefix;
  private final Map<Schema, TableSchema> schemas = new IdentityHashMap<>();
  private final String namespaceField;
  private final Predicate<String> fullBeforeImage;
  private final ToLongFunction<Struct> transactionId;

  /**
   * @param namespaceField the field of Debezium's {@code source} block that names the table's
   *     namespace: {@code schema} for PostgreSQL, {@code db} for MySQL and MariaDB
   * @param fullBeforeImage whether a table ({@code namespace.table}) sends whole old rows; for the
   *     others the server sends only the key, Debezium fills required columns with stand-in values (0,
   *     empty text), and those must not reach the lake, so every column but the key is set to null
   * @param transactionId the transaction number of a change, from its {@code source} block
   */
  public RecordConverter(String source, String tablePrefix, String namespaceField, Predicate<String> fullBeforeImage,
      ToLongFunction<Struct> transactionId) {
    this.source = requireNonNull(source, "source is null");
    this.tablePrefix = requireNonNull(tablePrefix, "tablePrefix is null");
    this.namespaceField = requireNonNull(namespaceField, "namespaceField is null");
    this.fullBeforeImage = requireNonNull(fullBeforeImage, "fullBeforeImage is null");
    this.transactionId = requireNonNull(transactionId, "transactionId is null");
  }

  public static boolean isHeartbeat(SourceRecord record) {
    Schema schema = record.valueSchema();
    return schema != null && schema.name() != null && schema.name().endsWith(".Heartbeat");
  }

  /** The change a data record carries, or empty for records that carry none (truncate, messages). */
  public Optional<ChangeEvent> convert(SourceRecord record, Position position) {
    Struct value = (Struct) record.value();
    if (value == null) {
      return Optional.empty();
    }
    String op = value.getString("op");
    Operation operation = switch (op) {
      case "r" -> Operation.READ;
      case "c" -> Operation.CREATE;
      case "u" -> Operation.UPDATE;
      case "d" -> Operation.DELETE;
      default -> null;
    };
    if (operation == null) {
      return Optional.empty();
    }
    Struct sourceInfo = value.getStruct("source");
    TableSchema schema = schema(record, sourceInfo);
    // An old value the lake cannot hold never reached it: null in the old image, so a change that
    // corrects it (or deletes the row) flows.
    Optional<Map<String, Object>> before = image(value, "before", schema, true);
    String sourceTable = sourceInfo.getString(namespaceField) + "." + sourceInfo.getString("table");
    if (before.isPresent() && !fullBeforeImage.test(sourceTable)) {
      before = Optional.of(keyOnly(before.get(), schema));
    }
    Optional<Map<String, Object>> after = image(value, "after", schema, false);
    Instant commitTime = commitTime(sourceInfo);
    return Optional.of(new ChangeEvent(schema, operation, before, after, position, commitTime,
        transactionId.applyAsLong(sourceInfo)));
  }

  private TableSchema schema(SourceRecord record, Struct sourceInfo) {
    Schema valueSchema = record.valueSchema();
    TableSchema known = schemas.get(valueSchema);
    if (known != null) {
      return known;
    }
    TableId table = new TableId(source, sourceInfo.getString(namespaceField), tablePrefix + sourceInfo.getString("table"));
    Schema rowSchema = valueSchema.field("after") != null ? valueSchema.field("after").schema() : valueSchema.field("before").schema();
    List<Column> columns = new ArrayList<>();
    for (Field field : rowSchema.fields()) {
      columns.add(new Column(field.name(), dataType(table, field.name(), field.schema()), field.schema().isOptional()));
    }
    List<String> key = new ArrayList<>();
    if (record.keySchema() != null) {
      for (Field field : record.keySchema().fields()) {
        key.add(field.name());
      }
    }
    TableSchema schema = new TableSchema(table, columns, key);
    schemas.put(valueSchema, schema);
    return schema;
  }

  private static Map<String, Object> keyOnly(Map<String, Object> image, TableSchema schema) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : image.entrySet()) {
      values.put(entry.getKey(), schema.key().contains(entry.getKey()) ? entry.getValue() : null);
    }
    return values;
  }

  static DataType dataType(TableId table, String column, Schema schema) {
    String logical = schema.name() == null ? "" : schema.name();
    switch (logical) {
      case "org.apache.kafka.connect.data.Decimal" -> {
        int scale = Integer.parseInt(schema.parameters().get("scale"));
        int precision = precision(schema);
        if (precision == 0 || precision > DataType.MAX_DECIMAL_PRECISION) {
          return DataType.of(DataType.Kind.STRING);
        }
        return DataType.decimal(precision, scale);
      }
      case "io.debezium.data.VariableScaleDecimal" -> {
        // numeric without a declared scale: no fixed-scale lake type holds every value exactly
        return DataType.of(DataType.Kind.STRING);
      }
      case "io.debezium.time.Date" -> {
        return DataType.of(DataType.Kind.DATE);
      }
      case "io.debezium.time.Time", "io.debezium.time.MicroTime", "io.debezium.time.NanoTime" -> {
        return DataType.of(DataType.Kind.TIME);
      }
      case "io.debezium.time.Timestamp", "io.debezium.time.MicroTimestamp", "io.debezium.time.NanoTimestamp" -> {
        return DataType.of(DataType.Kind.TIMESTAMP);
      }
      case "io.debezium.time.ZonedTimestamp" -> {
        return DataType.of(DataType.Kind.TIMESTAMPTZ);
      }
      case "io.debezium.data.Uuid" -> {
        return DataType.of(DataType.Kind.UUID);
      }
      case "io.debezium.data.Json" -> {
        return DataType.of(DataType.Kind.JSON);
      }
      default -> {
        // ZonedTime, Xml, Enum, intervals as text, and everything below by its Connect type
      }
    }
    return switch (schema.type()) {
      case BOOLEAN -> DataType.of(DataType.Kind.BOOLEAN);
      case INT8, INT16 -> DataType.of(DataType.Kind.INT16);
      case INT32 -> DataType.of(DataType.Kind.INT32);
      case INT64 -> DataType.of(DataType.Kind.INT64);
      case FLOAT32 -> DataType.of(DataType.Kind.FLOAT32);
      case FLOAT64 -> DataType.of(DataType.Kind.FLOAT64);
      case BYTES -> isUnknownType(schema) ? DataType.of(DataType.Kind.STRING) : DataType.of(DataType.Kind.BINARY);
      case ARRAY -> DataType.list(dataType(table, column, schema.valueSchema()));
      case STRING -> DataType.of(DataType.Kind.STRING);
      case STRUCT, MAP -> DataType.of(DataType.Kind.STRING);
    };
  }

  /**
   * A type Debezium does not map (a PostgreSQL composite type, say): it sends the server's text form
   * as bytes. Bytes of a binary column type (and MySQL's {@code BIT(n)}) are binary data.
   */
  private static boolean isUnknownType(Schema schema) {
    String sourceType = schema.parameters() == null ? null : schema.parameters().get("__debezium.source.column.type");
    return sourceType != null && !BINARY_TYPES.contains(sourceType.toUpperCase(Locale.ROOT))
        && !"io.debezium.data.Bits".equals(schema.name());
  }

  private static int precision(Schema schema) {
    Map<String, String> parameters = schema.parameters();
    for (String name : List.of("connect.decimal.precision", "__debezium.source.column.length")) {
      String value = parameters.get(name);
      if (value != null) {
        return Integer.parseInt(value);
      }
    }
    return 0;
  }

  private static Optional<Map<String, Object>> image(Struct value, String name, TableSchema schema, boolean lenient) {
    if (value.schema().field(name) == null) {
      return Optional.empty();
    }
    Struct row = value.getStruct(name);
    if (row == null) {
      return Optional.empty();
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Field field : row.schema().fields()) {
      Column column = schema.column(field.name()).orElseThrow();
      Object raw = row.get(field);
      try {
        values.put(field.name(), value(column.type(), field.schema(), raw));
      } catch (RuntimeException e) {
        if (!lenient || schema.key().contains(field.name())) {
          throw new UnconvertibleValueException(schema, field.name(), field.schema(), raw, e);
        }
        values.put(field.name(), null);
      }
    }
    return Optional.of(values);
  }

  static Object value(DataType type, Schema schema, Object raw) {
    if (raw == null) {
      return null;
    }
    if (isPlaceholder(raw)) {
      return ChangeEvent.UNAVAILABLE;
    }
    String logical = schema.name() == null ? "" : schema.name();
    return switch (type.kind()) {
      case BOOLEAN, INT32, INT64, FLOAT32, FLOAT64 -> raw;
      case INT16 -> ((Number) raw).intValue();
      case DECIMAL -> ((BigDecimal) raw).setScale(type.scale(), RoundingMode.UNNECESSARY);
      case STRING -> switch (logical) {
        case "io.debezium.data.VariableScaleDecimal" -> variableScaleDecimal((Struct) raw).toPlainString();
        case "org.apache.kafka.connect.data.Decimal" -> ((BigDecimal) raw).toPlainString();
        default -> raw instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
            : raw instanceof ByteBuffer buffer ? StandardCharsets.UTF_8.decode(buffer.duplicate()).toString()
            : raw.toString();
      };
      case JSON -> raw.toString();
      case DATE -> date(((Number) raw).longValue());
      case TIME -> switch (logical) {
        case "io.debezium.time.Time" -> LocalTime.ofNanoOfDay(((Number) raw).longValue() * 1_000_000L);
        case "io.debezium.time.NanoTime" -> LocalTime.ofNanoOfDay(((Number) raw).longValue());
        default -> LocalTime.ofNanoOfDay(((Number) raw).longValue() * 1_000L);
      };
      case TIMESTAMP -> {
        long amount = ((Number) raw).longValue();
        Instant instant = switch (logical) {
          case "io.debezium.time.Timestamp" -> Instant.ofEpochMilli(amount);
          case "io.debezium.time.NanoTimestamp" -> Instant.EPOCH.plusNanos(amount);
          default -> Instant.EPOCH.plus(amount, ChronoUnit.MICROS);
        };
        yield LocalDateTime.ofInstant(inLakeRange(instant), ZoneOffset.UTC);
      }
      case TIMESTAMPTZ -> {
        OffsetDateTime time = OffsetDateTime.parse(raw.toString()).withOffsetSameInstant(ZoneOffset.UTC);
        inLakeRange(time.toInstant());
        yield time;
      }
      case UUID -> UUID.fromString(raw.toString());
      case BINARY -> raw instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : ((ByteBuffer) raw).duplicate();
      case LIST -> {
        List<?> items = (List<?>) raw;
        List<Object> values = new ArrayList<>(items.size());
        for (Object item : items) {
          values.add(value(type.element().orElseThrow(), schema.valueSchema(), item));
        }
        yield values;
      }
    };
  }

  /**
   * A day the captured databases can hold: from 4713 BC (PostgreSQL's first) to 5874897 AD
   * (PostgreSQL's last). Debezium turns PostgreSQL's {@code infinity} dates into days far outside.
   */
  private static LocalDate date(long epochDay) {
    if (epochDay < FIRST_DAY || epochDay > LAST_DAY) {
      throw new IllegalArgumentException("PostgreSQL's infinity or -infinity, or a day beyond 4713 BC to 5874897 AD");
    }
    return LocalDate.ofEpochDay(epochDay);
  }

  /** An instant the lake's microsecond timestamps hold, short of the values Debezium gives PostgreSQL's infinities. */
  private static Instant inLakeRange(Instant instant) {
    if (instant.isBefore(FIRST_INSTANT) || instant.isAfter(LAST_INSTANT)) {
      throw new IllegalArgumentException("PostgreSQL's infinity or -infinity, or a time beyond the lake's range");
    }
    return instant;
  }

  private static boolean isPlaceholder(Object raw) {
    if (raw instanceof String text) {
      return text.equals(UNAVAILABLE_PLACEHOLDER);
    }
    if (raw instanceof byte[] bytes) {
      return ByteBuffer.wrap(bytes).equals(UNAVAILABLE_BYTES);
    }
    if (raw instanceof ByteBuffer buffer) {
      return buffer.duplicate().equals(UNAVAILABLE_BYTES);
    }
    if (raw instanceof List<?> list) {
      return list.size() == 1 && UNAVAILABLE_PLACEHOLDER.equals(list.get(0));
    }
    return false;
  }

  private static BigDecimal variableScaleDecimal(Struct struct) {
    int scale = struct.getInt32("scale");
    byte[] bytes = struct.getBytes("value");
    return new BigDecimal(new BigInteger(bytes), scale);
  }

  private static Instant commitTime(Struct sourceInfo) {
    if (sourceInfo.schema().field("ts_us") != null && sourceInfo.get("ts_us") != null) {
      return Instant.EPOCH.plus(sourceInfo.getInt64("ts_us"), ChronoUnit.MICROS);
    }
    return Instant.ofEpochMilli(sourceInfo.getInt64("ts_ms"));
  }

}
