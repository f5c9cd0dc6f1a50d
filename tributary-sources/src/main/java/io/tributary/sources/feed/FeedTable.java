package io.tributary.sources.feed;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.core.config.CastType;
import io.tributary.core.feed.RecordCondition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one lake table of a feed source: turns each record (a JSON object, a CSV row, a Parquet row)
 * into a change of its key, or says why it cannot.
 *
 * <p>A record is an upsert ({@code u}: whether the key was seen before is not known without reading
 * the lake) or, when {@code delete-when} holds for it, a delete ({@code d}) of its key. Declared
 * columns have their declared types; any other column takes the type of its first non-null value,
 * and later values must fit that type (a whole number fits a double column, anything fits a text
 * column, a string that reads as the type fits any column). The types so far are part of the
 * source's resume token ({@link #types()}, {@link #restore}), so a restarted source types columns as
 * the lake already holds them.
 */
public final class FeedTable {
  private final TableId id;
  private List<String> key;
  private final Optional<RecordCondition> deleteWhen;
  private final Map<String, DataType> declared = new LinkedHashMap<>();
  private final Map<String, DataType> types = new LinkedHashMap<>();
  private TableSchema schema;

  /** What became of one record. */
  public sealed interface Result permits Accepted, Rejected {}

  /** The record is this change. */
  public record Accepted(ChangeEvent event) implements Result {
    public Accepted {
      requireNonNull(event, "event is null");
    }
  }

  /**
   * The record cannot be a change, for this reason; with the column and value at fault when there is
   * one, and the record's key as far as it could be read.
   */
  public record Rejected(String reason, Optional<String> column, Optional<String> value, Map<String, Object> key)
      implements Result {
    public Rejected {
      requireNonNull(reason, "reason is null");
      requireNonNull(column, "column is null");
      requireNonNull(value, "value is null");
      key = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(key, "key is null")));
    }

    /** A record refused as a whole: unreadable, or without its key. */
    public Rejected(String reason) {
      this(reason, Optional.empty(), Optional.empty(), Map.of());
    }
  }

  public FeedTable(TableId id, List<String> key, Optional<String> deleteWhen, Map<String, CastType> columns) {
    this.id = requireNonNull(id, "id is null");
    this.key = List.copyOf(requireNonNull(key, "key is null"));
    this.deleteWhen = requireNonNull(deleteWhen, "deleteWhen is null").map(RecordCondition::parse);
    requireNonNull(columns, "columns is null").forEach((name, type) -> declared.put(name, ColumnValues.declared(type)));
  }

  public TableId id() {
    return id;
  }

  public List<String> key() {
    return key;
  }

  /**
   * Takes the key from the records when none is configured (Debezium events: the message key). Until
   * then {@link #key()} is empty.
   */
  public void adoptKey(List<String> columns) {
    if (key.isEmpty()) {
      key = List.copyOf(columns);
      schema = null;
    }
  }

  /** The column types so far, spelled for a resume token. */
  public Map<String, String> types() {
    Map<String, String> spelled = new LinkedHashMap<>();
    types.forEach((name, type) -> spelled.put(name, ColumnValues.spell(type)));
    return spelled;
  }

  /** Takes back the column types of {@link #types()} from a resume token. */
  public void restore(Map<String, String> spelled) {
    types.clear();
    spelled.forEach((name, type) -> types.put(name, ColumnValues.parse(type)));
    schema = null;
  }

  /** A feed record: an upsert of its key, or a delete when {@code delete-when} holds. */
  public Result record(Map<String, Object> values, Position position, Instant time) {
    boolean delete = deleteWhen.isPresent() && deleteWhen.get().test(values);
    return change(delete ? Operation.DELETE : Operation.UPDATE, values, position, time);
  }

  /**
   * A change whose operation the source knows (a Debezium event): {@code values} is the after image,
   * or for a delete the before image (at least the key).
   */
  public Result change(Operation operation, Map<String, Object> values, Position position, Instant time) {
    requireNonNull(values, "values is null");
    if (key.isEmpty()) {
      return new Rejected("no key (set tables." + id.name() + ".key to the columns that identify a record)");
    }
    for (String column : key) {
      if (values.get(column) == null) {
        return new Rejected((values.containsKey(column) ? "key column " + column + " is null"
            : "key column " + column + " is missing") + " (every record needs its key: " + String.join(", ", key) + ")");
      }
    }
    Map<String, DataType> added = new LinkedHashMap<>();
    Map<String, Object> row = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      String column = entry.getKey();
      Object value = entry.getValue();
      DataType type = types.get(column);
      if (type == null) {
        type = declared.get(column);
        if (type == null) {
          if (value == null) {
            continue;
          }
          type = ColumnValues.inferred(value);
        }
        added.put(column, type);
      }
      try {
        row.put(column, ColumnValues.convert(value, type));
      } catch (IllegalArgumentException e) {
        String hint = declared.containsKey(column) ? "declared under columns"
            : "its type comes from its first value; declare it under columns: to choose another";
        Map<String, Object> key = new LinkedHashMap<>();
        for (String keyColumn : this.key) {
          key.put(keyColumn, values.get(keyColumn));
        }
        return new Rejected("column " + column + ": " + e.getMessage() + " (the column is " + ColumnValues.name(type)
            + ", " + hint + ")", Optional.of(column), Optional.of(String.valueOf(value)), key);
      }
    }
    if (!added.isEmpty() || schema == null) {
      types.putAll(added);
      schema = schema();
    }
    Optional<Map<String, Object>> image = Optional.of(row);
    ChangeEvent event = operation == Operation.DELETE
        ? new ChangeEvent(schema, operation, image, Optional.empty(), position, time, 0)
        : new ChangeEvent(schema, operation, Optional.empty(), image, position, time, 0);
    return new Accepted(event);
  }

  private TableSchema schema() {
    List<Column> columns = new ArrayList<>();
    // key columns first: they are in every record, so they are known from the first one
    for (String column : key) {
      columns.add(new Column(column, types.get(column), false));
    }
    types.forEach((name, type) -> {
      if (!key.contains(name)) {
        columns.add(new Column(name, type, true));
      }
    });
    return new TableSchema(id, columns, key);
  }
}
