package io.tributary.cli;

import static java.util.Objects.requireNonNull;

import io.tributary.core.config.MaintenanceConfig;
import io.tributary.lake.Lake;
import io.tributary.lake.LakeMaintenance;
import io.tributary.lake.MaintenanceScheduler;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Lake maintenance on its own daemon thread while {@code run} runs, when the configuration enables it. */
final class BackgroundMaintenance implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackgroundMaintenance.class);

  private final Lake lake;
  private final MaintenanceConfig config;
  private final BooleanSupplier snapshotting;
  private ScheduledExecutorService executor;
  private MaintenanceScheduler scheduler;

  /** @param snapshotting whether a source reads its initial snapshot now: rounds wait until none does */
  BackgroundMaintenance(Lake lake, MaintenanceConfig config, BooleanSupplier snapshotting) {
    this.lake = requireNonNull(lake, "lake is null");
    this.config = requireNonNull(config, "config is null");
    this.snapshotting = requireNonNull(snapshotting, "snapshotting is null");
  }

  void start() {
    if (!config.enabled()) {
      log.info("Lake maintenance is disabled (lake.maintenance.enabled: false)");
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tributary-maintenance");
      thread.setDaemon(true);
      return thread;
    });
    scheduler = new MaintenanceScheduler(new LakeMaintenance(lake, config), config.interval(), executor, snapshotting);
    scheduler.start();
  }

  /** Stops the rounds; waits a while for a running one, whose commits are atomic if it is cut short. */
  @Override
  public void close() {
    if (scheduler == null) {
      return;
    }
    scheduler.close();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("Lake maintenance still runs after 30 s; stopping without it");
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
