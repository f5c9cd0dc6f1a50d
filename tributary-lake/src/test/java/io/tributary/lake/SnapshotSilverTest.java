package io.tributary.lake;

import static io.tributary.lake.Changes.COMMIT_TIME;
import static io.tributary.lake.Changes.SOURCE;
import static io.tributary.lake.Changes.byKey;
import static io.tributary.lake.Changes.column;
import static io.tributary.lake.Changes.read;
import static io.tributary.lake.Changes.row;
import static io.tributary.lake.Changes.schema;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableSchema;
import io.tributary.core.config.CastType;
import io.tributary.core.config.HistoryConfig;
import io.tributary.core.config.ShapeConfig;
import io.tributary.core.config.TableConfig;
import io.tributary.core.shape.Shaping;
import io.tributary.core.shape.SqlExpressions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Silver written by an initial snapshot carries no equality deletes, and stays exact when streaming follows. */
class SnapshotSilverTest {
  private static final TableSchema ITEMS = schema("items", List.of("id"),
      column("id", DataType.Kind.INT64),
      column("name", DataType.Kind.STRING),
      column("qty", DataType.Kind.INT64));

  @TempDir
  Path warehouse;

  private Lake lake;
  private IcebergLakeWriter writer;
  /** What the source table holds, by key, after the changes committed so far. */
  private final Map<Long, Map<String, Object>> source = new LinkedHashMap<>();
  private long lsn;

  @BeforeEach
  void open() {
    lake = Lake.open(warehouse);
    writer = new IcebergLakeWriter(lake);
  }

  @AfterEach
  void close() {
    writer.close();
    lake.close();
  }

  @Test
  void snapshotWritesSilverAndHistoryWithoutDeleteFiles() {
    assertThat(writer.recover(SOURCE)).isEmpty();
    commit(snapshotRows(1, 100, false));
    commit(snapshotRows(101, 250, true));

    assertSilverEqualsSource();
    assertThat(deleteFiles(Lake.SILVER)).isZero();
    assertThat(deleteFiles(Lake.HISTORY)).isZero();
    assertThat(read(lake, Lake.HISTORY, "items")).hasSize(250);
    assertThat(read(lake, Lake.BRONZE, "items")).hasSize(250);
  }

  @Test
  void streamedChangesOfSnapshotKeysInTheSameAndLaterBatches() {
    writer.recover(SOURCE);
    commit(snapshotRows(1, 50, false));
    List<ChangeEvent> mixed = snapshotRows(51, 100, true);
    // keys read one batch earlier, and keys read in this very batch
    mixed.add(update(10, "ten", 11));
    mixed.add(update(60, "sixty", 61));
    mixed.add(delete(20));
    mixed.add(delete(70));
    mixed.add(insert(101, "new", 1));
    mixed.add(update(60, "sixty again", 62));
    commit(mixed);
    assertSilverEqualsSource();
    assertThat(deleteFiles(Lake.SILVER)).as("the streamed changes replace snapshot rows").isPositive();

    commit(new ArrayList<>(List.of(update(30, "thirty", 31), update(60, "sixty thrice", 63), delete(80),
        delete(100), insert(100, "back", 2), update(101, "newer", 3))));
    assertSilverEqualsSource();
    assertThat(read(lake, Lake.HISTORY, "items").stream().filter(r -> (Boolean) r.getField("_is_current")))
        .hasSize(source.size());
  }

  @Test
  void snapshotEndingInABatchOfItsOwnAndStreamingInTheNext() {
    writer.recover(SOURCE);
    commit(snapshotRows(1, 40, false));
    commit(snapshotRows(41, 41, true));
    commit(new ArrayList<>(List.of(update(41, "last", 0), update(1, "first", 0), insert(42, "x", 0))));

    assertSilverEqualsSource();
  }

  @Test
  void snapshotAgainAfterACrashMidSnapshotIsTakenWholeWithoutDuplicates() {
    writer.recover(SOURCE);
    commit(snapshotRows(1, 60, false));
    writer.close();

    // restart inside the snapshot: the lake is wiped and the snapshot read again from its first row
    writer = new IcebergLakeWriter(lake);
    source.clear();
    snapshotCounter = 0;
    assertThat(writer.recover(SOURCE)).isEmpty();
    commit(snapshotRows(1, 60, false));
    commit(snapshotRows(61, 120, true));
    commit(new ArrayList<>(List.of(update(5, "five", 5))));

    assertSilverEqualsSource();
    assertThat(read(lake, Lake.BRONZE, "items")).hasSize(121);
  }

  @Test
  void readsOutsideAnInitialSnapshotStillReplaceTheKeysRow() {
    // a feed's Debezium r events: a topic may hold a key's snapshot row twice (the connector snapshotted again)
    writer.recover(SOURCE);
    commit(new ArrayList<>(List.of(feedRead(1, "first"), feedRead(2, "first"))));
    commit(new ArrayList<>(List.of(feedRead(1, "second"))));

    assertSilverEqualsSource();
  }

  @Test
  void aSourceResumedAfterItsSnapshotGetsNoExemption() {
    writer.recover(SOURCE);
    commit(snapshotRows(1, 10, true));
    writer.close();

    writer = new IcebergLakeWriter(lake);
    assertThat(writer.recover(SOURCE)).isPresent();
    // rows of a snapshot arriving now (which a source resumed after its snapshot does not send) replace the key's row
    commit(new ArrayList<>(List.of(snapshotRow(1000, 3, "again", true))));

    assertSilverEqualsSource();
  }

