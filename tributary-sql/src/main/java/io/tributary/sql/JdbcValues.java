package io.tributary.sql;

import java.sql.Array;
import java.sql.Blob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Struct;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBStruct;

/** Turns DuckDB JDBC values into the plain Java values {@link QueryResult} promises. */
final class JdbcValues {
  private JdbcValues() {}

  static Object read(ResultSet resultSet, int column, String typeName) throws SQLException {
    if (typeName.equals("TIMESTAMP") || typeName.startsWith("TIMESTAMP_")) {
      // java.sql.Timestamp goes through the JVM's zone; ask for the wall-clock value directly.
      return resultSet.getObject(column, LocalDateTime.class);
    }
    return normalize(resultSet.getObject(column));
  }

  static Object normalize(Object value) throws SQLException {
    if (value == null) {
      return null;
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toLocalDateTime();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate();
    }
    if (value instanceof java.sql.Time time) {
      return time.toLocalTime();
    }
    if (value instanceof OffsetDateTime offsetDateTime) {
      return offsetDateTime.withOffsetSameInstant(ZoneOffset.UTC);
    }
    if (value instanceof Blob blob) {
      return blob.getBytes(1, Math.toIntExact(blob.length()));
    }
    if (value instanceof Array array) {
      Object[] elements = (Object[]) array.getArray();
      List<Object> list = new ArrayList<>(elements.length);
      for (Object element : elements) {
        list.add(normalize(element));
      }
      return Collections.unmodifiableList(list);
    }
    if (value instanceof DuckDBStruct struct) {
      return normalizeMap(struct.getMap());
    }
    if (value instanceof Struct struct) {
      return Collections.unmodifiableList(Arrays.asList(struct.getAttributes()));
    }
    if (value instanceof Map<?, ?> map) {
      return normalizeMap(map);
    }
    return value;
  }

  private static Map<Object, Object> normalizeMap(Map<?, ?> map) throws SQLException {
    Map<Object, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      copy.put(normalize(entry.getKey()), normalize(entry.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }
}
