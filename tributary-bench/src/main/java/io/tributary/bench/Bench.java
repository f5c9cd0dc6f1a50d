package io.tributary.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the benches share: the machine they ran on, the result file, the pipeline configuration, child commands. */
final class Bench {
  static final String DATABASE = "bench";
  static final String SOURCE = "pg";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Bench() {}

  /** The machine as the result files and docs/performance.md quote it. */
  static Map<String, Object> machine() {
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("memory_gb", Math.round(((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() / 1e9));
    machine.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    machine.put("load_average_at_start", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return machine;
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static String postgresVersion(EmbeddedPostgresServer server) throws SQLException {
    try (Connection connection = server.connection("postgres"); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Writes {@code result} to {@code bench/results/<name>-<timestamp>.json} (or {@code $BENCH_RESULTS}) and returns the file. */
  static Path writeResult(String name, Map<String, Object> result) {
    Path directory = Path.of(System.getProperty("bench.results", "bench/results"));
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now());
    Path file = directory.resolve(name + "-" + stamp + ".json");
    try {
      Files.createDirectories(directory);
      JSON.writeValue(file.toFile(), result);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write result " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** A pipeline file for {@code tables} of the bench database, writing to {@code warehouse}. */
  static Path writeConfig(Path directory, EmbeddedPostgresServer server, Path warehouse, List<String> tables,
      String commitInterval, String snapshot) {
    return writeConfig(directory, server, warehouse, tables, commitInterval, snapshot, Optional.empty());
  }

  /** The same, with the PostgreSQL source's {@code capture} when given. */
  static Path writeConfig(Path directory, EmbeddedPostgresServer server, Path warehouse, List<String> tables,
      String commitInterval, String snapshot, Optional<String> capture) {
    String yaml = "name: bench\n"
        + "lake:\n"
        + "  warehouse: " + warehouse + "\n"
        + "  commit-interval: " + commitInterval + "\n"
        // Any free port: a fixed one may be taken on a shared machine, and the bench does not use the server.
        + "server:\n"
        + "  listen: 127.0.0.1:0\n"
        + "sources:\n"
        + "  " + SOURCE + ":\n"
        + "    type: postgres\n"
        + "    host: " + server.host() + "\n"
        + "    port: " + server.port() + "\n"
        + "    database: " + DATABASE + "\n"
        + "    user: " + EmbeddedPostgresServer.USER + "\n"
        + "    tables: [" + String.join(", ", tables) + "]\n"
        + "    snapshot: " + snapshot + "\n"
        + capture.map(mode -> "    capture: " + mode + "\n").orElse("");
    Path file = directory.resolve("bench.yaml");
    try {
      Files.createDirectories(directory);
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
    return file;
  }

  /** Runs a client tool to completion; returns its wall time in nanoseconds, failing with its output when it fails. */
  static long runTool(List<String> command, long timeoutSeconds) {
    long started = System.nanoTime();
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      List<String> output = new ArrayList<>();
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (output.size() < 50) {
            output.add(line);
          }
        }
      }
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("Timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
      }
      long elapsed = System.nanoTime() - started;
      if (process.exitValue() != 0) {
        throw new IllegalStateException("Failed (exit " + process.exitValue() + "): " + String.join(" ", command) + "\n"
            + String.join("\n", output));
      }
      return elapsed;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + command.get(0) + " (install the PostgreSQL client tools: "
          + "apt-get install -y postgresql-client): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted running " + command.get(0), e);
    }
  }

  static Map<String, Object> memoryJson(TributaryProcess.Memory memory, String heap) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("max_heap", heap);
    json.put("peak_rss_mb", memory.peakRssMb());
    json.put("peak_heap_used_mb", memory.peakHeapUsedMb());
    json.put("peak_heap_after_gc_mb", memory.peakHeapAfterGcMb());
    json.put("heap_committed_mb", memory.heapCommittedMb());
    json.put("gc_count", memory.collections());
    return json;
  }

  static void printMemory(TributaryProcess.Memory memory, String heap) {
    System.out.printf(Locale.ROOT, "Tributary process (-Xmx%s): peak RSS %,d MB, peak heap used %,d MB, "
            + "peak heap after GC %,d MB, heap committed %,d MB, %d collections%n",
        heap, memory.peakRssMb(), memory.peakHeapUsedMb(), memory.peakHeapAfterGcMb(), memory.heapCommittedMb(),
        memory.collections());
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  static String arg(String[] args, int index, String name) {
    if (index >= args.length) {
      throw new IllegalArgumentException("Invalid arguments: " + name + " needs a value");
    }
    return args[index];
  }
}
