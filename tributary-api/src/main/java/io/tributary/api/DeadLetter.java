package io.tributary.api;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A record that cannot reach its table's silver and history layers, with the reason; the lake
 * writes it to {@code errors.<table>} (named by {@link TableId#name()}) in the same commit as the
 * changes around it, and the rest of the batch flows on.
 *
 * <p>Sources emit one through {@link io.tributary.api.spi.ChangeSink#reject} for a record they
 * cannot turn into a {@link ChangeEvent}: malformed JSON, a missing key, a value of the wrong type.
 * The lake writer makes its own for a change whose shaping fails (a value that does not cast, a
 * computed column whose expression fails for the row).
 *
 * <p>A dead letter is positioned like a change: {@link #position()} is the record's place in the
 * source's stream, it moves the batch's end like a change does, and {@code errors.<table>} skips a
 * dead letter at or before the position it already holds, so a redelivered batch does not
 * duplicate it.
 *
 * @param table the table the record belongs to; {@code errors.<table.name()>} receives it
 * @param key the record's key columns and values as far as they could be read (Java values as on
 *     {@link DataType.Kind}); empty when the record has no readable key
 * @param position where the record sits in the source's stream
 * @param location where the record came from, for a person to find it: {@code topic orders partition
 *     3 offset 1234}, {@code file /in/clients.jsonl line 17}, {@code GET https://api/clients page 4},
 *     {@code public.clients at 1:00000000016b4a28} for a database
 * @param payload the record's raw text as received (a line, a message value, a JSON document), when
 *     the source has it
 * @param column the column the problem lies in, when there is one
 * @param value the offending value as text, when there is one
 * @param reason what is wrong, in the words of an error message: what and why, and what to do
 */
public record DeadLetter(
    TableId table, Map<String, Object> key, Position position, String location, Optional<String> payload,
    Optional<String> column, Optional<String> value, String reason) {
  public DeadLetter {
    requireNonNull(table, "table is null");
    key = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(key, "key is null")));
    requireNonNull(position, "position is null");
    requireNonNull(location, "location is null");
    requireNonNull(payload, "payload is null");
    requireNonNull(column, "column is null");
    requireNonNull(value, "value is null");
    requireNonNull(reason, "reason is null");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("Invalid dead letter of " + table + " at " + position.sortKey()
          + ": blank reason (say what is wrong with the record)");
    }
  }

  /** A record of {@code table} that could not be read at all: no key, no column, just its text and reason. */
  public static DeadLetter unreadable(TableId table, Position position, String location, String payload, String reason) {
    return new DeadLetter(table, Map.of(), position, location, Optional.of(payload), Optional.empty(),
        Optional.empty(), reason);
  }
}
