package io.tributary.cli;

import io.tributary.core.config.TributaryConfig;
import io.tributary.lake.Lake;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    CountDownLatch stopped = new CountDownLatch(1);
    try (Lake lake = Lake.open(configuration.lake().warehouse());
        PipelineGroup group = new PipelineGroup(lake, PipelineGroup.sources(configuration), configuration.lake().pipelineSettings())) {
      Thread hook = new Thread(() -> {
        log.info("Stopping pipeline {}: committing what was received", configuration.name());
        group.close();
        stopped.countDown();
      }, "tributary-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      log.info("Pipeline {}: lake {}, sources {}", configuration.name(), configuration.lake().warehouse(), configuration.sources().keySet());
      group.start();
      while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
        if (group.failure().isPresent()) {
          Runtime.getRuntime().removeShutdownHook(hook);
          throw new IllegalStateException("Pipeline " + configuration.name() + " failed", group.failure().get());
        }
      }
    }
    return 0;
  }
}
