package io.tributary.sources.debezium;

import static java.util.Objects.requireNonNull;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.Position;
import io.tributary.api.TableSchema;
import io.tributary.api.spi.ChangeSink;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Debezium embedded engine feeding a {@link ChangeSink}: the part every Debezium-based source
 * shares. The engine's offsets are seeded from the lake ({@link LakeOffsetStore}) and kept in memory
 * only; records are handed back to Debezium's committer only once {@link #acknowledge} says the lake
 * holds them, so a connector that releases data on its side (a replication slot) never releases more. Of each
 * batch of the engine only the last record delivered so far waits for its commit (marking it confirms the records
 * before it too): keeping every {@code SourceRecord} until its commit would hold a second copy of every change in
 * flight.
 *
 * <p>Records at or before the position the source resumed after are delivered again by some
 * connectors (a whole LSN, a whole binlog event); they are skipped here.
 */
public final class DebeziumCapture implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DebeziumCapture.class);
  /** How long the engine waits for the connector task to start or stop before it fails. */
  static final Duration TASK_START_TIMEOUT = Duration.ofMinutes(10);

  private final String source;
  private final RecordConverter converter;
  private final PositionScheme positions;
  private final Object commitLock = new Object();
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong rejected = new AtomicLong();
  private volatile Position lastDelivered;
  /** Numbers the engine's batches (on the engine's thread), to keep one pending record per batch. */
  private long batch;
  private volatile Predicate<Position> snapshotPhase;
  private volatile Runnable onSnapshotEnd;
  private volatile boolean snapshotEnded;
  private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
  private ExecutorService executor;

  public DebeziumCapture(String source, RecordConverter converter, PositionScheme positions) {
    this.source = requireNonNull(source, "source is null");
    this.converter = requireNonNull(converter, "converter is null");
    this.positions = requireNonNull(positions, "positions is null");
  }

  /**
   * Delivers only the initial snapshot: records whose position {@code snapshotPhase} accepts, up to and including the
   * one that ends the snapshot ({@link Position#inSnapshot()} false); the first record after them is not delivered,
   * nor anything later, and {@code onSnapshotEnd} runs once on the engine's thread. Call before {@link #start}.
   */
  public void stopAfterSnapshot(Predicate<Position> snapshotPhase, Runnable onSnapshotEnd) {
    this.snapshotPhase = requireNonNull(snapshotPhase, "snapshotPhase is null");
    this.onSnapshotEnd = requireNonNull(onSnapshotEnd, "onSnapshotEnd is null");
  }

  /** The last position delivered, if any. */
  public Optional<Position> lastDelivered() {
    return Optional.ofNullable(lastDelivered);
  }

  /**
   * Starts the engine on a thread of its own. {@code properties} configure the connector; the
   * offset store, engine name and resume offset are set here.
   */
  public void start(Properties properties, Optional<Position> resumeAfter, ChangeSink sink) {
    requireNonNull(properties, "properties is null");
    requireNonNull(resumeAfter, "resumeAfter is null");
    requireNonNull(sink, "sink is null");
    Properties engineProperties = new Properties();
    engineProperties.putAll(properties);
    engineProperties.setProperty(LakeOffsetStore.ENGINE_NAME, "tributary-" + source);
    engineProperties.setProperty("offset.storage", LakeOffsetStore.class.getName());
    engineProperties.setProperty("offset.flush.interval.ms", "0");
    engineProperties.setProperty("offset.flush.timeout.ms", "10000");
    // The connector task's start creates the replication slot, which waits for every transaction open at the source
    // to end, and on a busy machine takes longer than the engine's default wait (seen: failed after 48 s at load 29).
    engineProperties.putIfAbsent("task.management.timeout.ms", String.valueOf(TASK_START_TIMEOUT.toMillis()));
    engineProperties.setProperty(LakeOffsetStore.TOPIC_PREFIX, source);
    resumeAfter.ifPresent(position -> engineProperties.setProperty(LakeOffsetStore.RESUME_OFFSET, position.resumeToken()));
    resumeAfter.ifPresent(position -> lastDelivered = position);
    engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
        .using(engineProperties)
        .notifying((records, committer) -> {
          try {
            handleBatch(records, committer, sink);
          } catch (RuntimeException | Error e) {
            // The engine would retry or stall on its own; the pipeline must stop and say why.
            sink.failed(new IllegalStateException("Source " + source + " cannot convert a change: " + e.getMessage(), e));
            throw e;
          }
        })
        .using((success, message, error) -> {
          if (!success && !closed.get()) {
            sink.failed(new IllegalStateException("Source " + source + " stopped: " + message + rootCause(error), error));
          }
        })
        .build();
    executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tributary-source-" + source);
      thread.setDaemon(true);
      return thread;
    });
    executor.execute(engine);
  }

  private void handleBatch(
      List<RecordChangeEvent<SourceRecord>> records,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
      ChangeSink sink) throws InterruptedException {
    batch++;
    for (RecordChangeEvent<SourceRecord> change : records) {
      if (snapshotEnded) {
        return;
      }
      SourceRecord record = change.record();
      if (snapshotPhase != null) {
        Position peek = positions.position(record, RecordConverter.isHeartbeat(record));
        if (!snapshotPhase.test(peek)) {
          endSnapshot();
          return;
        }
        if (!RecordConverter.isHeartbeat(record) && !peek.inSnapshot()) {
          deliver(change, committer, sink, peek);
          endSnapshot();
          return;
        }
        if (RecordConverter.isHeartbeat(record)) {
          sink.progress(peek);
        } else {
          deliver(change, committer, sink, peek);
        }
        continue;
      }
      if (RecordConverter.isHeartbeat(record)) {
        Position position = positions.position(record, true);
        if (lastDelivered != null && !position.isAfter(lastDelivered)) {
          position = new Position(lastDelivered.sortKey(), position.resumeToken(), position.inSnapshot());
        }
        remember(change, committer, position);
        sink.progress(position);
        continue;
      }
      deliver(change, committer, sink, positions.position(record, false));
    }
  }

  private void endSnapshot() {
    snapshotEnded = true;
    onSnapshotEnd.run();
  }

  private void deliver(
      RecordChangeEvent<SourceRecord> change,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
      ChangeSink sink,
      Position position) throws InterruptedException {
    if (lastDelivered != null && !position.isAfter(lastDelivered)) {
      // Sent again after a restart: the lake has it.
      return;
    }
    Optional<ChangeEvent> event;
    try {
      event = converter.convert(change.record(), position);
    } catch (UnconvertibleValueException e) {
      remember(change, committer, position);
      lastDelivered = position;
      reject(change.record(), position, e, sink);
      return;
    }
    remember(change, committer, position);
    lastDelivered = position;
    if (event.isPresent()) {
      sink.accept(event.get());
    } else {
      sink.progress(position);
    }
  }

  /**
   * A change with a value the lake cannot hold goes to {@code errors.<table>} with its key, the
   * column, the value and where it is in the source's stream; the log says where and why, never the
   * row's content.
   */
  private void reject(SourceRecord record, Position position, UnconvertibleValueException e, ChangeSink sink)
      throws InterruptedException {
    Struct value = (Struct) record.value();
    Struct sourceInfo = value.getStruct("source");
    TableSchema schema = e.schema();
    String location = location(schema.table().schema() + "." + sourceInfo.getString("table"), sourceInfo);
    Map<String, Object> key = new LinkedHashMap<>();
    if (record.key() instanceof Struct keyStruct) {
      for (Field field : keyStruct.schema().fields()) {
        Object raw = keyStruct.get(field);
        try {
          key.put(field.name(), schema.column(field.name())
              .map(column -> RecordConverter.value(column.type(), field.schema(), raw))
              .orElse(raw));
        } catch (RuntimeException unreadable) {
          key.put(field.name(), UnconvertibleValueException.text(raw));
        }
      }
    }
    Struct image = value.schema().field("after") != null && value.getStruct("after") != null ? value.getStruct("after")
        : value.schema().field("before") != null ? value.getStruct("before") : null;
    long count = rejected.incrementAndGet();
    log.warn("Source {} rejected a change ({}, column {}): {}; {} rejected so far", source, location, e.column(),
        e.getMessage(), count);
    sink.reject(new DeadLetter(schema.table(), key, position, location,
        Optional.ofNullable(image).map(Struct::toString), Optional.of(e.column()), Optional.of(e.value()), e.getMessage()));
  }

  /** Where a change is, for a person: {@code shop.t in the initial snapshot}, {@code public.t at LSN 0/16B4A28}, {@code shop.t at binlog f position p row r}. */
  static String location(String table, Struct sourceInfo) {
    Object snapshot = field(sourceInfo, "snapshot");
    if (snapshot != null && !"false".equals(snapshot.toString())) {
      return table + " in the initial snapshot";
    }
    Object lsn = field(sourceInfo, "lsn");
    if (lsn instanceof Long value) {
      return table + " at LSN " + Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT) + "/"
          + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }
    Object file = field(sourceInfo, "file");
    if (file != null) {
      return table + " at binlog " + file + " position " + field(sourceInfo, "pos") + " row " + field(sourceInfo, "row");
    }
    return table;
  }

  /** The innermost cause's message, which names the problem where the engine's own says only that it stopped. */
  private static String rootCause(Throwable error) {
    if (error == null) {
      return "";
    }
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == error || root.getMessage() == null ? "" : " (cause: " + root.getMessage() + ")";
  }

  private static Object field(Struct struct, String name) {
    return struct.schema().field(name) == null ? null : struct.get(name);
  }

  private void remember(
      RecordChangeEvent<SourceRecord> record,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
      Position position) {
    synchronized (commitLock) {
      if (!pending.isEmpty() && pending.peekLast().batch() == batch) {
        // Marking this record confirms the batch's records before it: the earlier one need not be kept.
        pending.pollLast();
      }
      pending.addLast(new Pending(batch, record, committer, position));
    }
  }

  /** Hands Debezium every record up to and including {@code position}: the lake holds them. */
  public void acknowledge(Position position) {
    requireNonNull(position, "position is null");
    synchronized (commitLock) {
      Pending newest = null;
      while (!pending.isEmpty() && !pending.peekFirst().position().isAfter(position)) {
        newest = pending.pollFirst();
      }
      if (newest == null || closed.get()) {
        return;
      }
      try {
        newest.committer().markProcessed(newest.record());
        newest.committer().markBatchFinished();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // The server keeps the data; the next acknowledgement moves it on.
        log.warn("Source {}: cannot confirm position {} to the server yet: {}", source, position.sortKey(), e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (engine != null) {
        engine.close();
      }
    } catch (IOException e) {
      log.warn("Source {}: engine did not close cleanly: {}", source, e.getMessage());
    }
    if (executor != null) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private record Pending(
      long batch,
      RecordChangeEvent<SourceRecord> record,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
      Position position) {}
}
