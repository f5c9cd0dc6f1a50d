package io.tributary.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.HotSpotDiagnosticMXBean;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The estimate against the truth: builds many changes of one shape the way the sources do, holds them, and compares
 * the heap they retain after a full collection with what {@link ChangeSizes} says. No timing: only bytes.
 */
class ChangeSizesTest {
  private static final int CHANGES = 20_000;
  private static final Instant AT = Instant.parse("2026-12-02T03:00:00Z");
  private static final TableSchema ITEMS = new TableSchema(new TableId("pg", "public", "items"), List.of(
      new Column("id", DataType.of(DataType.Kind.INT64), false),
      new Column("client_id", DataType.of(DataType.Kind.INT32), true),
      new Column("amount", DataType.decimal(12, 2), true),
      new Column("status", DataType.of(DataType.Kind.STRING), true),
      new Column("note", DataType.of(DataType.Kind.STRING), true),
      new Column("updated_at", DataType.of(DataType.Kind.TIMESTAMPTZ), true)), List.of("id"));

  /** A row of the benches' table (about 200 bytes in PostgreSQL) as the chunked snapshot reads it. */
  @Test
  void snapshotRowsOfTheBenchTable() {
    assertCalibrated("snapshot read", i -> new ChangeEvent(ITEMS, Operation.READ, Optional.empty(),
        Optional.of(items(i)), new Position(String.format("0:%016d", i), "", true), AT, 0));
  }

  /** An update streamed by pgoutput: both images, a position and resume token of its own, its commit time. */
  @Test
  void streamedUpdatesWithBothImages() {
    assertCalibrated("streamed update", i -> new ChangeEvent(ITEMS, Operation.UPDATE, Optional.of(items(i)),
        Optional.of(items(i + 1)),
        new Position(String.format("1:%016x%016x%04x", 1_000_000L + i, 2_000_000L + i, i % 7),
            "{\"lsn\":" + (1_000_000L + i) + ",\"txId\":" + i + ",\"ts_usec\":1764644400000000}", false),
        AT.plusNanos(i * 1000L), i));
  }

  /** A delete carrying only its key, the narrowest change. */
  @Test
  void deletesOfOneKey() {
    TableSchema keyOnly = new TableSchema(new TableId("pg", "public", "keys"),
        List.of(new Column("id", DataType.of(DataType.Kind.INT64), false)), List.of("id"));
    assertCalibrated("delete", i -> new ChangeEvent(keyOnly, Operation.DELETE, Optional.of(Map.of("id", 1_000L + i)),
        Optional.empty(), new Position(String.format("1:%016x%016x%04x", 1L + i, 2L + i, 0), "", false),
        AT.plusNanos(i * 1000L), i));
  }

  /** Every kind of value once, nulls among them, and a decimal too wide for a long. */
  @Test
  void wideRowsOfEveryKind() {
    TableSchema wide = new TableSchema(new TableId("pg", "public", "wide"), List.of(
        new Column("id", DataType.of(DataType.Kind.INT64), false)), List.of("id"));
    assertCalibrated("wide row", i -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", 10_000L + i);
      row.put("flag", i % 2 == 0);
      row.put("small", 1_000 + i % 20_000);
      row.put("ratio", i / 3.0);
      row.put("score", (float) i);
      row.put("big", new BigDecimal("12345678901234567890123456789.0" + i));
      row.put("doc", "{\"a\":" + i + ",\"b\":[1,2,3],\"c\":\"some text here\"}");
      row.put("born", LocalDate.of(1990, 1, 1).plusDays(i % 10_000));
      row.put("opens", LocalTime.of(8, 0).plusSeconds(i % 3600));
      row.put("seen", LocalDateTime.of(2026, 1, 1, 0, 0).plusSeconds(i));
      row.put("changed", OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).plusSeconds(i));
      row.put("ref", new UUID(i, 31L * i));
      row.put("blob", ByteBuffer.wrap(new byte[32]));
      row.put("tags", List.of("a" + i, "b" + i));
      row.put("gone", null);
      row.put("name", "name " + i);
      return new ChangeEvent(wide, Operation.CREATE, Optional.empty(), Optional.of(row),
          new Position(String.format("1:%016x%016x%04x", 1L + i, 2L + i, 0), "", false), AT, i);
    });
  }

  private static Map<String, Object> items(int i) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", 1_000_000L + i);
    row.put("client_id", 1_000 + i % 5_000);
    row.put("amount", new BigDecimal(i % 100_000).movePointLeft(2));
    row.put("status", new String(List.of("new", "paid", "shipped", "delivered", "cancelled").get(i % 5)));
    row.put("note", String.format("%08x", i).repeat(20));
    row.put("updated_at", OffsetDateTime.of(2026, 12, 1, 12, 0, 0, 0, ZoneOffset.UTC).plusNanos(i * 1000L));
    return row;
  }

  /** Within 10% of the measured size: close enough that a bound in bytes holds what it says. */
  private static void assertCalibrated(String shape, IntFunction<ChangeEvent> change) {
    assumeTrue(Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .getVMOption("UseCompressedOops").getValue()), "the sizes are those of a JVM with compressed references");
    ChangeEvent[] held = new ChangeEvent[CHANGES];
    long before = retained();
    for (int i = 0; i < CHANGES; i++) {
      held[i] = change.apply(i);
      // what the pipeline's readers do to every image: iterate it
      held[i].row().entrySet().iterator();
      held[i].before().ifPresent(image -> image.entrySet().iterator());
    }
    long measured = retained() - before - (16 + 4L * CHANGES);
    long estimated = 0;
    for (ChangeEvent event : held) {
      estimated += ChangeSizes.of(event);
    }
    Reference.reachabilityFence(held);
    double ratio = (double) estimated / measured;
    assertThat(ratio).as("%s: estimated %,d bytes a change, measured %,d", shape, estimated / CHANGES,
        measured / CHANGES).isBetween(0.9, 1.1);
  }

  /**
   * Heap in use after full collections: the smallest of three readings, so a late allocation elsewhere cannot
   * inflate it.
   */
  private static long retained() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
    }
    return least;
  }
}
