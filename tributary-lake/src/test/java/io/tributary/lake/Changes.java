package io.tributary.lake;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Builds change events and reads lake tables back for tests. */
final class Changes {
  static final String SOURCE = "shop";
  static final Instant COMMIT_TIME = Instant.parse("2026-01-02T03:04:05.123456Z");

  private Changes() {}

  static TableSchema schema(String table, List<String> key, Column... columns) {
    return new TableSchema(new TableId(SOURCE, "public", table), List.of(columns), key);
  }

  static Column column(String name, DataType.Kind kind) {
    return new Column(name, DataType.of(kind), true);
  }

  static Column column(String name, DataType type) {
    return new Column(name, type, true);
  }

  static Position position(long n) {
    return new Position(String.format("%012d", n), "token-" + n, false);
  }

  /** Column values given as name, value, name, value, ... */
  static Map<String, Object> row(Object... namesAndValues) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      row.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return row;
  }

  static ChangeEvent insert(TableSchema schema, long position, Map<String, Object> after) {
    return new ChangeEvent(schema, Operation.CREATE, Optional.empty(), Optional.of(after), position(position),
        COMMIT_TIME, 7);
  }

  static ChangeEvent read(TableSchema schema, long position, Map<String, Object> after) {
    return new ChangeEvent(schema, Operation.READ, Optional.empty(), Optional.of(after), position(position),
        COMMIT_TIME, 0);
  }

  static ChangeEvent update(TableSchema schema, long position, Map<String, Object> before, Map<String, Object> after) {
    return new ChangeEvent(schema, Operation.UPDATE, Optional.ofNullable(before), Optional.of(after),
        position(position), COMMIT_TIME, 8);
  }

  static ChangeEvent delete(TableSchema schema, long position, Map<String, Object> before) {
    return new ChangeEvent(schema, Operation.DELETE, Optional.of(before), Optional.empty(), position(position),
        COMMIT_TIME, 9);
  }

  static List<Record> read(Lake lake, String layer, String table) {
    Table loaded = lake.catalog().loadTable(TableIdentifier.of(layer, table));
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(loaded).build()) {
      rows.forEach(records::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }

  /** Silver rows by the value of {@code keyColumn}. */
  static Map<Object, Record> byKey(List<Record> records, String keyColumn) {
    Map<Object, Record> result = new LinkedHashMap<>();
    for (Record record : records) {
      Object previous = result.put(record.getField(keyColumn), record);
      if (previous != null) {
        throw new AssertionError("key " + record.getField(keyColumn) + " appears twice: " + previous + ", " + record);
      }
    }
    return result;
  }
}