  @Test
  void aCastKeyStillGetsItsDeletes() {
    // "1" and "01" are two rows at the source and one key in silver once cast to int: the later replaces the first
    TableSchema codes = schema("codes", List.of("code"), column("code", DataType.Kind.STRING),
        column("name", DataType.Kind.STRING));
    ShapeConfig cast = new ShapeConfig(Map.of(), Map.of("code", CastType.parse("int").orElseThrow()), List.of(),
        List.of(), Map.of(), Optional.empty());
    writer.close();
    writer = new IcebergLakeWriter(lake, new Shaping(name -> new TableConfig(name, List.of(), Optional.empty(),
        Optional.empty(), HistoryConfig.DEFAULT, cast), SqlExpressions.NONE));
    writer.recover(SOURCE);
    writer.commit(SOURCE, List.of(new ChangeEvent(codes, Operation.READ, Optional.empty(),
        Optional.of(row("code", "1", "name", "first")), new Position("0:0000000000000001", "s1", true), COMMIT_TIME,
        0)), List.of(), new Position("0:0000000000000001", "s1", true));
    writer.commit(SOURCE, List.of(new ChangeEvent(codes, Operation.READ, Optional.empty(),
        Optional.of(row("code", "01", "name", "second")), new Position("0:0000000000000002", "s2", true),
        COMMIT_TIME, 0)), List.of(), new Position("0:0000000000000002", "s2", true));

    List<Record> silver = read(lake, Lake.SILVER, "codes");
    assertThat(silver).extracting(record -> record.getField("name")).containsExactly("second");
  }

  // ---- changes, applied to the source model as they are made

  private ChangeEvent apply(ChangeEvent event) {
    long id = (Long) event.row().get("id");
    if (event.operation() == Operation.DELETE) {
      source.remove(id);
    } else {
      source.put(id, event.after().orElseThrow());
    }
    return event;
  }

  private void commit(List<ChangeEvent> events) {
    writer.commit(SOURCE, events, List.of(), events.get(events.size() - 1).position());
  }

  private long snapshotCounter;

  private List<ChangeEvent> snapshotRows(long from, long to, boolean endsSnapshot) {
    List<ChangeEvent> events = new ArrayList<>();
    for (long id = from; id <= to; id++) {
      boolean inSnapshot = !(endsSnapshot && id == to);
      events.add(snapshotRow(++snapshotCounter, id, "row " + id, inSnapshot));
    }
    return events;
  }

  private ChangeEvent snapshotRow(long row, long id, String name, boolean inSnapshot) {
    if (snapshotCounter < row) {
      snapshotCounter = row;
    }
    String sortKey = "0:" + String.format(Locale.ROOT, "%016d", row);
    return apply(new ChangeEvent(ITEMS, Operation.READ, Optional.empty(), Optional.of(item(id, name, id * 10)),
        new Position(sortKey, "snap-" + row, inSnapshot), COMMIT_TIME, 0));
  }

  private ChangeEvent feedRead(long id, String name) {
    return apply(new ChangeEvent(ITEMS, Operation.READ, Optional.empty(), Optional.of(item(id, name, 0)), streamed(),
        COMMIT_TIME, 0));
  }

  private ChangeEvent insert(long id, String name, long qty) {
    return apply(new ChangeEvent(ITEMS, Operation.CREATE, Optional.empty(), Optional.of(item(id, name, qty)),
        streamed(), COMMIT_TIME, 5));
  }

  private ChangeEvent update(long id, String name, long qty) {
    return apply(new ChangeEvent(ITEMS, Operation.UPDATE, Optional.of(source.get(id)),
        Optional.of(item(id, name, qty)), streamed(), COMMIT_TIME, 6));
  }

  private ChangeEvent delete(long id) {
    return apply(new ChangeEvent(ITEMS, Operation.DELETE, Optional.of(source.get(id)), Optional.empty(), streamed(),
        COMMIT_TIME, 7));
  }

  private Position streamed() {
    String sortKey = "1:" + String.format(Locale.ROOT, "%016x", ++lsn);
    return new Position(sortKey, "lsn-" + lsn, false);
  }

  private static Map<String, Object> item(long id, String name, long qty) {
    return row("id", id, "name", name, "qty", qty);
  }

  // ---- reading the lake

  private void assertSilverEqualsSource() {
    Map<Object, Record> silver = byKey(read(lake, Lake.SILVER, "items"), "id");
    assertThat(silver).as("keys of silver").containsOnlyKeys(source.keySet().toArray());
    for (Map.Entry<Long, Map<String, Object>> entry : source.entrySet()) {
      Record record = silver.get(entry.getKey());
      for (Map.Entry<String, Object> column : entry.getValue().entrySet()) {
        assertThat(record.getField(column.getKey())).as("silver.items id %s column %s", entry.getKey(), column.getKey())
            .isEqualTo(column.getValue());
      }
    }
  }

  private long deleteFiles(String layer) {
    Table table = lake.catalog().loadTable(TableIdentifier.of(layer, "items"));
    long count = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        count += task.deletes().size();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return count;
  }
}
