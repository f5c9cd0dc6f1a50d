package io.tributary.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.api.spi.ChangeSink;
import io.tributary.api.spi.CommitSummary;
import io.tributary.api.spi.LakeWriter;
import io.tributary.api.spi.Source;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PipelineTest {
  private static final TableSchema SCHEMA = new TableSchema(
      new TableId("shop", "public", "orders"),
      List.of(new Column("id", DataType.of(DataType.Kind.INT32), false)),
      List.of("id"));

  @Test
  void commitsEveryChangeOnceAndAcknowledgesOnlyCommittedPositions() throws Exception {
    FakeSource source = new FakeSource();
    FakeWriter writer = new FakeWriter(Optional.of(position(5)), 0);
    List<Long> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    Pipeline pipeline = new Pipeline(source, writer, new PipelineSettings(Duration.ofMillis(50), 7, 10),
        (name, summary) -> told.add(summary.rowsByTable().get("bronze.orders")));
    pipeline.start();
    assertThat(source.resumeAfter).contains(position(5));
    for (int i = 6; i < 56; i++) {
      source.sink.accept(event(i));
    }
    source.sink.progress(position(60));
    pipeline.close();

    assertThat(pipeline.state()).isEqualTo(PipelineState.STOPPED);
    List<Integer> committedIds = writer.batches.stream().flatMap(List::stream).map(e -> (Integer) e.row().get("id")).toList();
    assertThat(committedIds).containsExactlyElementsOf(java.util.stream.IntStream.range(6, 56).boxed().toList());
    assertThat(writer.batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(7));
    // Every acknowledgement follows the commit that made it durable, in order.
    assertThat(source.acknowledged).isEqualTo(writer.ends);
    assertThat(source.acknowledged.get(source.acknowledged.size() - 1)).isEqualTo(position(60));
    assertThat(pipeline.status().changesCommitted()).isEqualTo(50);
    assertThat(pipeline.status().rowsByTable()).containsEntry("bronze.orders", 50L);
    assertThat(told).as("the listener hears of every commit that wrote rows, not of heartbeats")
        .hasSize(writer.batches.stream().filter(batch -> !batch.isEmpty()).toList().size())
        .allSatisfy(rows -> assertThat(rows).isPositive());
    assertThat(told.stream().mapToLong(Long::longValue).sum()).isEqualTo(50);
  }

  @Test
  void carriesDeadLettersInOrderWithTheChangesAndAcknowledgesTheirPositions() throws Exception {
    FakeSource source = new FakeSource();
    FakeWriter writer = new FakeWriter(Optional.empty(), 0);
    Pipeline pipeline = new Pipeline(source, writer, new PipelineSettings(Duration.ofSeconds(30), 100, 10));
    pipeline.start();
    source.sink.accept(event(1));
    source.sink.reject(DeadLetter.unreadable(SCHEMA.table(), position(2), "file orders.jsonl line 2", "{oops",
        "Cannot read record: malformed JSON"));
    source.sink.accept(event(3));
    source.sink.reject(DeadLetter.unreadable(SCHEMA.table(), position(4), "file orders.jsonl line 4", "[]",
        "Cannot read record: not an object"));
    pipeline.close();

    assertThat(writer.batches.stream().flatMap(List::stream).map(e -> e.position())).containsExactly(position(1), position(3));
    assertThat(writer.deadLetters.stream().flatMap(List::stream).map(DeadLetter::location))
        .containsExactly("file orders.jsonl line 2", "file orders.jsonl line 4");
    assertThat(source.acknowledged).last().isEqualTo(position(4));
    assertThat(pipeline.status().changesCommitted()).isEqualTo(4);
  }

  @Test
  void retriesAFailedCommitWithTheSameChanges() throws Exception {
    FakeSource source = new FakeSource();
    FakeWriter writer = new FakeWriter(Optional.empty(), 2);
    Pipeline pipeline = new Pipeline(source, writer, new PipelineSettings(Duration.ofMillis(20), 100, 10));
    pipeline.start();
    source.sink.accept(event(1));
    pipeline.close();

    assertThat(writer.attempts).isEqualTo(3);
    assertThat(writer.batches).hasSize(1);
    assertThat(source.acknowledged).containsExactly(position(1));
  }

  @Test
  void stopsOnADataErrorWithoutAcknowledging() throws Exception {
    FakeSource source = new FakeSource();
    FakeWriter writer = new FakeWriter(Optional.empty(), 0) {
      @Override
      public CommitSummary commit(
          String sourceName, List<ChangeEvent> events, List<DeadLetter> deadLetters, Position end) {
        throw new IllegalStateException("Cannot write bronze.orders: column id changed type");
      }
    };
    Pipeline pipeline = new Pipeline(source, writer, new PipelineSettings(Duration.ofMillis(20), 100, 2));
    pipeline.start();
    source.sink.accept(event(1));
    assertThat(pipeline.awaitTermination(Duration.ofSeconds(30))).isTrue();
    // The source must not block forever on a full queue once nothing commits any more.
    for (int i = 2; i < 10; i++) {
      source.sink.accept(event(i));
    }
    pipeline.close();

    assertThat(pipeline.state()).isEqualTo(PipelineState.FAILED);
    assertThat(pipeline.failure()).hasValueSatisfying(e -> assertThat(e).hasMessageContaining("column id changed type"));
    assertThat(source.acknowledged).isEmpty();
  }

  private static Position position(int n) {
    return new Position(String.format("%08d", n), "{\"n\":" + n + "}", false);
  }

  /** Wide rows: the byte bounds close batches and hold the source back long before the count bounds do. */
  @Test
  void boundsBatchesAndTheQueueByTheBytesOfTheirChanges() throws Exception {
    TableSchema wide = new TableSchema(new TableId("shop", "public", "orders"), List.of(
        new Column("id", DataType.of(DataType.Kind.INT32), false),
        new Column("note", DataType.of(DataType.Kind.STRING), true)), List.of("id"));
    String note = "x".repeat(10_000);
    List<ChangeEvent> events = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      events.add(new ChangeEvent(wide, Operation.CREATE, Optional.empty(), Optional.of(Map.of("id", i, "note", note)),
          position(i), Instant.parse("2026-01-01T00:00:00Z"), i));
    }
    long size = ChangeSizes.of(events.get(0));
    assertThat(size).as("estimate of a change with a 10,000-character value").isBetween(10_000L, 11_000L);
    java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
    FakeSource source = new FakeSource();
    FakeWriter writer = new FakeWriter(Optional.empty(), 0) {
      @Override
      public CommitSummary commit(String name, List<ChangeEvent> batch, List<DeadLetter> letters, Position end) {
        try {
          open.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.commit(name, batch, letters, end);
      }
    };
    // counts far above what the bytes allow: 3 changes a batch, 5 in the queue
    Pipeline pipeline = new Pipeline(source, writer,
        new PipelineSettings(Duration.ofMillis(20), 1_000, 1_000, 3 * size, 5 * size,
            PipelineSettings.DEFAULT_HISTORY_MEMORY));
    pipeline.start();
    Thread feeder = new Thread(() -> {
      try {
        for (ChangeEvent event : events) {
          source.sink.accept(event);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    feeder.start();
    // The writer holds the first batch; the source fills the queue and waits for room.
    while (feeder.getState() != Thread.State.TIMED_WAITING && feeder.getState() != Thread.State.WAITING
        && feeder.getState() != Thread.State.TERMINATED) {
      Thread.sleep(5);
    }
    long held = pipeline.status().changesReceived();
    assertThat(held).as("changes taken while the writer is stuck: one batch, a full queue, one waiting")
        .isLessThanOrEqualTo(3 + 5 + 1);
    assertThat(feeder.isAlive()).isTrue();
    open.countDown();
    feeder.join();
    pipeline.close();
    assertThat(writer.batches.stream().mapToInt(List::size).sum()).isEqualTo(60);
    assertThat(writer.batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(3));
  }

  private static ChangeEvent event(int id) {
    return new ChangeEvent(SCHEMA, Operation.CREATE, Optional.empty(), Optional.of(Map.of("id", id)),
        position(id), Instant.parse("2026-01-01T00:00:00Z"), id);
  }

  private static final class FakeSource implements Source {
    volatile ChangeSink sink;
    volatile Optional<Position> resumeAfter;
    final List<Position> acknowledged = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "shop";
    }

    @Override
    public void start(Optional<Position> resumeAfter, ChangeSink sink) {
      this.resumeAfter = resumeAfter;
      this.sink = sink;
    }

    @Override
    public void acknowledge(Position position) {
      acknowledged.add(position);
    }

    @Override
    public void close() {}
  }

  private static class FakeWriter implements LakeWriter {
    final Optional<Position> recovered;
    int failuresLeft;
    int attempts;
    final List<List<ChangeEvent>> batches = new ArrayList<>();
    final List<Position> ends = new ArrayList<>();
    final List<List<DeadLetter>> deadLetters = new ArrayList<>();

    FakeWriter(Optional<Position> recovered, int failures) {
      this.recovered = recovered;
      this.failuresLeft = failures;
    }

    @Override
    public Optional<Position> recover(String source) {
      return recovered;
    }

    @Override
    public synchronized CommitSummary commit(
        String source, List<ChangeEvent> events, List<DeadLetter> deadLetters, Position end) {
      attempts++;
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new java.io.UncheckedIOException(new java.io.IOException("storage unavailable"));
      }
      batches.add(events);
      this.deadLetters.add(deadLetters);
      ends.add(end);
      return new CommitSummary(events.isEmpty() ? Map.of() : Map.of("bronze.orders", (long) events.size()), 0);
    }

    @Override
    public void close() {}
  }
}
