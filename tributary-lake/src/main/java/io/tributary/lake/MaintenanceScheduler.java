package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link LakeMaintenance} round every {@code interval} on an executor it is given (one round at a time,
 * the next one an interval after the last ended), beside the writers it never blocks. A failing round is logged
 * and the next one runs as planned.
 *
 * <p>A round is skipped while {@code deferred} says so ({@code run} defers rounds while a source reads its initial
 * snapshot): compaction would rewrite the files the snapshot has just written, again at every round while the
 * tables grow, and take CPU from it; a snapshot's rows carry no equality deletes in silver (unless its key is cast
 * or masked), so little waits for compaction meanwhile.
 */
public final class MaintenanceScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceScheduler.class);

  private final LakeMaintenance maintenance;
  private final Duration interval;
  private final ScheduledExecutorService executor;
  private final BooleanSupplier deferred;
  private ScheduledFuture<?> rounds;
  private volatile List<TableReport> lastRound = List.of();

  public MaintenanceScheduler(LakeMaintenance maintenance, Duration interval, ScheduledExecutorService executor) {
    this(maintenance, interval, executor, () -> false);
  }

  /** A scheduler that skips a round whenever {@code deferred} returns true at its start. */
  public MaintenanceScheduler(LakeMaintenance maintenance, Duration interval, ScheduledExecutorService executor,
      BooleanSupplier deferred) {
    this.maintenance = requireNonNull(maintenance, "maintenance is null");
    this.interval = requireNonNull(interval, "interval is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.deferred = requireNonNull(deferred, "deferred is null");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("Invalid maintenance interval: " + interval + " (must be positive)");
    }
  }

  public synchronized void start() {
    if (rounds != null) {
      throw new IllegalStateException("Cannot start lake maintenance: it is already started");
    }
    rounds = executor.scheduleWithFixedDelay(this::round, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
    LOG.info("Lake maintenance every {}", interval);
  }

  /** The reports of the last round that ended; empty before the first. */
  public List<TableReport> lastRound() {
    return lastRound;
  }

  private void round() {
    long started = System.nanoTime();
    try {
      if (deferred.getAsBoolean()) {
        LOG.info("Lake maintenance round deferred while an initial snapshot is read; the next starts in {}", interval);
        return;
      }
      List<TableReport> reports = maintenance.run(Optional.empty(), false);
      for (TableReport report : reports) {
        if (report.changedAnything()) {
          LOG.info("Maintenance of {}: {}", report.table(), report.describe(false));
        } else {
          LOG.debug("Maintenance of {}: {}", report.table(), report.describe(false));
        }
      }
      lastRound = List.copyOf(reports);
      LOG.info("Lake maintenance round of {} tables took {} ms", reports.size(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (RuntimeException e) {
      // the next round tries again; a thrown exception would cancel every later round
      LOG.warn("Lake maintenance round failed; the next starts in {}", interval, e);
    }
  }

  /** Stops scheduling rounds; a round that is running finishes (its commits are atomic either way). */
  @Override
  public synchronized void close() {
    if (rounds != null) {
      rounds.cancel(false);
    }
  }
}
