package io.tributary.sql.models;

import io.tributary.sql.DuckDbTypes;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** The Iceberg type a DuckDB result column gets in a gold table, and the DuckDB type written for it. */
final class GoldTypes {
  private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+),\\s*(\\d+)\\)");

  private GoldTypes() {}

  /** The Iceberg type for DuckDB type {@code duckDbType}; empty when it has none. */
  static Optional<Type> iceberg(String duckDbType) {
    String type = duckDbType.strip().toUpperCase(Locale.ROOT);
    Matcher decimal = DECIMAL.matcher(type);
    if (decimal.matches()) {
      return Optional.of(Types.DecimalType.of(Integer.parseInt(decimal.group(1)), Integer.parseInt(decimal.group(2))));
    }
    return Optional.ofNullable(switch (type) {
      case "BOOLEAN" -> Types.BooleanType.get();
      case "TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT" -> Types.IntegerType.get();
      case "BIGINT", "UINTEGER" -> Types.LongType.get();
      // Wider integers (sum() of BIGINT is HUGEINT) keep every value as a decimal.
      case "UBIGINT", "HUGEINT", "UHUGEINT" -> Types.DecimalType.of(38, 0);
      case "FLOAT" -> Types.FloatType.get();
      case "DOUBLE" -> Types.DoubleType.get();
      case "VARCHAR" -> Types.StringType.get();
      case "DATE" -> Types.DateType.get();
      case "TIME" -> Types.TimeType.get();
      case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS" -> Types.TimestampType.withoutZone();
      case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> Types.TimestampType.withZone();
      case "UUID" -> Types.UUIDType.get();
      case "BLOB" -> Types.BinaryType.get();
      default -> null;
    });
  }

  /** The DuckDB type whose Parquet encoding Iceberg reads as {@code type}. */
  static String duckDb(Type type) {
    if (!type.isPrimitiveType()) {
      throw new IllegalArgumentException("Invalid gold column type " + type + ": models write only primitive types");
    }
    return DuckDbTypes.of(type);
  }
}
