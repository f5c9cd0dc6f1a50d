package io.tributary.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tributary run -c FILE} in a child JVM, exactly as {@code bin/tributary} starts it (same main class, same
 * class path), with a GC log for its heap and {@code /proc/<pid>/status} for its resident memory.
 *
 * <p>The class path of the CLI comes from the system properties {@code bench.cli.jar} and {@code bench.cli.classpath}
 * (a file listing it), which the bench scripts set after building the CLI.
 */
final class TributaryProcess implements AutoCloseable {
  /** GC log lines such as {@code GC(3) Pause Young (Normal) (G1 Evacuation Pause) 61M->12M(256M) 4.1ms}. */
  private static final Pattern HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

  private final Process process;
  private final Path directory;
  private final Path gcLog;
  private final Path log;
  private volatile long peakRssKb;

  private TributaryProcess(Process process, Path directory, Path gcLog, Path log) {
    this.process = process;
    this.directory = directory;
    this.gcLog = gcLog;
    this.log = log;
  }

  /**
   * Starts {@code tributary run} on {@code config}; logs, GC log and the optional flight recording go to
   * {@code directory}.
   */
  static TributaryProcess start(Path config, Path directory, String heap, Optional<Path> flightRecording) {
    requireNonNull(config, "config is null");
    requireNonNull(flightRecording, "flightRecording is null");
    try {
      Files.createDirectories(directory);
      String jar = required("bench.cli.jar");
      String classpath = Files.readString(Path.of(required("bench.cli.classpath"))).trim();
      Path gcLog = directory.resolve("gc.log");
      Path log = directory.resolve("tributary.log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx" + heap);
      command.add("-Xlog:gc:file=" + gcLog);
      // Further options for the Tributary JVM, e.g. to compare garbage collectors: BENCH_TRIBUTARY_JAVA_OPTS.
      String options = System.getenv().getOrDefault("BENCH_TRIBUTARY_JAVA_OPTS", "").trim();
      if (!options.isEmpty()) {
        command.addAll(List.of(options.split("\\s+")));
      }
      flightRecording.ifPresent(file -> command.add(
          "-XX:StartFlightRecording=filename=" + file + ",settings=profile,dumponexit=true"));
      command.add("-cp");
      command.add(jar + ":" + classpath);
      command.add("io.tributary.cli.Main");
      command.add("run");
      command.add("-c");
      command.add(config.toString());
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      TributaryProcess started = new TributaryProcess(process, directory, gcLog, log);
      Thread sampler = new Thread(started::sampleRss, "bench-rss-sampler");
      sampler.setDaemon(true);
      sampler.start();
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start tributary run: " + e.getMessage(), e);
    }
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException("Cannot start tributary: system property " + property
          + " is not set (run the bench through its script in bench/)");
    }
    return value;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** Fails with the end of the child's log when it has exited. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException("tributary run exited with status " + process.exitValue() + "; end of "
          + log + ":\n" + tail(40));
    }
  }

  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** VmHWM (peak resident set) read while the process runs; kept after it stops. */
  private void sampleRss() {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    while (process.isAlive()) {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmHWM:")) {
            peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("[^0-9]", "")));
          }
        }
        Thread.sleep(200);
      } catch (IOException | NumberFormatException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Stops the process as Ctrl-C would (SIGTERM) and waits for it; then its memory figures are final. */
  Memory stop() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return memory();
  }

  /** Peak RSS, peak heap in use (before a collection), peak heap after a collection (the live set), max heap. */
  record Memory(long peakRssMb, long peakHeapUsedMb, long peakHeapAfterGcMb, long heapCommittedMb, int collections) {}

  Memory memory() {
    long before = 0;
    long after = 0;
    long committed = 0;
    int collections = 0;
    try {
      if (Files.exists(gcLog)) {
        for (String line : Files.readAllLines(gcLog)) {
          Matcher m = HEAP.matcher(line);
          if (m.find()) {
            collections++;
            before = Math.max(before, mb(m.group(1), m.group(2)));
            after = Math.max(after, mb(m.group(3), m.group(4)));
            committed = Math.max(committed, mb(m.group(5), m.group(6)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read GC log " + gcLog, e);
    }
    return new Memory(peakRssKb / 1024, before, after, committed, collections);
  }

  private static long mb(String value, String unit) {
    long v = Long.parseLong(value);
    return switch (unit) {
      case "K" -> v / 1024;
      case "G" -> v * 1024;
      default -> v;
    };
  }

  Path directory() {
    return directory;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
