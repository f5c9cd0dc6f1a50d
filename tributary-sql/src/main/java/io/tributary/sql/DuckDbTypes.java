package io.tributary.sql;

import java.util.stream.Collectors;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Spells Iceberg types as DuckDB SQL types. */
public final class DuckDbTypes {
  private DuckDbTypes() {}

  public static String of(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> "BOOLEAN";
      case INTEGER -> "INTEGER";
      case LONG -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case DECIMAL -> {
        Types.DecimalType decimal = (Types.DecimalType) type;
        yield "DECIMAL(" + decimal.precision() + "," + decimal.scale() + ")";
      }
      case STRING -> "VARCHAR";
      case DATE -> "DATE";
      case TIME -> "TIME";
      case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP";
      case TIMESTAMP_NANO -> ((Types.TimestampNanoType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP_NS";
      case UUID -> "UUID";
      case BINARY, FIXED -> "BLOB";
      case LIST -> of(type.asListType().elementType()) + "[]";
      case MAP -> "MAP(" + of(type.asMapType().keyType()) + ", " + of(type.asMapType().valueType()) + ")";
      case STRUCT -> type.asStructType().fields().stream()
          .map(field -> Sql.identifier(field.name()) + " " + of(field.type()))
          .collect(Collectors.joining(", ", "STRUCT(", ")"));
      default -> throw new IllegalArgumentException(
          "Cannot map Iceberg type " + type + " to a DuckDB type: not supported by the SQL engine");
    };
  }
}
