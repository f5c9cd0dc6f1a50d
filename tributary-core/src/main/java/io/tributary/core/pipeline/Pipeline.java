package io.tributary.core.pipeline;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.api.spi.CommitSummary;
import io.tributary.api.spi.LakeWriter;
import io.tributary.api.spi.Source;
import io.tributary.core.metrics.Counter;
import io.tributary.core.metrics.Histogram;
import io.tributary.core.metrics.MetricsRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one source's changes into the lake: the source fills a bounded queue, one committer thread
 * takes batches from it, commits each through the {@link LakeWriter} and only then tells the source
 * it may release what the batch held.
 *
 * <p>Records the source could not read ({@link DeadLetter}s) travel in the batch with the changes and
 * are committed with them to {@code errors.<table>}.
 *
 * <p>A batch closes when it holds {@link PipelineSettings#maxBatchChanges()} changes, or {@link
 * PipelineSettings#maxBatchBytes()} of them as {@link ChangeSizes} estimates them, or when its first change has
 * waited {@link PipelineSettings#commitInterval()} since the source handed it over. The queue is bounded both by
 * count and by {@link PipelineSettings#queueBytes()}: what the pipeline holds in memory does not depend on the width
 * of the rows. A failed commit is tried again with the same changes, which is safe because the lake skips changes
 * it already holds.
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
  private static final int COMMIT_ATTEMPTS = 4;
  private static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);

  private final Source source;
  private final LakeWriter writer;
  private final PipelineSettings settings;
  private final Clock clock;
  private final CommitListener listener;
  private final BlockingQueue<Item> queue;
  private final AtomicReference<PipelineState> state = new AtomicReference<>(PipelineState.CREATED);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final Map<String, AtomicLong> rowsByTable = new ConcurrentHashMap<>();
  private final Thread committer;
  private final Counter receivedByTable;
  private final Counter committedByTable;
  private final Counter rowsWritten;
  private final Counter commitCount;
  private final Counter commitFailures;
  private final Counter deadLettersCommitted;
  private final Histogram commitDuration;
  private volatile boolean sourceDone;
  private volatile Position committedPosition;
  private volatile Instant lastCommitAt;
  private volatile Duration lag;
  private volatile boolean snapshotting;
  /** Estimated bytes of the changes in the queue; guarded by {@link #space}. */
  private long queuedBytes;
  private final Object space = new Object();

  public Pipeline(Source source, LakeWriter writer, PipelineSettings settings) {
    this(source, writer, settings, CommitListener.NONE);
  }

  public Pipeline(Source source, LakeWriter writer, PipelineSettings settings, CommitListener listener) {
    this(source, writer, settings, listener, Clock.systemUTC());
  }

  /** A pipeline that records its changes, commits and commit durations into {@code metrics}. */
  public Pipeline(Source source, LakeWriter writer, PipelineSettings settings, CommitListener listener,
      MetricsRegistry metrics) {
    this(source, writer, settings, listener, Clock.systemUTC(), metrics);
  }

  Pipeline(Source source, LakeWriter writer, PipelineSettings settings, CommitListener listener, Clock clock) {
    this(source, writer, settings, listener, clock, new MetricsRegistry());
  }

  Pipeline(Source source, LakeWriter writer, PipelineSettings settings, CommitListener listener, Clock clock,
      MetricsRegistry metrics) {
    requireNonNull(metrics, "metrics is null");
    this.receivedByTable = metrics.counter("tributary_changes_received_total",
        "Changes the source delivered, by source and source table.", "source", "table");
    this.committedByTable = metrics.counter("tributary_changes_committed_total",
        "Changes committed to the lake, by source and source table.", "source", "table");
    this.rowsWritten = metrics.counter("tributary_rows_written_total",
        "Rows written by lake commits, by layer table (bronze.orders, silver.orders).", "table");
    this.commitCount = metrics.counter("tributary_commits_total", "Lake commits, by source.", "source");
    this.commitFailures = metrics.counter("tributary_commit_failures_total",
        "Lake commit attempts that failed (retried or not), by source.", "source");
    this.deadLettersCommitted = metrics.counter("tributary_dead_letters_total",
        "Records the source could not read, committed to errors.<table>, by source and source table.",
        "source", "table");
    this.commitDuration = metrics.histogram("tributary_commit_duration_seconds",
        "Time one lake commit took, from handing the batch to the lake writer until it was committed.",
        Histogram.DURATION_SECONDS, "source");
    this.source = requireNonNull(source, "source is null");
    this.writer = requireNonNull(writer, "writer is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.listener = requireNonNull(listener, "listener is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.committer = new Thread(this::commitLoop, "tributary-commit-" + source.name());
    this.committer.setDaemon(true);
  }

  /** Recovers the source's committed position from the lake and starts capturing from there. */
  public void start() {
    if (!state.compareAndSet(PipelineState.CREATED, PipelineState.RUNNING)) {
      throw new IllegalStateException("Cannot start pipeline " + source.name() + ": it is " + state.get());
    }
    Optional<Position> resumeAfter = writer.recover(source.name());
    committedPosition = resumeAfter.orElse(null);
    log.info("Starting pipeline {} {}", source.name(),
        resumeAfter.map(position -> "after position " + position.sortKey()).orElse("from the beginning (no position in the lake)"));
    committer.start();
    source.start(resumeAfter, new QueueSink());
  }

  public String name() {
    return source.name();
  }

  public PipelineState state() {
    return state.get();
  }

  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  public PipelineStatus status() {
    Map<String, Long> rows = new java.util.TreeMap<>();
    rowsByTable.forEach((table, count) -> rows.put(table, count.get()));
    return new PipelineStatus(
        source.name(),
        state.get(),
        received.get(),
        committed.get(),
        commits.get(),
        rows,
        Optional.ofNullable(committedPosition),
        Optional.ofNullable(lastCommitAt),
        Optional.ofNullable(lag),
        snapshotting,
        queue.size(),
        failure().map(Throwable::getMessage));
  }

  /** Waits until the pipeline has stopped or failed, or the timeout passed; true if it has. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    committer.join(Math.max(1, timeout.toMillis()));
    return !committer.isAlive();
  }

  /**
   * Stops capturing, commits what was received, and returns when the committer has finished.
   */
  @Override
  public void close() {
    PipelineState previous = state.getAndUpdate(current ->
        current == PipelineState.RUNNING ? PipelineState.STOPPING : current);
    if (previous == PipelineState.CREATED) {
      state.set(PipelineState.STOPPED);
      return;
    }
    try {
      // The committer keeps draining while the source stops, so a source blocked on a full queue can finish.
      source.close();
    } catch (RuntimeException e) {
      log.warn("Source {} did not close cleanly: {}", source.name(), e.toString());
    } finally {
      sourceDone = true;
    }
    try {
      committer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    state.compareAndSet(PipelineState.STOPPING, PipelineState.STOPPED);
    log.info("Pipeline {} {}: {} changes committed in {} commits", source.name(),
        state.get() == PipelineState.FAILED ? "failed" : "stopped", committed.get(), commits.get());
  }

  private void commitLoop() {
    Batch batch = new Batch();
    Position end = null;
    try {
      while (true) {
        Item first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (sourceDone || state.get() == PipelineState.FAILED) {
            return;
          }
          continue;
        }
        end = add(first, batch, end);
        // The interval counts from when the first change arrived, not from when the last commit ended: behind a
        // slow commit the batch takes what waits without waiting more, so a backlog makes larger batches.
        long deadline = first.received() + settings.commitInterval().toNanos();
        while (batch.size() < settings.maxBatchChanges() && batch.bytes < settings.maxBatchBytes()) {
          long wait = deadline - System.nanoTime();
          Item next = wait > 0 ? queue.poll(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            if (wait <= 0 || (sourceDone && queue.isEmpty())) {
              break;
            }
            continue;
          }
          end = add(next, batch, end);
        }
        if (committedPosition == null || end.isAfter(committedPosition) || !batch.isEmpty()) {
          commit(batch, end);
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      fail(e);
    }
  }

  private Position add(Item item, Batch batch, Position end) {
    release(item.bytes());
    batch.bytes += item.bytes();
    if (item.event() != null) {
      batch.events.add(item.event());
    }
    if (item.deadLetter() != null) {
      batch.deadLetters.add(item.deadLetter());
    }
    Position position = item.position();
    return end == null || position.isAfter(end) ? position : end;
  }

  private void commit(Batch batch, Position end) throws InterruptedException {
    Duration delay = FIRST_RETRY_DELAY;
    for (int attempt = 1; ; attempt++) {
      try {
        long start = System.nanoTime();
        CommitSummary summary = writer.commit(source.name(), List.copyOf(batch.events),
            List.copyOf(batch.deadLetters), end);
        commitDuration.observe((System.nanoTime() - start) / 1e9, source.name());
        committed(batch, end, summary);
        return;
      } catch (IllegalArgumentException | IllegalStateException e) {
        commitFailures.inc(source.name());
        // The data or the lake's state is wrong: trying the same batch again cannot help.
        throw e;
      } catch (RuntimeException e) {
        commitFailures.inc(source.name());
        if (attempt == COMMIT_ATTEMPTS) {
          throw e;
        }
        log.warn("Commit of {} changes from {} failed (attempt {} of {}), retrying in {} ms: {}",
            batch.events.size(), source.name(), attempt, COMMIT_ATTEMPTS, delay.toMillis(), e.toString());
        Thread.sleep(delay.toMillis());
        delay = delay.multipliedBy(2);
      }
    }
  }

  private void committed(Batch batch, Position end, CommitSummary summary) {
    Instant now = clock.instant();
    committedPosition = end;
    lastCommitAt = now;
    commits.incrementAndGet();
    committed.addAndGet(batch.size());
    summary.rowsByTable().forEach((table, rows) -> {
      rowsByTable.computeIfAbsent(table, ignored -> new AtomicLong()).addAndGet(rows);
      rowsWritten.inc(rows, table);
    });
    commitCount.inc(source.name());
    for (ChangeEvent event : batch.events) {
      committedByTable.inc(source.name(), event.table().qualifiedName());
    }
    for (DeadLetter deadLetter : batch.deadLetters) {
      deadLettersCommitted.inc(source.name(), deadLetter.table().qualifiedName());
    }
    if (!batch.events.isEmpty()) {
      ChangeEvent last = batch.events.get(batch.events.size() - 1);
      if (last.operation() != Operation.READ) {
        lag = Duration.between(last.commitTime(), now);
      }
    }
    snapshotting = end.inSnapshot();
    source.acknowledge(end);
    if (!summary.rowsByTable().isEmpty()) {
      try {
        listener.committed(source.name(), summary);
      } catch (RuntimeException e) {
        // The commit stands; a listener's trouble must not stop capture.
        log.warn("Commit listener of pipeline {} failed: {}", source.name(), e.toString());
      }
    }
  }

  private void fail(Throwable error) {
    if (failure.compareAndSet(null, error)) {
      log.error("Pipeline {} failed: {}", source.name(), error.getMessage(), error);
    }
    state.set(PipelineState.FAILED);
    queue.clear();
    synchronized (space) {
      queuedBytes = 0;
      space.notifyAll();
    }
  }

  /** A change, a dead letter, or a heartbeat that moves the position without either. */
  /** @param received when the source handed it over, in {@link System#nanoTime()} */
  private record Item(ChangeEvent event, DeadLetter deadLetter, Position position, long bytes, long received) {}

  private void release(long bytes) {
    if (bytes == 0) {
      return;
    }
    synchronized (space) {
      queuedBytes -= bytes;
      space.notifyAll();
    }
  }

  /** The changes and dead letters of one commit, each in source order. */
  private static final class Batch {
    final List<ChangeEvent> events = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    long bytes;

    int size() {
      return events.size() + deadLetters.size();
    }

    boolean isEmpty() {
      return events.isEmpty() && deadLetters.isEmpty();
    }

    void clear() {
      events.clear();
      deadLetters.clear();
      bytes = 0;
    }
  }

  private final class QueueSink implements ChangeSink {
    @Override
    public void accept(ChangeEvent event) throws InterruptedException {
      received.incrementAndGet();
      receivedByTable.inc(source.name(), event.table().qualifiedName());
      if (event.operation() == Operation.READ) {
        snapshotting = true;
      }
      put(new Item(event, null, event.position(), ChangeSizes.of(event), System.nanoTime()));
    }

    @Override
    public void reject(DeadLetter deadLetter) throws InterruptedException {
      received.incrementAndGet();
      put(new Item(null, deadLetter, deadLetter.position(), ChangeSizes.of(deadLetter), System.nanoTime()));
    }

    @Override
    public void progress(Position position) throws InterruptedException {
      put(new Item(null, null, position, 0, System.nanoTime()));
    }

    private void put(Item item) throws InterruptedException {
      // After a failure nothing more is committed or acknowledged: drop the change, the source sends it again on restart.
      if (item.bytes() > 0) {
        synchronized (space) {
          // one change larger than the whole bound still goes through, alone
          while (queuedBytes > 0 && queuedBytes + item.bytes() > settings.queueBytes()) {
            if (state.get() == PipelineState.FAILED) {
              return;
            }
            space.wait(100);
          }
          queuedBytes += item.bytes();
        }
      }
      while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
        if (state.get() == PipelineState.FAILED) {
          return;
        }
      }
    }

    @Override
    public void failed(Throwable error) {
      fail(error);
      sourceDone = true;
    }
  }
}
