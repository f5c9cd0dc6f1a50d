package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.debezium.DebeziumCapture;
import io.tributary.sources.debezium.RecordConverter;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The initial snapshot read by the Debezium embedded engine, which creates the replication slot with an exported
 * snapshot and reads the tables in it. The engine is stopped at the first record after the snapshot (streaming is
 * the fast path's), before anything it streamed is delivered or confirmed: the slot stays at the snapshot's point.
 */
final class DebeziumSnapshotStep implements PostgresSnapshotStep {
  private final DebeziumCapture capture;
  private final Properties properties;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  DebeziumSnapshotStep(String source, RecordConverter converter, Properties properties) {
    this.capture = new DebeziumCapture(requireNonNull(source, "source is null"), converter, new PostgresPositions());
    this.properties = requireNonNull(properties, "properties is null");
  }

  @Override
  public void run(Optional<Position> resumeAfter, ChangeSink sink) throws InterruptedException {
    capture.stopAfterSnapshot(position -> position.sortKey().startsWith("0:"), ended::countDown);
    capture.start(properties, resumeAfter, new ChangeSink() {
      @Override
      public void accept(ChangeEvent event) throws InterruptedException {
        sink.accept(event);
      }

      @Override
      public void reject(DeadLetter deadLetter) throws InterruptedException {
        sink.reject(deadLetter);
      }

      @Override
      public void progress(Position position) throws InterruptedException {
        sink.progress(position);
      }

      @Override
      public void failed(Throwable error) {
        failure.compareAndSet(null, error);
        ended.countDown();
      }
    });
    ended.await();
    Throwable error = failure.get();
    if (error != null) {
      throw new IllegalStateException(error.getMessage(), error);
    }
  }

  @Override
  public Optional<Position> lastPosition() {
    return capture.lastDelivered();
  }

  @Override
  public void acknowledge(Position position) {
    capture.acknowledge(position);
  }

  @Override
  public void close() {
    capture.close();
    ended.countDown();
  }
}
