package io.tributary.cli;

import static java.util.Objects.requireNonNull;

import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.models.ModelProject;
import io.tributary.sql.models.ModelRunResult;
import io.tributary.sql.models.ModelRunner;
import io.tributary.sql.models.ModelScheduler;
import io.tributary.sql.models.TestResult;
import io.tributary.server.ModelActivity;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gold layer fresh inside a running process: commits mark the models that read the
 * committed tables, and a thread of its own runs them (upstream first) when their refresh policy
 * allows, so capture never waits for a model.
 */
final class GoldRefresher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GoldRefresher.class);
  private static final long POLL_MILLIS = 500;

  private final ModelProject project;
  private final LakeSqlEngine engine;
  private final ModelRunner runner;
  private final ModelScheduler scheduler;
  private final Thread thread;
  private final Lake lake;
  private final ModelActivity activity;
  private volatile boolean running = true;

  GoldRefresher(Lake lake, Path models, MetricsRegistry metrics) {
    this.lake = requireNonNull(lake, "lake is null");
    this.project = ModelProject.load(requireNonNull(models, "models is null"));
    this.activity = new ModelActivity(project, metrics);
    this.engine = new LakeSqlEngine(lake.catalog());
    this.runner = new ModelRunner(lake, engine);
    this.scheduler = new ModelScheduler(project, runner, Clock.systemUTC(), this::exists);
    this.thread = new Thread(this::loop, "tributary-gold");
    this.thread.setDaemon(true);
    log.info("Gold layer: {} models from {}", project.models().size(), models);
  }

  void start() {
    // Tables committed before this process started may be newer than the gold tables; tables
    // that do not exist yet mark their models when their first commit comes.
    scheduler.onCommitted(project.models().stream().flatMap(model -> model.references().stream())
        .filter(this::exists)
        .collect(Collectors.toSet()));
    thread.start();
  }

  /** Whether lake table {@code table} ({@code silver.orders}) exists; the catalog answers, no planning needed. */
  private boolean exists(String table) {
    return lake.catalog().tableExists(TableIdentifier.parse(table));
  }

  CommitListener listener() {
    return (source, summary) -> scheduler.onCommitted(summary.rowsByTable().keySet());
  }

  /** The models' runs and tests, for the HTTP server. */
  ModelActivity activity() {
    return activity;
  }

  /** Stops refreshing in the background and refreshes every model once more, now. */
  List<ModelRunResult> finish() {
    stopThread();
    return report(runner.runAll(project.models()));
  }

  private List<ModelRunResult> report(List<ModelRunResult> results) {
    for (ModelRunResult result : results) {
      List<TestResult> tests = result.succeeded() ? runner.lastTests().getOrDefault(result.model(), List.of()) : List.of();
      activity.ran(result, tests);
    }
    return results;
  }

  private void loop() {
    while (running) {
      try {
        report(scheduler.runDue());
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // One bad round must not end refreshing; the scheduler reports each model's own failure.
        log.error("Gold refresh round failed: {}", e.getMessage(), e);
      }
    }
  }

  @Override
  public void close() {
    stopThread();
    engine.close();
  }

  private void stopThread() {
    running = false;
    thread.interrupt();
    try {
      thread.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
