package io.tributary.lake;

import static io.tributary.lake.Changes.SOURCE;
import static io.tributary.lake.Changes.column;
import static io.tributary.lake.Changes.row;
import static io.tributary.lake.Changes.schema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableSchema;
import io.tributary.core.config.HistoryConfig;
import io.tributary.core.config.ShapeConfig;
import io.tributary.core.config.TableConfig;
import io.tributary.core.shape.Shaping;
import io.tributary.core.shape.SqlExpressions;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeReplayTest {
  private static final TableSchema ORDERS = schema("orders", List.of("id"),
      column("id", DataType.Kind.INT64),
      column("status", DataType.Kind.STRING),
      column("amount", DataType.decimal(10, 2)),
      column("placed", DataType.Kind.TIMESTAMPTZ),
      column("due", DataType.Kind.DATE),
      column("score", DataType.Kind.FLOAT64),
      column("payload", DataType.Kind.BINARY),
      column("tags", DataType.list(DataType.of(DataType.Kind.STRING))));
  private static final TableSchema EVENTS = schema("events", List.of(),
      column("kind", DataType.Kind.STRING),
      column("n", DataType.Kind.INT32));
  private static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");

  @TempDir
  Path directory;

  private static Position snapshot(long row, boolean more) {
    return new Position(String.format("0:%016d", row), "s" + row, more);
  }

  private static Position stream(long n) {
    return new Position(String.format("1:%016x", n), "l" + n, false);
  }

  private static Map<String, Object> order(long id, String status, String amount) {
    return row("id", id, "status", status, "amount", new BigDecimal(amount),
        "placed", T0.plusSeconds(id).atOffset(ZoneOffset.UTC), "due", LocalDate.of(2026, 6, (int) (id % 28) + 1),
        "score", id / 3.0, "payload", ByteBuffer.wrap(new byte[] {(byte) id, 0, (byte) 255}),
        "tags", id % 2 == 0 ? List.of("a", "b" + id) : null);
  }

  private static ChangeEvent change(TableSchema schema, Operation op, Position position, Map<String, Object> before,
      Map<String, Object> after) {
    return new ChangeEvent(schema, op, Optional.ofNullable(before), Optional.ofNullable(after), position,
        T0.plusMillis(position.sortKey().hashCode() & 0xffff), position.inSnapshot() ? 0 : 700);
  }

  /**
   * A source's life: a snapshot interrupted and read again (with newer values), streaming with
   * updates, deletes and a key update, and batches delivered twice after restarts.
   */
  private static void buildLake(Lake lake) {
    try (IcebergLakeWriter first = new IcebergLakeWriter(lake)) {
      first.recover(SOURCE);
      List<ChangeEvent> reads = new ArrayList<>();
      for (long id = 1; id <= 30; id++) {
        reads.add(change(ORDERS, Operation.READ, snapshot(id, true), null, order(id, "stale", "1.00")));
      }
      first.commit(SOURCE, reads, List.of(), snapshot(30, true));
    }
    IcebergLakeWriter writer = new IcebergLakeWriter(lake);
    // restarted inside the snapshot: the writer empties the tables and the snapshot starts again
    assertThat(writer.recover(SOURCE)).isEmpty();
    List<ChangeEvent> reads = new ArrayList<>();
    for (long id = 1; id <= 40; id++) {
      reads.add(change(ORDERS, Operation.READ, snapshot(2 * id, true), null, order(id, "new", id + ".50")));
      if (id == 1 || id == 30) {
        // a snapshot read in parallel interleaves the tables' positions within one batch
        reads.add(change(EVENTS, Operation.READ, snapshot(2 * id + 1, true), null, row("kind", "boot", "n", (int) id)));
      }
    }
    reads.add(change(ORDERS, Operation.READ, snapshot(100, false), null, order(99, "new", "99.50")));
    writer.commit(SOURCE, reads, List.of(), snapshot(41, false));

    List<ChangeEvent> stream = new ArrayList<>();
    long n = 100;
    for (long id = 1; id <= 40; id += 3) {
      stream.add(change(ORDERS, Operation.UPDATE, stream(n++), order(id, "new", id + ".50"), order(id, "paid", "9.99")));
    }
    stream.add(change(ORDERS, Operation.DELETE, stream(n++), order(5, "new", "5.50"), null));
    stream.add(change(EVENTS, Operation.CREATE, stream(n++), null, row("kind", "tick", "n", 2)));
    writer.commit(SOURCE, stream.subList(0, 8), List.of(), stream.get(7).position());
    // a restart redelivers what the checkpoint did not cover yet: raw gets those changes twice
    writer.commit(SOURCE, stream.subList(4, stream.size()), List.of(), stream.get(stream.size() - 1).position());
    writer.commit(SOURCE, stream.subList(6, stream.size()), List.of(), stream.get(stream.size() - 1).position());

    List<ChangeEvent> more = new ArrayList<>();
    more.add(change(ORDERS, Operation.UPDATE, stream(n++), order(2, "new", "2.50"), order(200, "moved", "2.50")));
    more.add(change(ORDERS, Operation.CREATE, stream(n++), null, order(5, "again", "0.01")));
    more.add(change(ORDERS, Operation.UPDATE, stream(n++), order(5, "again", "0.01"), order(5, "again", "0.02")));
    more.add(change(ORDERS, Operation.CREATE, stream(n++), null, row("id", 41L, "status", null, "amount", null,
        "placed", null, "due", null, "score", Double.NaN, "payload", null, "tags", List.of())));
    writer.commit(SOURCE, more, List.of(), more.get(more.size() - 1).position());
    writer.close();
  }

  @Test
  void replayRebuildsBronzeSilverAndHistoryAsTheWriterBuiltThem() {
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      buildLake(lake);
      Map<String, List<String>> original = layers(lake);
      assertThat(original.get("silver.orders")).hasSize(42);
      assertThat(original.get("bronze.orders")).noneMatch(row -> row.contains("stale"));

      LakeReplay replay = new LakeReplay(lake, Shaping.NONE);
      LakeReplay.Plan plan = replay.plan(List.of());
      assertThat(plan.tables()).containsExactly("events", "orders");
      assertThat(plan.restartedAt()).as("the snapshot read again, not the interleaved tables of one batch")
          .containsOnlyKeys(SOURCE);
      Instant second = plan.files().get("orders").get(0).ingestedAt();
      assertThat(plan.restartedAt().get(SOURCE)).isEqualTo(second);
      assertThat(plan.files().get("events").get(0).ingestedAt()).isEqualTo(second);
      List<long[]> progress = new ArrayList<>();
      List<LakeReplay.Result> results = replay.run(plan, (done, total) -> progress.add(new long[] {done, total}));

      assertThat(layers(lake)).isEqualTo(original);
      LakeReplay.Result orders = results.stream().filter(result -> result.table().equals("orders")).findFirst()
          .orElseThrow();
      assertThat(orders.changes()).isEqualTo(original.get("bronze.orders").size());
      assertThat(orders.duplicates()).isEqualTo(4 + 9);
      assertThat(progress.get(progress.size() - 1)).containsExactly(plan.lines(), plan.lines());
      assertThat(LakeLock.unfinishedReplay(lake.warehouse())).isEmpty();
    }
    try (Lake single = Lake.open(directory.resolve("single")); IcebergLakeWriter writer = new IcebergLakeWriter(single)) {
      writer.recover(SOURCE);
      writer.commit(SOURCE, List.of(
          change(ORDERS, Operation.READ, snapshot(1, true), null, order(1, "new", "1.00")),
          change(EVENTS, Operation.READ, snapshot(2, true), null, row("kind", "boot", "n", 1)),
          change(ORDERS, Operation.READ, snapshot(3, false), null, order(2, "new", "2.00"))), List.of(), snapshot(3, false));
      assertThat(new LakeReplay(single, Shaping.NONE).plan(List.of()).restartedAt())
          .as("one batch whose tables interleave is no snapshot read again").isEmpty();
    }
  }

  @Test
  void replayIsRefusedBesideAPipelineAndOneCutShortKeepsPipelinesOutUntilAReplayFinishes() {
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      buildLake(lake);
      Map<String, List<String>> original = layers(lake);
      LakeReplay replay = new LakeReplay(lake, Shaping.NONE);
      try (LakeLock pipeline = LakeLock.pipeline(lake.warehouse());
          LakeLock another = LakeLock.pipeline(lake.warehouse())) {
        assertThatThrownBy(() -> replay.run(replay.plan(List.of()), (done, total) -> {}))
            .hasMessageContaining("Cannot replay lake " + lake.warehouse() + ": a pipeline");
      }
      assertThatThrownBy(() -> replay.plan(List.of("customers")))
          .hasMessageContaining("Cannot replay table customers: raw holds no changes of it");
      Shaping renamed = new Shaping(name -> new TableConfig(name, List.of(), Optional.empty(), Optional.empty(),
          HistoryConfig.DEFAULT, new ShapeConfig(Map.of("status", "state"), Map.of(), List.of(), List.of(), Map.of(),
              Optional.empty())), SqlExpressions.NONE);
      LakeReplay otherShaping = new LakeReplay(lake, renamed);
      assertThatThrownBy(() -> otherShaping.run(otherShaping.plan(List.of()), (done, total) -> {}))
          .hasMessageContaining("Cannot replay table orders: silver.orders was built with no shaping but the "
              + "configuration given has")
          .hasMessageContaining("(give the pipeline's own configuration with --config)");
      assertThat(layers(lake)).isEqualTo(original);
      assertThat(LakeLock.unfinishedReplay(lake.warehouse())).isEmpty();

      LakeReplay failing = new LakeReplay(lake, Shaping.NONE, batches -> {
        if (batches == 1) {
          throw new IllegalStateException("killed");
        }
      });
      assertThatThrownBy(() -> failing.run(failing.plan(List.of()), (done, total) -> {})).hasMessage("killed");
      assertThat(layers(lake)).isNotEqualTo(original);
      assertThatThrownBy(() -> LakeLock.pipeline(lake.warehouse()))
          .hasMessageContaining("a replay of tables events, orders did not finish")
          .hasMessageContaining("run `tributary replay --lake");

      replay.run(replay.plan(List.of("silver.orders")), (done, total) -> {});
      assertThat(LakeLock.unfinishedReplay(lake.warehouse())).contains("events");
      replay.run(replay.plan(List.of("events")), (done, total) -> {});
      assertThat(layers(lake)).isEqualTo(original);
      LakeLock.pipeline(lake.warehouse()).close();
    }
  }

  /** Every row of every bronze, silver and history table, as sorted text; ingestion times to the millisecond. */
  static Map<String, List<String>> layers(Lake lake) {
    Map<String, List<String>> tables = new LinkedHashMap<>();
    for (String layer : List.of(Lake.BRONZE, Lake.SILVER, Lake.HISTORY)) {
      if (!lake.catalog().namespaceExists(Namespace.of(layer))) {
        continue;
      }
      for (TableIdentifier id : lake.catalog().listTables(Namespace.of(layer))) {
        List<String> rows = new ArrayList<>();
        for (Record record : Changes.read(lake, layer, id.name())) {
          rows.add(text(record));
        }
        rows.sort(null);
        tables.put(layer + "." + id.name(), rows);
      }
    }
    return tables;
  }

  private static String text(Record record) {
    StringBuilder text = new StringBuilder();
    for (Types.NestedField field : record.struct().fields()) {
      Object value = record.getField(field.name());
      if (value instanceof OffsetDateTime time && field.name().matches("_ingested_at|_recorded_at")) {
        value = time.truncatedTo(ChronoUnit.MILLIS);
      } else if (value instanceof ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        value = HexFormat.of().formatHex(bytes);
      }
      text.append(field.name()).append('=').append(value).append(' ');
    }
    return text.toString();
  }
}
