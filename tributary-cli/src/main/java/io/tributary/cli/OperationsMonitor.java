package io.tributary.cli;

import static java.util.Objects.requireNonNull;

import io.tributary.core.alert.AlertSeverity;
import io.tributary.core.alert.Alerts;
import io.tributary.core.check.CheckOutcome;
import io.tributary.core.check.CheckResults;
import io.tributary.core.check.TableCheck;
import io.tributary.core.config.PostgresSourceConfig;
import io.tributary.core.config.SourceConfig;
import io.tributary.core.config.TributaryConfig;
import io.tributary.core.config.WalPolicy;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.lake.CheckRecords;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.core.pipeline.ReplicationSlotStatus;
import io.tributary.sources.postgres.PostgresSlotProbe;
import io.tributary.sql.models.Model;
import io.tributary.sql.models.ModelRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a running process and raises and resolves its alerts: pipeline failures, lag, WAL held by
 * replication slots (applying the WAL policy at the critical threshold), reconciliation checks (which
 * it schedules), gold model tests and new dead letters. Runs on threads of its own; nothing here
 * blocks capture.
 */
final class OperationsMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperationsMonitor.class);
  /** Dead letters raise an alert when new ones arrive; it resolves after this long without any. */
  static final Duration DEAD_LETTERS_QUIET = Duration.ofMinutes(10);

  private final TributaryConfig config;
  private final Lake lake;
  private final PipelineGroup group;
  private final Alerts alerts;
  private final CheckResults checks;
  private final Duration poll;
  private final Map<String, PostgresSlotProbe> slots = new LinkedHashMap<>();
  private final Map<String, Long> deadLetters = new HashMap<>();
  private final Map<String, Instant> deadLettersSeen = new HashMap<>();
  private final Set<String> paused = ConcurrentHashMap.newKeySet();
  private final Thread watcher;
  private final Thread checker;
  private volatile boolean running = true;

  OperationsMonitor(TributaryConfig config, Lake lake, PipelineGroup group, Alerts alerts, CheckResults checks,
      Duration poll) {
    this.config = requireNonNull(config, "config is null");
    this.lake = requireNonNull(lake, "lake is null");
    this.group = requireNonNull(group, "group is null");
    this.alerts = requireNonNull(alerts, "alerts is null");
    this.checks = requireNonNull(checks, "checks is null");
    this.poll = requireNonNull(poll, "poll is null");
    for (SourceConfig source : config.sources().values()) {
      if (source instanceof PostgresSourceConfig postgres) {
        slots.put(source.name(), new PostgresSlotProbe(PipelineGroup.settings(config, postgres), Duration.ZERO));
      }
    }
    this.watcher = new Thread(this::watch, "tributary-monitor");
    this.watcher.setDaemon(true);
    this.checker = config.checks().interval().map(interval -> {
      Thread thread = new Thread(() -> checkEvery(interval), "tributary-checks");
      thread.setDaemon(true);
      return thread;
    }).orElse(null);
  }

  void start() {
    watcher.start();
    if (checker != null) {
      checker.start();
    }
  }

  /** Raises the alert for a failed pipeline; the caller then stops the process. */
  void failed(String source, Throwable error) {
    alerts.raise("source-failed:" + source, AlertSeverity.CRITICAL, "Source " + source + " failed",
        Errors.describe(error));
  }

  /** One round of every condition; the watcher thread calls it every poll. */
  void evaluate() {
    for (PipelineStatus status : group.statuses()) {
      evaluatePipeline(status);
    }
    for (Map.Entry<String, PostgresSlotProbe> slot : slots.entrySet()) {
      try {
        evaluateSlot((PostgresSourceConfig) config.sources().get(slot.getKey()), slot.getValue());
      } catch (RuntimeException e) {
        log.warn("Cannot watch the replication slot of source {}: {}", slot.getKey(), e.getMessage());
      }
    }
    evaluateChecks();
    try {
      evaluateLake();
    } catch (RuntimeException e) {
      log.warn("Cannot read model tests and dead letters from the lake: {}", e.getMessage());
    }
  }

  private void evaluatePipeline(PipelineStatus status) {
    String source = status.source();
    alerts.set("source-failed:" + source, status.state() == PipelineState.FAILED, AlertSeverity.CRITICAL,
        "Source " + source + " failed", status.failure().orElse("the pipeline stopped"),
        "the pipeline runs again");
    Duration threshold = config.alerts().lag();
    Duration lag = status.lag().orElse(Duration.ZERO);
    // A pipeline that stopped committing has no new lag to report: its queue waiting says it.
    if (status.queued() > 0 && status.lastCommitAt().isPresent()) {
      Duration waiting = Duration.between(status.lastCommitAt().get(), Instant.now());
      lag = waiting.compareTo(lag) > 0 ? waiting : lag;
    }
    boolean lagging = status.state() == PipelineState.RUNNING && !status.snapshotting() && lag.compareTo(threshold) > 0;
    alerts.set("lag:" + source, lagging, AlertSeverity.WARNING,
        "Source " + source + " lags " + Progress.duration(lag),
        "changes take " + Progress.duration(lag) + " to reach the lake, more than alerts.lag ("
            + Progress.duration(threshold) + "); look for a slow commit or a source busier than usual",
        "lag is " + Progress.duration(lag) + " again");
  }

  private void evaluateSlot(PostgresSourceConfig source, PostgresSlotProbe monitor) {
    Optional<ReplicationSlotStatus> state = monitor.read();
    String key = "wal:" + source.name();
    if (state.isEmpty()) {
      alerts.resolve(key, "replication slot " + source.slot() + " no longer exists");
      return;
    }
    ReplicationSlotStatus slot = state.get();
    long retained = slot.retainedBytes();
    String amount = bytes(retained) + " of WAL retained by replication slot " + slot.slot();
    if (retained >= source.walCritical()) {
      if (paused.add(source.name())) {
        applyPolicy(source, monitor, amount);
      }
      return;
    }
    if (paused.contains(source.name())) {
      // Paused sources stay paused (and alerting) until an operator restarts the process.
      return;
    }
    alerts.set(key, retained >= source.walWarning(), AlertSeverity.WARNING, "Source " + source.name()
        + " holds " + bytes(retained) + " of WAL", amount + ", above wal-warning (" + bytes(source.walWarning())
        + "); the lake is behind or the source cannot confirm its position (see docs/operations.md)",
        amount + " now, below wal-warning");
  }

  private void applyPolicy(PostgresSourceConfig source, PostgresSlotProbe monitor, String amount) {
    String key = "wal:" + source.name();
    String limit = "above wal-critical (" + bytes(source.walCritical()) + ")";
    if (source.walPolicy() == WalPolicy.PAUSE_AND_ALERT) {
      log.error("Source {}: {} {}: pausing the source (wal-policy pause-and-alert)", source.name(), amount, limit);
      group.pause(source.name());
      alerts.raise(key, AlertSeverity.CRITICAL, "Source " + source.name() + " paused: " + amount, amount + " "
          + limit + ". Capture of " + source.name() + " is paused and the slot kept, so nothing is lost; the WAL "
          + "stays on the server's disk until the slot moves. Find why the lake fell behind, then restart "
          + "tributary run; or set wal-policy: drop-and-resnapshot (see docs/operations.md)");
      return;
    }
    log.error("Source {}: {} {}: dropping the slot and taking a new snapshot (wal-policy drop-and-resnapshot)",
        source.name(), amount, limit);
    group.pause(source.name());
    monitor.drop();
    new Checkpoints(lake).remove(source.name());
    group.restart(source.name(), new PostgresSource(PipelineGroup.settings(config, source)));
    paused.remove(source.name());
    alerts.raise(key, AlertSeverity.CRITICAL, "Source " + source.name() + " dropped its slot: " + amount,
        amount + " " + limit + ". The slot was dropped so the server frees the WAL, and the source's tables are "
            + "read again with a new snapshot: silver will be complete again, but bronze and history lack the "
            + "individual changes made between the last commit and the new snapshot");
  }

  private void evaluateChecks() {
    for (TableCheck check : checks.latest()) {
      String key = "check:" + check.lakeTable();
      alerts.set(key, check.outcome() != CheckOutcome.EQUAL,
          check.outcome() == CheckOutcome.DIFFERENT ? AlertSeverity.CRITICAL : AlertSeverity.WARNING,
          check.outcome() == CheckOutcome.DIFFERENT ? "Check failed: " + check.lakeTable() + " differs from "
              + check.source() + ":" + check.sourceTable()
              : "Check of " + check.lakeTable() + " could not run",
          check.summary() + (check.differences().isEmpty() ? ""
              : "; first: " + CheckCommand.describe(check.differences().get(0)).replaceAll(" +", " ")),
          check.summary());
    }
  }

  private void evaluateLake() {
    for (Namespace namespace : lake.catalog().listNamespaces()) {
      String layer = namespace.toString();
      if (!layer.equals(Model.GOLD) && !layer.equals(Lake.ERRORS)) {
        continue;
      }
      for (TableIdentifier identifier : lake.catalog().listTables(namespace)) {
        Table table = lake.catalog().loadTable(identifier);
        String name = layer + "." + identifier.name();
        if (layer.equals(Model.GOLD)) {
          String tests = table.properties().get(ModelRunner.TESTS_PROPERTY);
          if (tests != null) {
            alerts.set("model-test:" + name, tests.contains(" failed"), AlertSeverity.WARNING,
                "Model tests failed on " + name, name + ": " + tests, name + ": " + tests);
          }
        } else {
          evaluateDeadLetters(name, table);
        }
      }
    }
  }

  private void evaluateDeadLetters(String name, Table table) {
    Snapshot snapshot = table.currentSnapshot();
    long rows = snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    Long before = deadLetters.put(name, rows);
    String key = "dead-letters:" + name;
    Instant now = Instant.now();
    if (before != null && rows > before) {
      deadLettersSeen.put(name, now);
      alerts.raise(key, AlertSeverity.WARNING, "New dead letters in " + name, String.format(Locale.ROOT,
          "%,d new records could not reach silver (%,d in %s); query %s for their reasons", rows - before, rows,
          name, name));
    } else if (before == null && rows > 0 && snapshot != null
        && Instant.ofEpochMilli(snapshot.timestampMillis()).isAfter(now.minus(DEAD_LETTERS_QUIET))) {
      deadLettersSeen.put(name, now);
      alerts.raise(key, AlertSeverity.WARNING, "New dead letters in " + name, String.format(Locale.ROOT,
          "%,d records in %s could not reach silver; query it for their reasons", rows, name));
    } else if (deadLettersSeen.containsKey(name)
        && deadLettersSeen.get(name).isBefore(now.minus(DEAD_LETTERS_QUIET))) {
      alerts.resolve(key, "no new dead letters in " + name + " for " + Progress.duration(DEAD_LETTERS_QUIET));
    }
  }

  private void watch() {
    while (running) {
      try {
        evaluate();
        Thread.sleep(poll.toMillis());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("Watching the pipeline failed this round: {}", e.getMessage(), e);
      }
    }
  }

  private void checkEvery(Duration interval) {
    Reconciler reconciler = new Reconciler(config, lake, Duration.ofMinutes(2));
    while (running) {
      try {
        Thread.sleep(interval.toMillis());
        List<TableCheck> results = reconciler.check(reconciler.select(List.of()));
        checks.record(results);
        new CheckRecords(lake).write(results);
        for (TableCheck result : results) {
          log.info("Scheduled check: {}", result.summary());
        }
        evaluateChecks();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("Scheduled check failed: {}", e.getMessage(), e);
      }
    }
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  @Override
  public void close() {
    running = false;
    watcher.interrupt();
    if (checker != null) {
      checker.interrupt();
    }
    try {
      watcher.join(10_000);
      if (checker != null) {
        checker.join(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (PostgresSlotProbe monitor : slots.values()) {
      monitor.close();
    }
  }
}
