package io.tributary.sources.postgres.snapshot;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.postgres.PostgresPositions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Delivers a chunked snapshot to a {@link ChangeSink} as {@link Operation#READ} changes: values decoded on the
 * reading threads by {@link ColumnDecoder}s, positions {@code 0:<row>} numbered in delivery order (the scheme of
 * {@link PostgresPositions}); the last row's position leaves the snapshot ({@link Position#inSnapshot()} false) and
 * carries the resume token streaming starts from (with no rows, a progress position does). A row with a value that cannot be decoded becomes a dead
 * letter in its place; the others go on.
 */
public final class SnapshotEvents {
  private final String source;
  private final String tablePrefix;
  private final ColumnDecoder.Factory decoders;

  /**
   * @param source the source's name: the lake tables' source
   * @param tablePrefix put before each table's name in the lake
   * @param decoders how column values are decoded
   */
  public SnapshotEvents(String source, String tablePrefix, ColumnDecoder.Factory decoders) {
    this.source = requireNonNull(source, "source is null");
    this.tablePrefix = requireNonNull(tablePrefix, "tablePrefix is null");
    this.decoders = requireNonNull(decoders, "decoders is null");
  }

  /**
   * Reads {@code tables} at {@code snapshotName} with {@code reader} and delivers every row to {@code sink}.
   *
   * @param snapshotTime the changes' commit time: when the snapshot was taken
   * @param rowToken the resume token of the rows' positions (a restart inside the snapshot reads it again anyway)
   * @param endToken the resume token of the final position, which leaves the snapshot: given back to the source,
   *     it must start streaming where the snapshot ends (the slot's consistent point)
   * @param imported see {@link ChunkedSnapshotReader#read}
   * @return the final position, already delivered: the last row's, or progress at {@code 0:0...0} without rows
   */
  public Position deliver(ChunkedSnapshotReader reader, String snapshotName, List<String> tables, Instant snapshotTime,
      String rowToken, String endToken, ChangeSink sink, Runnable imported) throws InterruptedException {
    requireNonNull(reader, "reader is null");
    requireNonNull(snapshotTime, "snapshotTime is null");
    requireNonNull(rowToken, "rowToken is null");
    requireNonNull(endToken, "endToken is null");
    requireNonNull(sink, "sink is null");
    Map<SnapshotTable, Decoding> decodings = new java.util.concurrent.ConcurrentHashMap<>();
    ChunkedSnapshotReader.Mapping<Object> mapping = (catalog, table) -> {
      Decoding decoding = decoding(catalog, table);
      decodings.put(table, decoding);
      return decoding::decode;
    };
    // Each row is delivered when the next one arrives, so the last can carry the position that ends the snapshot.
    Held held = new Held();
    ChunkedSnapshotReader.Result result = reader.read(snapshotName, tables, mapping, (table, row, value) -> {
      if (held.table != null) {
        deliver(held, decodings.get(held.table), new Position(PostgresPositions.snapshotSortKey(held.row), rowToken, true),
            snapshotTime, sink);
      }
      held.table = table;
      held.row = row;
      held.value = value;
    }, imported);
    Position end = new Position(PostgresPositions.snapshotSortKey(result.rows()), endToken, false);
    if (held.table != null) {
      deliver(held, decodings.get(held.table), end, snapshotTime, sink);
    } else {
      sink.progress(end);
    }
    return end;
  }

  private static void deliver(Held held, Decoding decoding, Position position, Instant snapshotTime, ChangeSink sink)
      throws InterruptedException {
    if (held.value instanceof Rejected rejected) {
      sink.reject(new DeadLetter(decoding.schema.table(), rejected.key, position,
          held.table.qualifiedName() + " in the initial snapshot (row " + held.row + ")", Optional.of(rejected.payload),
          Optional.of(rejected.column), Optional.of(rejected.value), rejected.reason));
    } else {
      @SuppressWarnings("unchecked")
      Map<String, Object> values = (Map<String, Object>) held.value;
      sink.accept(new ChangeEvent(decoding.schema, Operation.READ, Optional.empty(), Optional.of(values), position,
          snapshotTime, 0));
    }
  }

  /** The row read last, not delivered yet. */
  private static final class Held {
    SnapshotTable table;
    long row;
    Object value;
  }

  private Decoding decoding(java.sql.Connection catalog, SnapshotTable table) throws java.sql.SQLException {
    List<ColumnDecoder> columns = new ArrayList<>();
    List<Column> schemaColumns = new ArrayList<>();
    for (PgColumn column : table.columns()) {
      ColumnDecoder decoder = decoders.decoder(catalog, column);
      columns.add(decoder);
      schemaColumns.add(new Column(column.name(), decoder.type(), !column.notNull()));
    }
    TableSchema schema = new TableSchema(new TableId(source, table.schema(), tablePrefix + table.name()), schemaColumns,
        table.key());
    return new Decoding(table, schema, columns);
  }

  /** A row whose value in {@code column} has no lake value. */
  private record Rejected(Map<String, Object> key, String column, String value, String reason, String payload) {}

  private static final class Decoding {
    final SnapshotTable table;
    final TableSchema schema;
    final ColumnDecoder[] decoders;
    final String[] names;
    final int[] keyIndexes;

    Decoding(SnapshotTable table, TableSchema schema, List<ColumnDecoder> decoders) {
      this.table = table;
      this.schema = schema;
      this.decoders = decoders.toArray(ColumnDecoder[]::new);
      this.names = table.columns().stream().map(PgColumn::name).toArray(String[]::new);
      this.keyIndexes = table.key().stream().mapToInt(key -> List.of(names).indexOf(key)).toArray();
    }

    Object decode(String[] text) {
      Map<String, Object> values = new LinkedHashMap<>((int) (names.length / 0.75f) + 1);
      for (int i = 0; i < names.length; i++) {
        String value = text[i];
        if (value == null) {
          values.put(names[i], null);
          continue;
        }
        try {
          values.put(names[i], decoders[i].decode(value));
        } catch (RuntimeException e) {
          return rejected(text, i, e);
        }
      }
      return values;
    }

    private Rejected rejected(String[] text, int column, RuntimeException error) {
      Map<String, Object> key = new LinkedHashMap<>();
      for (int index : keyIndexes) {
        if (text[index] == null) {
          continue;
        }
        try {
          key.put(names[index], decoders[index].decode(text[index]));
        } catch (RuntimeException ignored) {
          // The key itself cannot be read: the dead letter carries what can.
        }
      }
      StringBuilder payload = new StringBuilder();
      for (int i = 0; i < text.length; i++) {
        if (i > 0) {
          payload.append('\t');
        }
        payload.append(text[i] == null ? "\\N" : text[i]);
      }
      String reason = "Cannot read column " + names[column] + " of " + table.qualifiedName() + " (type "
          + table.columns().get(column).typeName() + "): " + error.getMessage();
      return new Rejected(key, names[column], text[column], reason, payload.toString());
    }
  }
}
