package io.tributary.it;

import io.tributary.core.fault.CrashPoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code tributary run} in a child JVM, killed with SIGKILL at a crash point or stopped at the end. */
final class ChildRun implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ChildRun(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts the pipeline of {@code config}; with a crash point it stops there and waits to be killed. */
  static ChildRun start(Path config, String crashPoint, Path log, Map<String, String> environment) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx384m");
    if (!crashPoint.isEmpty()) {
      command.add("-D" + CrashPoints.PROPERTY + "=" + crashPoint);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tributary.cli.Main", "run", "--config",
        config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    return new ChildRun(builder.start(), log);
  }

  /** Waits for the crash point, then kills the process with SIGKILL: no shutdown hook, no flush. */
  void awaitCrashPointAndKill() throws Exception {
    try {
      Awaits.until(Duration.ofMinutes(2), "the run to reach its crash point (log: " + log + ")", () -> {
        if (!process.isAlive()) {
          throw new AssertionError("the run exited with " + process.exitValue() + ":\n" + Files.readString(log));
        }
        return Files.readString(log).contains(CrashPoints.MARKER);
      });
    } finally {
      kill();
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  private void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Stops the run as Ctrl-C would. */
  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
