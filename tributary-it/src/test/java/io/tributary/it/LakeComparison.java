package io.tributary.it;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads a source table and a lake table into comparable form: rows keyed by their key, each value
 * in one canonical text form whichever side it came from. The lake is read with Iceberg's own
 * reader, which applies delete files, so these checks do not depend on the SQL engine.
 */
final class LakeComparison {
  private LakeComparison() {}

  static Map<Integer, List<String>> sourceRows(Connection connection, String table, String columns) throws SQLException {
    Map<Integer, List<String>> rows = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT " + columns + " FROM " + table)) {
      ResultSetMetaData meta = result.getMetaData();
      while (result.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          values.add(canonical(jdbcValue(result, i, meta.getColumnTypeName(i))));
        }
        rows.put(result.getInt(1), values);
      }
    }
    return rows;
  }

  static Map<Integer, List<String>> lakeRows(Catalog catalog, String layer, String table, String columns) {
    List<String> names = Arrays.stream(columns.split(",")).map(String::trim).toList();
    Map<Integer, List<String>> rows = new TreeMap<>();
    for (Record record : records(catalog, layer, table)) {
      List<String> values = new ArrayList<>();
      for (String name : names) {
        values.add(canonical(record.getField(name)));
      }
      Integer key = (Integer) record.getField(names.get(0));
      if (rows.put(key, values) != null) {
        throw new AssertionError(layer + "." + table + " holds key " + key + " twice");
      }
    }
    return rows;
  }

  /** The current versions of history.{@code table}, like {@link #lakeRows}: one per key that exists. */
  static Map<Integer, List<String>> currentHistoryRows(Catalog catalog, String table, String columns) {
    List<String> names = Arrays.stream(columns.split(",")).map(String::trim).toList();
    Map<Integer, List<String>> rows = new TreeMap<>();
    for (Record record : records(catalog, "history", table)) {
      if (!Boolean.TRUE.equals(record.getField("_is_current"))) {
        continue;
      }
      List<String> values = new ArrayList<>();
      for (String name : names) {
        values.add(canonical(record.getField(name)));
      }
      Integer key = (Integer) record.getField(names.get(0));
      if (rows.put(key, values) != null) {
        throw new AssertionError("history." + table + " holds two current versions of key " + key);
      }
    }
    return rows;
  }

  /** Per key, the operations the audit trigger recorded, in commit order; a key change is a delete of the old key and a create of the new. */
  static Map<Integer, List<String>> auditedChanges(Connection connection, String table) throws SQLException {
    Map<Integer, List<String>> changes = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(
            "SELECT op, old_key, new_key FROM change_audit WHERE tbl = '" + table + "' ORDER BY id")) {
      while (result.next()) {
        String op = result.getString(1);
        int oldKey = result.getInt(2);
        int newKey = result.getInt(3);
        switch (op) {
          case "c" -> add(changes, newKey, "c");
          case "d" -> add(changes, oldKey, "d");
          default -> {
            if (oldKey == newKey) {
              add(changes, newKey, "u");
            } else {
              add(changes, oldKey, "d");
              add(changes, newKey, "c");
            }
          }
        }
      }
    }
    return changes;
  }

  /** Per key, the operations bronze holds after the snapshot, in position order. */
  static Map<Integer, List<String>> bronzeChanges(Catalog catalog, String table) {
    List<Record> records = new ArrayList<>();
    for (Record record : records(catalog, "bronze", table)) {
      if (!"r".equals(record.getField("_op"))) {
        records.add(record);
      }
    }
    records.sort((a, b) -> ((String) a.getField("_position")).compareTo((String) b.getField("_position")));
    Map<Integer, List<String>> changes = new TreeMap<>();
    for (Record record : records) {
      add(changes, (Integer) record.getField("id"), (String) record.getField("_op"));
    }
    return changes;
  }

  /** Snapshot reads in bronze per key: each key read at most once. */
  static Map<Integer, Long> snapshotReads(Catalog catalog, String table) {
    Map<Integer, Long> reads = new TreeMap<>();
    for (Record record : records(catalog, "bronze", table)) {
      if ("r".equals(record.getField("_op"))) {
        reads.merge((Integer) record.getField("id"), 1L, Long::sum);
      }
    }
    return reads;
  }

  static long count(Catalog catalog, String layer, String table) {
    long count = 0;
    for (Record ignored : records(catalog, layer, table)) {
      count++;
    }
    return count;
  }

  static List<Record> records(Catalog catalog, String layer, String table) {
    TableIdentifier identifier = TableIdentifier.of(layer, table);
    if (!catalog.tableExists(identifier)) {
      return List.of();
    }
    Table lakeTable = catalog.loadTable(identifier);
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> iterable = IcebergGenerics.read(lakeTable).build()) {
      for (Record record : iterable) {
        records.add(record.copy());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return records;
  }

  private static void add(Map<Integer, List<String>> changes, int key, String op) {
    changes.computeIfAbsent(key, ignored -> new ArrayList<>()).add(op);
  }

  private static Object jdbcValue(ResultSet result, int column, String typeName) throws SQLException {
    Object value = switch (typeName) {
      case "timestamptz" -> result.getObject(column, OffsetDateTime.class);
      case "timestamp" -> result.getObject(column, LocalDateTime.class);
      case "date" -> result.getObject(column, LocalDate.class);
      case "time" -> result.getObject(column, LocalTime.class);
      case "bytea" -> result.getBytes(column);
      case "json", "jsonb", "text", "varchar", "bpchar" -> result.getString(column);
      // MariaDB's names; a TIMESTAMP read on a session in UTC ('SET time_zone = '+00:00'') is UTC.
      case "DATE" -> result.getObject(column, LocalDate.class);
      case "DATETIME" -> result.getObject(column, LocalDateTime.class);
      case "TIMESTAMP" -> {
        LocalDateTime utc = result.getObject(column, LocalDateTime.class);
        yield utc == null ? null : utc.atOffset(java.time.ZoneOffset.UTC);
      }
      case "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "VARBINARY", "BINARY" -> result.getBytes(column);
      case "BIT", "BOOLEAN" -> result.getBoolean(column);
      default -> result.getObject(column);
    };
    if (value instanceof Array array) {
      return Arrays.asList((Object[]) array.getArray());
    }
    return result.wasNull() ? null : value;
  }

  static String canonical(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof Short || value instanceof Integer || value instanceof Long) {
      return Long.toString(((Number) value).longValue());
    }
    if (value instanceof Float f) {
      return "f" + f;
    }
    if (value instanceof OffsetDateTime time) {
      return time.toInstant().toString();
    }
    if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    }
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return HexFormat.of().formatHex(bytes);
    }
    if (value instanceof UUID || value instanceof String || value instanceof Boolean || value instanceof Double
        || value instanceof LocalDate || value instanceof LocalTime || value instanceof LocalDateTime) {
      return value.toString();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(LakeComparison::canonical).toList().toString();
    }
    throw new IllegalArgumentException("No canonical form for " + value.getClass().getName() + ": " + value);
  }
}
