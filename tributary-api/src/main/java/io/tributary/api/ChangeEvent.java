package io.tributary.api;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One change of one row, as a source delivers it.
 *
 * <p>{@code before} and {@code after} map column names to values of the Java types listed on
 * {@link DataType.Kind}; a column may map to {@code null}. A value the source could not send (for
 * PostgreSQL, a large value unchanged by an update) is {@link #UNAVAILABLE}; it must be replaced by
 * the previous version's value before it is written anywhere.
 *
 * @param schema the table's schema when the change was made
 * @param before the row before the change: empty for reads and inserts, and for updates and
 *     deletes when the source does not send it (deletes always carry at least the key)
 * @param after the row after the change: empty for deletes
 * @param commitTime when the source committed the change
 * @param transactionId the source transaction, or 0 when the source has none
 */
public record ChangeEvent(
    TableSchema schema,
    Operation operation,
    Optional<Map<String, Object>> before,
    Optional<Map<String, Object>> after,
    Position position,
    Instant commitTime,
    long transactionId) {

  /** Stands for a value the source did not send because it did not change. */
  public static final Object UNAVAILABLE = new Object() {
    @Override
    public String toString() {
      return "<unavailable>";
    }
  };

  public ChangeEvent {
    requireNonNull(schema, "schema is null");
    requireNonNull(operation, "operation is null");
    before = requireNonNull(before, "before is null").map(ChangeEvent::copy);
    after = requireNonNull(after, "after is null").map(ChangeEvent::copy);
    requireNonNull(position, "position is null");
    requireNonNull(commitTime, "commitTime is null");
    if (operation == Operation.DELETE ? after.isPresent() || before.isEmpty() : after.isEmpty()) {
      throw new IllegalArgumentException("Invalid " + operation + " event for " + schema.table()
          + ": a delete has a before image and no after image; every other change has an after image");
    }
  }

  public TableId table() {
    return schema.table();
  }

  /** The row this change leaves, or the row it deleted: the image that carries the key. */
  public Map<String, Object> row() {
    return after.or(() -> before).orElseThrow();
  }

  private static Map<String, Object> copy(Map<String, Object> values) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }
}
