package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * Settings of one lake table, from the {@code tables} section of the file, keyed by the lake table's
 * name ({@code clients} for {@code bronze.clients}, {@code silver.clients}, ...). Every column name in
 * it is a column name of the source, before any rename.
 *
 * @param name the lake table name
 * @param key the key columns of a feed's records; empty means the source's primary key (CDC tables)
 * @param sequenceBy the column that orders the versions of a key (feeds); empty means arrival order
 *     for feeds and commit order for CDC
 * @param deleteWhen a SQL condition over a feed's record that makes the record a delete of its key
 * @param history how {@code history.<name>} is kept
 * @param shape how silver and history columns differ from the source's
 */
public record TableConfig(
    String name, List<String> key, Optional<String> sequenceBy, Optional<String> deleteWhen,
    HistoryConfig history, ShapeConfig shape) {
  public TableConfig {
    requireNonNull(name, "name is null");
    key = List.copyOf(requireNonNull(key, "key is null"));
    requireNonNull(sequenceBy, "sequenceBy is null");
    requireNonNull(deleteWhen, "deleteWhen is null");
    requireNonNull(history, "history is null");
    requireNonNull(shape, "shape is null");
  }

  /** What a table without an entry in {@code tables} gets: its source's key, history of every column. */
  public static TableConfig defaults(String name) {
    return new TableConfig(
        name, List.of(), Optional.empty(), Optional.empty(), HistoryConfig.DEFAULT, ShapeConfig.NONE);
  }
}
