package io.tributary.cli;

import io.tributary.core.alert.AlertNotifier;
import io.tributary.core.alert.AlertJournal;
import io.tributary.core.alert.Alerts;
import io.tributary.core.alert.WebhookNotifier;
import io.tributary.core.check.CheckResults;
import io.tributary.core.config.PostgresSourceConfig;
import io.tributary.core.config.SourceConfig;
import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.server.SourceInfo;
import io.tributary.server.TableActivity;
import io.tributary.server.TributaryServer;
import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.lake.Lake;
import io.tributary.sources.postgres.PostgresTableStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary run}: the pipelines of a configuration file, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Capture the configured sources into the lake until stopped (Ctrl-C or SIGTERM stop cleanly).")
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
  private static final Duration MONITOR_EVERY = Duration.ofSeconds(5);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipeline configuration (tributary.yaml).")
  Path config;

  @Override
  public Integer call() throws Exception {
    TributaryConfig configuration = TributaryConfig.load(config, System.getenv());
    List<AlertNotifier> notifiers = configuration.alerts().targets().values().stream()
        .map(target -> (AlertNotifier) new WebhookNotifier(target)).toList();
    PrintWriter out = spec.commandLine().getOut();
    MetricsRegistry metrics = new MetricsRegistry();
    TableActivity activity = new TableActivity();
    List<SourceInfo> sourceInfos = PipelineGroup.sourceInfos(configuration);
    try (StopRequest stop = StopRequest.install("tributary-shutdown");
        Alerts alerts = new Alerts(configuration.name(), notifiers,
            Optional.of(AlertJournal.of(configuration.lake().warehouse(), configuration.name())));
        Lake lake = Lake.open(configuration.lake().warehouse());
        GoldRefresher gold = configuration.models().map(models -> new GoldRefresher(lake, models, metrics)).orElse(null);
        PipelineGroup group = new PipelineGroup(lake, PipelineGroup.sources(configuration),
            configuration.lake().pipelineSettings(),
            ServerStart.listeners(gold == null ? CommitListener.NONE : gold.listener(), activity),
            configuration::table, metrics);
        TributaryServer server = configuration.server().enabled()
            ? ServerStart.start(configuration.server(), configuration.name(), lake, group, sourceInfos, metrics,
                activity, Optional.ofNullable(gold).map(GoldRefresher::activity), alerts)
            : null;
        BackgroundMaintenance maintenance = new BackgroundMaintenance(lake, configuration.lake().maintenance(),
            () -> group.statuses().stream().anyMatch(PipelineStatus::snapshotting));
        OperationsMonitor monitor = new OperationsMonitor(configuration, lake, group, alerts, new CheckResults(),
            MONITOR_EVERY)) {
      log.info("Pipeline {}: lake {}, sources {}", configuration.name(), configuration.lake().warehouse(),
          configuration.sources().keySet());
      if (server != null) {
        log.info("Web UI and API of pipeline {} at {}", configuration.name(), server.uri());
      }
      group.start();
      if (gold != null) {
        gold.start();
      }
      maintenance.start();
      monitor.start();
      Map<String, SnapshotMeter> meters = new HashMap<>();
      Instant started = Instant.now();
      Instant nextProgress = Instant.now();
      try {
        while (!stop.await(Duration.ofSeconds(1))) {
          Optional<Throwable> failure = group.failure();
          if (failure.isPresent()) {
            monitor.evaluate();
            alerts.flush(Duration.ofSeconds(10));
            throw new IllegalStateException("Pipeline " + configuration.name() + " failed", failure.get());
          }
          if (!Instant.now().isBefore(nextProgress)) {
            nextProgress = Instant.now().plus(PROGRESS_EVERY);
            printSnapshotProgress(out, configuration, group, meters, started);
          }
        }
      } finally {
        alerts.flush(Duration.ofSeconds(5));
      }
      log.info("Stopping pipeline {}: committing what was received", configuration.name());
    } finally {
      ServerStart.closeProbes(sourceInfos);
    }
    log.info("Pipeline {} stopped", configuration.name());
    return 0;
  }

  /** While a source reads its initial snapshot, a progress bar with rows/s and the time left. */
  private static void printSnapshotProgress(PrintWriter out, TributaryConfig configuration, PipelineGroup group,
      Map<String, SnapshotMeter> meters, Instant started) {
    for (PipelineStatus status : group.statuses()) {
      if (!status.snapshotting() && !meters.containsKey(status.source())) {
        continue;
      }
      SnapshotMeter meter = meters.computeIfAbsent(status.source(), source -> new SnapshotMeter(estimate(configuration, source)));
      if (status.snapshotting() || meters.get(status.source()) != null) {
        out.printf("[%s] %s%n", Progress.duration(Duration.between(started, Instant.now())), Progress.line(status, meter));
      }
      if (!status.snapshotting()) {
        meters.put(status.source(), null);
      }
    }
    meters.values().removeIf(java.util.Objects::isNull);
    out.flush();
  }

  private static long estimate(TributaryConfig configuration, String source) {
    SourceConfig config = configuration.sources().get(source);
    return config instanceof PostgresSourceConfig postgres
        ? PostgresTableStats.estimatedRows(PipelineGroup.settings(configuration, postgres)) : 0;
  }
}
