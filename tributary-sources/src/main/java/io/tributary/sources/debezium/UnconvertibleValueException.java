package io.tributary.sources.debezium;

import static java.util.Objects.requireNonNull;

import io.tributary.api.TableSchema;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;

/**
 * A value of one column of a Debezium record that the lake's type for the column cannot hold: a
 * PostgreSQL {@code -infinity} timestamp, a MariaDB {@code TIME} beyond a day, say. The record goes to
 * {@code errors.<table>} and the records around it flow on.
 */
final class UnconvertibleValueException extends RuntimeException {
  private final transient TableSchema schema;
  private final String column;
  private final String value;

  UnconvertibleValueException(TableSchema schema, String column, Schema connectSchema, Object raw, RuntimeException cause) {
    super(reason(schema, column, connectSchema, raw, cause), cause);
    this.schema = requireNonNull(schema, "schema is null");
    this.column = requireNonNull(column, "column is null");
    this.value = text(connectSchema, raw);
  }

  TableSchema schema() {
    return schema;
  }

  String column() {
    return column;
  }

  String value() {
    return value;
  }

  /** The value as a person reads it: a time of day as {@code -01:00:00}, not Debezium's microseconds. */
  static String text(Schema connectSchema, Object raw) {
    String logical = connectSchema.name() == null ? "" : connectSchema.name();
    if (raw instanceof Number number) {
      long nanos = switch (logical) {
        case "io.debezium.time.Time" -> number.longValue() * 1_000_000L;
        case "io.debezium.time.MicroTime" -> number.longValue() * 1_000L;
        case "io.debezium.time.NanoTime" -> number.longValue();
        default -> Long.MIN_VALUE;
      };
      if (nanos != Long.MIN_VALUE) {
        return duration(nanos);
      }
    }
    return text(raw);
  }

  private static String duration(long nanos) {
    long magnitude = Math.abs(nanos);
    long seconds = magnitude / 1_000_000_000L;
    long fraction = magnitude % 1_000_000_000L;
    String text = String.format(Locale.ROOT, "%s%02d:%02d:%02d", nanos < 0 ? "-" : "", seconds / 3600, seconds / 60 % 60, seconds % 60);
    if (fraction != 0) {
      text += "." + String.format(Locale.ROOT, "%09d", fraction).replaceAll("0+$", "");
    }
    return text;
  }

  static String text(Object raw) {
    if (raw instanceof byte[] bytes) {
      return "0x" + HexFormat.of().formatHex(bytes);
    }
    if (raw instanceof java.nio.ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return "0x" + HexFormat.of().formatHex(bytes);
    }
    return String.valueOf(raw);
  }

  private static String reason(TableSchema schema, String column, Schema connectSchema, Object raw, RuntimeException cause) {
    Map<String, String> parameters = connectSchema.parameters();
    String sourceType = parameters == null ? null : parameters.get("__debezium.source.column.type");
    String lakeType = schema.column(column).map(c -> c.type().toString()).orElse("?");
    return "Cannot convert value " + text(connectSchema, raw) + " of column " + column
        + (sourceType == null ? "" : " (" + sourceType.toLowerCase(Locale.ROOT) + ")")
        + " to the lake type " + lakeType + ": " + cause.getMessage()
        + " (this change stays out of bronze and silver, the changes around it flow on; "
        + "correct the value at the source and the next change of the row brings it in)";
  }
}
