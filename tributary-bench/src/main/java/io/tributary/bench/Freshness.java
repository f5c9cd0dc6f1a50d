package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryResult;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

/**
 * Freshness: at a steady rate of changes, how long from a commit in PostgreSQL until its row is visible through a
 * DuckDB query of silver ({@link LakeSqlEngine}, as {@code tributary query} reads the lake), with {@code tributary
 * run} committing every second. Each workload transaction also inserts a probe row {@code (seq)} into
 * {@code public.probe}; a reader refreshes the engine and asks {@code max(seq)} of {@code silver.probe} in a loop.
 *
 * <p>Two figures per probe: when the snapshot of {@code silver.probe} first holding it was committed (from then on a
 * query that starts sees the row: the goal's figure), and when the reader's loop first returned it (that figure also
 * holds the reader's own polling delay, up to one refresh and query).
 *
 * <p>Run by {@code bench/freshness.sh}; see {@code bench/README.md}.
 */
public final class Freshness {
  private Freshness() {}

  public static void main(String[] args) throws Exception {
    Optional<Double> rateArg = Optional.empty();
    // The first 30 s are the JIT's: compilations lasting 15 s in all ran in the workload's first 20 s on 2 cores (a
    // flight recording's jdk.Compilation events), and the commits of those seconds took three times their steady time.
    long durationSeconds = 90;
    long warmupSeconds = 30;
    int tickMillis = 100;
    long seed = 100_000;
    String heap = "1g";
    String commitInterval = "1s";
    Optional<Path> dir = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rate" -> rateArg = Optional.of(Double.parseDouble(Bench.arg(args, ++i, "--rate").replace("_", "")));
        case "--duration" -> durationSeconds = Long.parseLong(Bench.arg(args, ++i, "--duration"));
        case "--warmup" -> warmupSeconds = Long.parseLong(Bench.arg(args, ++i, "--warmup"));
        case "--tick-ms" -> tickMillis = Integer.parseInt(Bench.arg(args, ++i, "--tick-ms"));
        case "--seed-rows" -> seed = Long.parseLong(Bench.arg(args, ++i, "--seed-rows").replace("_", ""));
        case "--heap" -> heap = Bench.arg(args, ++i, "--heap");
        case "--commit-interval" -> commitInterval = Bench.arg(args, ++i, "--commit-interval");
        case "--dir" -> dir = Optional.of(Path.of(Bench.arg(args, ++i, "--dir")).toAbsolutePath());
        case "--help", "-h" -> {
          System.out.println("bench/freshness.sh [--rate CHANGES_PER_S] [--duration 90] [--warmup 30] [--tick-ms 100] "
              + "[--seed-rows 100000] [--heap 1g] [--commit-interval 1s] [--dir DIR]\n"
              + "Without --rate: half the rate of the newest throughput result in bench/results.");
          return;
        }
        default -> throw new IllegalArgumentException("Invalid argument " + args[i] + " (--help lists the options)");
      }
    }
    String rateSource;
    double rate;
    if (rateArg.isPresent()) {
      rate = rateArg.get();
      rateSource = "--rate";
    } else {
      Optional<Path> latest = latestThroughput();
      if (latest.isEmpty()) {
        throw new IllegalArgumentException("Cannot choose a rate: no throughput result in "
            + System.getProperty("bench.results", "bench/results") + " (run bench/throughput.sh first, or give --rate)");
      }
      JsonNode figures = new ObjectMapper().readTree(latest.get().toFile()).path("figures");
      rate = figures.path("tributary_changes_per_second").asDouble() / 2;
      rateSource = "half of " + latest.get().getFileName();
    }
    int perTick = (int) Math.max(10, Math.round(rate * tickMillis / 1000.0));
    Path work = dir.orElse(Files.createTempDirectory("tributary-freshness"));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("bench", "freshness");
    result.put("machine", Bench.machine());

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
      String postgres = Bench.postgresVersion(server);
      server.createDatabase(Bench.DATABASE);
      System.out.printf(Locale.ROOT, "PostgreSQL %s; target %,.0f changes/s (%s): a transaction of %,d changes + 1 probe "
              + "row every %d ms for %d s (first %d s not counted); commit-interval %s%n",
          postgres, rate, rateSource, perTick, tickMillis, durationSeconds, warmupSeconds, commitInterval);
      result.put("postgres", postgres);
      result.put("target_changes_per_second", rate);
      result.put("rate_from", rateSource);
      result.put("commit_interval", commitInterval);
      result.put("duration_seconds", durationSeconds);
      result.put("warmup_seconds", warmupSeconds);
      try (Connection connection = server.connection(Bench.DATABASE); Statement statement = connection.createStatement()) {
        Workload.createTable(connection);
        statement.execute("CREATE TABLE public.probe (seq bigint PRIMARY KEY, committed_at timestamptz NOT NULL)");
      }
      Workload workload = new Workload(server.connection(Bench.DATABASE));
      workload.seed(seed);

      Path warehouse = work.resolve("lake");
      Path config = Bench.writeConfig(work, server, warehouse, List.of("public." + Workload.TABLE, "public.probe"),
          commitInterval, "initial");
      int probes = (int) (durationSeconds * 1000 / tickMillis);
      long[] committedAt = new long[probes + 1];
      // nanoTime of each probe's commit, and the offset that turns nanoTime into wall-clock nanoseconds
      long wallOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
      long[] visibleAt = new long[probes + 1];
      TributaryProcess.Memory memory;
      List<Long> pollNanos = new ArrayList<>();
      long writeStart;
      long writeEnd;
      try (TributaryProcess tributary = TributaryProcess.start(config, work.resolve("tributary"), heap, Optional.empty());
          LakeWatch watch = new LakeWatch(warehouse)) {
        long waitStart = System.nanoTime();
        while (!(watch.streaming() && watch.bronzeRows(Workload.TABLE) >= seed)) {
          tributary.checkAlive();
          if (System.nanoTime() - waitStart > 600_000_000_000L) {
            throw new IllegalStateException("Tributary did not finish the snapshot in 10 minutes; log:\n" + tributary.tail(30));
          }
          Bench.sleep(200);
        }
        System.out.printf(Locale.ROOT, "Tributary (pid %d) streams after %.1f s; starting the steady workload%n",
            tributary.pid(), Bench.seconds(System.nanoTime() - waitStart));

        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        long[] times = new long[2];
        long tickNanos = tickMillis * 1_000_000L;
        Thread writer = new Thread(() -> {
          try (PreparedStatement insert = workload.connection().prepareStatement("INSERT INTO public.probe VALUES (?, clock_timestamp())")) {
            long start = System.nanoTime();
            times[0] = start;
            for (int seq = 1; seq <= probes; seq++) {
              long due = start + (seq - 1) * tickNanos;
              long wait = due - System.nanoTime();
              if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
              }
              workload.addChanges(perTick);
              insert.setLong(1, seq);
              insert.executeUpdate();
              workload.commit();
              committedAt[seq] = System.nanoTime();
            }
            times[1] = System.nanoTime();
          } catch (Throwable e) {
            writerFailure.set(e);
          }
        }, "bench-workload");

        try (Lake lake = Lake.open(warehouse); LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
          writer.start();
          int seen = 0;
          while (seen < probes) {
            if (writerFailure.get() != null) {
              throw new IllegalStateException("Workload failed: " + writerFailure.get().getMessage(), writerFailure.get());
            }
            tributary.checkAlive();
            long pollStart = System.nanoTime();
            long max = 0;
            try {
              engine.refresh();
              QueryResult answer = engine.query("SELECT max(seq) FROM silver.probe");
              Object value = answer.rows().get(0).get(0);
              max = value == null ? 0 : ((Number) value).longValue();
            } catch (RuntimeException e) {
              // silver.probe does not exist before the first probe is committed
            }
            long now = System.nanoTime();
            pollNanos.add(now - pollStart);
            for (int seq = seen + 1; seq <= Math.min(max, probes); seq++) {
              visibleAt[seq] = now;
            }
            seen = (int) Math.max(seen, Math.min(max, probes));
            if (now - pollStart < 20_000_000L) {
              Bench.sleep(20);
            }
          }
          writer.join();
        }
        writeStart = times[0];
        writeEnd = times[1];
        memory = tributary.stop();
      }
      workload.close();
      long[] inSilverAt = silverCommits(warehouse, probes);

      int skip = (int) (warmupSeconds * 1000 / tickMillis);
      double[] latencies = new double[probes - skip];
      double[] committed = new double[probes - skip];
      for (int seq = skip + 1; seq <= probes; seq++) {
        latencies[seq - skip - 1] = (visibleAt[seq] - committedAt[seq]) / 1e6;
        committed[seq - skip - 1] = inSilverAt[seq] - (committedAt[seq] + wallOffset) / 1e6;
      }
      Arrays.sort(latencies);
      Arrays.sort(committed);
      double achieved = (double) probes * perTick / Bench.seconds(writeEnd - writeStart);
      double pollMean = pollNanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
      double p50 = percentile(latencies, 50);
      double p95 = percentile(latencies, 95);
      double p99 = percentile(latencies, 99);
      double max = latencies[latencies.length - 1];
      System.out.println();
      System.out.printf(Locale.ROOT, "Steady workload: %,.0f changes/s achieved (target %,.0f), %,d probe rows counted%n",
          achieved, rate, latencies.length);
      double c50 = percentile(committed, 50);
      double c95 = percentile(committed, 95);
      double c99 = percentile(committed, 99);
      double cmax = committed[committed.length - 1];
      System.out.printf(Locale.ROOT, "Commit in PostgreSQL -> committed to silver, visible to a DuckDB query from then "
          + "(ms): p50 %,.0f  p95 %,.0f  p99 %,.0f  max %,.0f (goal p99 <= 2,000)%n", c50, c95, c99, cmax);
      System.out.printf(Locale.ROOT, "Commit in PostgreSQL -> first returned by the reader's loop (ms):            "
          + "p50 %,.0f  p95 %,.0f  p99 %,.0f  max %,.0f%n", p50, p95, p99, max);
      System.out.printf(Locale.ROOT, "Reader loop (refresh + query): %.0f ms on average, %d polls%n", pollMean, pollNanos.size());
      Bench.printMemory(memory, heap);
      System.out.printf(Locale.ROOT, "Load average (1 min) at start %.1f, at end %.1f on %d cores%n",
          (Double) ((Map<?, ?>) result.get("machine")).get("load_average_at_start"), Bench.loadAverage(),
          Runtime.getRuntime().availableProcessors());

      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("achieved_changes_per_second", achieved);
      figures.put("probes", latencies.length);
      figures.put("p50_ms", c50);
      figures.put("p95_ms", c95);
      figures.put("p99_ms", c99);
      figures.put("max_ms", cmax);
      figures.put("reader_p50_ms", p50);
      figures.put("reader_p95_ms", p95);
      figures.put("reader_p99_ms", p99);
      figures.put("reader_max_ms", max);
      figures.put("reader_loop_mean_ms", pollMean);
      figures.put("goal_p99_ms", 2000);
      result.put("figures", figures);
      result.put("memory", Bench.memoryJson(memory, heap));
      result.put("load_average_at_end", Bench.loadAverage());
      Path file = Bench.writeResult("freshness", result);
      System.out.println("Result: " + file);
    }
  }

  /**
   * For each probe {@code seq}, the wall-clock time (ms) of the commit of the first {@code silver.probe} snapshot that
   * holds it: the largest {@code seq} each snapshot adds, from its data files' upper bounds (probes are committed in
   * order, so a snapshot holds every probe up to it). The time is the snapshot's own, set as the commit is made: a few
   * milliseconds before the catalog points to it.
   */
  private static long[] silverCommits(Path warehouse, int probes) {
    long[] at = new long[probes + 1];
    try (Lake lake = Lake.open(warehouse)) {
      Table table = lake.catalog().loadTable(TableIdentifier.of(Lake.SILVER, "probe"));
      Types.NestedField seq = table.schema().findField("seq");
      List<Snapshot> snapshots = new ArrayList<>();
      table.snapshots().forEach(snapshots::add);
      snapshots.sort(Comparator.comparingLong(Snapshot::sequenceNumber));
      long held = 0;
      for (Snapshot snapshot : snapshots) {
        if (DataOperations.REPLACE.equals(snapshot.operation())) {
          continue; // compaction: rewrites rows, adds none
        }
        long max = held;
        // The manifests this snapshot wrote, read with the table's specs (Iceberg warns for every manifest read
        // without them). A merged manifest also lists files of earlier snapshots: their probes are held already.
        for (ManifestFile manifest : snapshot.dataManifests(table.io())) {
          if (manifest.snapshotId() == null || manifest.snapshotId() != snapshot.snapshotId()) {
            continue;
          }
          try (ManifestReader<DataFile> files = ManifestFiles.read(manifest, table.io(), table.specs())) {
            for (DataFile file : files) {
              java.nio.ByteBuffer bound = file.upperBounds() == null ? null : file.upperBounds().get(seq.fieldId());
              if (bound != null) {
                max = Math.max(max, ((Number) Conversions.fromByteBuffer(seq.type(), bound)).longValue());
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException("Cannot read manifest " + manifest.path(), e);
          }
        }
        for (long s = held + 1; s <= Math.min(max, probes); s++) {
          at[(int) s] = snapshot.timestampMillis();
        }
        held = Math.max(held, max);
      }
      if (held < probes) {
        throw new IllegalStateException("Cannot time the probes: silver.probe's snapshots hold probes up to " + held
            + " of " + probes + " (were snapshots expired during the run?)");
      }
    }
    return at;
  }

  private static double percentile(double[] sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static Optional<Path> latestThroughput() throws IOException {
    Path directory = Path.of(System.getProperty("bench.results", "bench/results"));
    if (!Files.isDirectory(directory)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.getFileName().toString().matches("throughput-\\d{8}-\\d{6}\\.json"))
          .max(Comparator.comparing(file -> file.getFileName().toString()));
    }
  }
}
