package io.tributary.cli;

import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.lake.Lake;
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
    try (StopRequest stop = StopRequest.install("tributary-shutdown");
        Lake lake = Lake.open(configuration.lake().warehouse());
        GoldRefresher gold = configuration.models().map(models -> new GoldRefresher(lake, models)).orElse(null);
        PipelineGroup group = new PipelineGroup(lake, PipelineGroup.sources(configuration),
            configuration.lake().pipelineSettings(), gold == null ? CommitListener.NONE : gold.listener(),
            configuration::table)) {
      log.info("Pipeline {}: lake {}, sources {}", configuration.name(), configuration.lake().warehouse(),
          configuration.sources().keySet());
      group.start();
      if (gold != null) {
        gold.start();
      }
      while (!stop.await(Duration.ofSeconds(1))) {
        Optional<Throwable> failure = group.failure();
        if (failure.isPresent()) {
          throw new IllegalStateException("Pipeline " + configuration.name() + " failed", failure.get());
        }
      }
      log.info("Stopping pipeline {}: committing what was received", configuration.name());
    }
    log.info("Pipeline {} stopped", configuration.name());
    return 0;
  }
}
