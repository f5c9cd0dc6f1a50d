package io.tributary.cli;

import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.lake.Lake;
import io.tributary.server.SourceInfo;
import io.tributary.server.TableActivity;
import io.tributary.server.TributaryServer;
import java.util.List;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary run}: the pipelines of a configuration file, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Capture the configured sources into the lake until stopped (Ctrl-C or SIGTERM stop cleanly).")
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipeline configuration (tributary.yaml).")
  Path config;

  @Override
  public Integer call() throws Exception {
    TributaryConfig configuration = TributaryConfig.load(config, System.getenv());
    MetricsRegistry metrics = new MetricsRegistry();
    TableActivity activity = new TableActivity();
    List<SourceInfo> sourceInfos = PipelineGroup.sourceInfos(configuration);
    try (StopRequest stop = StopRequest.install("tributary-shutdown");
        Lake lake = Lake.open(configuration.lake().warehouse());
        GoldRefresher gold = configuration.models().map(models -> new GoldRefresher(lake, models, metrics)).orElse(null);
        PipelineGroup group = new PipelineGroup(lake, PipelineGroup.sources(configuration),
            configuration.lake().pipelineSettings(),
            ServerStart.listeners(gold == null ? CommitListener.NONE : gold.listener(), activity),
            configuration::table, metrics);
        TributaryServer server = configuration.server().enabled()
            ? ServerStart.start(configuration.server(), configuration.name(), lake, group, sourceInfos, metrics,
                activity, Optional.ofNullable(gold).map(GoldRefresher::activity))
            : null;
        BackgroundMaintenance maintenance = new BackgroundMaintenance(lake, configuration.lake().maintenance())) {
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
      while (!stop.await(Duration.ofSeconds(1))) {
        Optional<Throwable> failure = group.failure();
        if (failure.isPresent()) {
          throw new IllegalStateException("Pipeline " + configuration.name() + " failed", failure.get());
        }
      }
      log.info("Stopping pipeline {}: committing what was received", configuration.name());
    } finally {
      ServerStart.closeProbes(sourceInfos);
    }
    log.info("Pipeline {} stopped", configuration.name());
    return 0;
  }
}
