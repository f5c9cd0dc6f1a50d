package io.tributary.bench;

import io.tributary.testkit.EmbeddedPostgresServer;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.sources.postgres.snapshot.ChunkedSnapshotReader;
import io.tributary.sources.postgres.snapshot.ExportedSnapshot;
import io.tributary.sources.postgres.snapshot.PgConnections;
import io.tributary.sources.postgres.snapshot.SnapshotSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Initial load: a table of {@code --rows} rows (about 200 bytes each) copied into bronze and silver by
 * {@code tributary run}'s snapshot, against {@code COPY ... TO STDOUT (FORMAT binary)} of the same table into
 * /dev/null (psql), run before and after Tributary.
 *
 * <p>Run by {@code bench/snapshot.sh}; see {@code bench/README.md}.
 */
public final class Snapshot {
  private static final String TABLE = "snap";

  private Snapshot() {}

  public static void main(String[] args) throws Exception {
    long rows = 5_000_000;
    String heap = "1g";
    Optional<Path> jfr = Optional.empty();
    Optional<Path> dir = Optional.empty();
    boolean readerOnly = false;
    int threads = 2;
    String reader = "chunked";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(Bench.arg(args, ++i, "--rows").replace("_", ""));
        case "--heap" -> heap = Bench.arg(args, ++i, "--heap");
        case "--jfr" -> jfr = Optional.of(Path.of(Bench.arg(args, ++i, "--jfr")).toAbsolutePath());
        case "--dir" -> dir = Optional.of(Path.of(Bench.arg(args, ++i, "--dir")).toAbsolutePath());
        case "--reader-only" -> readerOnly = true;
        case "--threads" -> threads = Integer.parseInt(Bench.arg(args, ++i, "--threads"));
        case "--snapshot-reader" -> reader = Bench.arg(args, ++i, "--snapshot-reader");
        case "--help", "-h" -> {
          System.out.println("bench/snapshot.sh [--rows 5000000] [--heap 1g] [--jfr FILE] [--dir DIR] [--threads 2]"
              + " [--reader-only] [--snapshot-reader chunked|debezium]");
          System.out.println("  --snapshot-reader R  who reads the snapshot in tributary run (snapshot-reader; default chunked),"
              + " with --threads connections");
          System.out.println("  --threads N     connections of the chunked snapshot reader (the reader alone, in this JVM)");
          System.out.println("  --reader-only   only the chunked reader into a counting consumer, against binary COPY");
          return;
        }
        default -> throw new IllegalArgumentException("Invalid argument " + args[i] + " (--help lists the options)");
      }
    }
    Path work = dir.orElse(Files.createTempDirectory("tributary-snapshot"));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("bench", "snapshot");
    result.put("machine", Bench.machine());
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
      String postgres = Bench.postgresVersion(server);
      server.createDatabase(Bench.DATABASE);
      result.put("postgres", postgres);
      result.put("rows", rows);
      long fill = System.nanoTime();
      try (Connection connection = server.connection(Bench.DATABASE); Statement statement = connection.createStatement()) {
        statement.execute(Workload.CREATE.replace("public.items", "public." + TABLE).replace(" PRIMARY KEY", ""));
        for (long from = 0; from < rows; from += 1_000_000) {
          long to = Math.min(rows, from + 1_000_000) - 1;
          statement.execute("INSERT INTO public." + TABLE + " SELECT g, (g % 5000)::int, (g % 100000) / 100.0, "
              + "(ARRAY['new','paid','shipped','delivered','cancelled'])[1 + g % 5], repeat(md5(g::text), 5), now() "
              + "FROM generate_series(" + from + "::bigint, " + to + "::bigint) g");
        }
        statement.execute("ALTER TABLE public." + TABLE + " ADD PRIMARY KEY (id)");
        statement.execute("VACUUM ANALYZE public." + TABLE);
        statement.execute("CHECKPOINT");
      }
      String size;
      try (Connection connection = server.connection(Bench.DATABASE); Statement statement = connection.createStatement();
          var rs = statement.executeQuery("SELECT pg_size_pretty(pg_table_size('public." + TABLE + "'))")) {
        rs.next();
        size = rs.getString(1);
      }
      System.out.printf(Locale.ROOT, "PostgreSQL %s; public.%s holds %,d rows (%s) after %.1f s of filling; work in %s%n",
          postgres, TABLE, rows, size, Bench.seconds(System.nanoTime() - fill), work);
      result.put("table_size", size);

      List<Double> copySeconds = new ArrayList<>();
      copySeconds.add(copy(server));
      double textSeconds = copy(server, "text");
      double readerSeconds = readerAlone(server, threads, rows);
      if (readerOnly) {
        copySeconds.add(copy(server));
        double copyRate = rows / copySeconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        System.out.println();
        System.out.printf(Locale.ROOT, "%-52s %10s %12s%n", "", "seconds", "rows/s");
        printReader(readerSeconds, rows, threads, copyRate);
        printText(textSeconds, rows);
        for (int i = 0; i < copySeconds.size(); i++) {
          System.out.printf(Locale.ROOT, "%-52s %10.1f %,12.0f%n", "COPY TO STDOUT (FORMAT binary) > /dev/null, "
              + (i == 0 ? "before" : "after"), copySeconds.get(i), rows / copySeconds.get(i));
        }
        System.out.printf(Locale.ROOT, "Load average (1 min) at start %.1f, at end %.1f on %d cores%n",
            (Double) ((Map<?, ?>) result.get("machine")).get("load_average_at_start"), Bench.loadAverage(),
            Runtime.getRuntime().availableProcessors());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("reader_threads", threads);
        figures.put("reader_seconds", readerSeconds);
        figures.put("reader_rows_per_second", rows / readerSeconds);
        figures.put("copy_binary_seconds", copySeconds);
        figures.put("copy_binary_rows_per_second", copyRate);
        figures.put("reader_ratio", rows / readerSeconds / copyRate);
        figures.put("copy_text_seconds", textSeconds);
        result.put("figures", figures);
        result.put("load_average_at_end", Bench.loadAverage());
        System.out.println("Result: " + Bench.writeResult("snapshot-reader", result));
        return;
      }

      Path warehouse = work.resolve("lake");
      Path config = Bench.writeConfig(work, server, warehouse, List.of("public." + TABLE), "2s", "initial");
      Files.writeString(config, Files.readString(config) + "    snapshot-reader: " + reader + "\n"
          + "    snapshot-threads: " + threads + "\n");
      result.put("snapshot_reader", reader);
      TributaryProcess.Memory memory;
      long totalNanos;
      long firstRowsNanos = -1;
      long start = System.nanoTime();
      try (TributaryProcess tributary = TributaryProcess.start(config, work.resolve("tributary"), heap, jfr);
          LakeWatch lake = new LakeWatch(warehouse)) {
        long lastReport = start;
        while (!lake.caughtUp(TABLE, rows)) {
          tributary.checkAlive();
          long now = System.nanoTime();
          if (firstRowsNanos < 0 && lake.bronzeRows(TABLE) > 0) {
            firstRowsNanos = now - start;
          }
          if (now - lastReport > 30_000_000_000L) {
            System.out.printf(Locale.ROOT, "  [%.0f s] bronze.%s holds %,d rows%n", Bench.seconds(now - start), TABLE,
                lake.bronzeRows(TABLE));
            lastReport = now;
          }
          if (now - start > 3_600_000_000_000L) {
            throw new IllegalStateException("Snapshot not done after an hour; log:\n" + tributary.tail(30));
          }
          Bench.sleep(200);
        }
        totalNanos = System.nanoTime() - start;
        result.put("silver_data_files", lake.dataFiles("silver", TABLE));
        memory = tributary.stop();
      }
      copySeconds.add(copy(server));

      double copyBest = copySeconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double tributaryRate = rows / Bench.seconds(totalNanos);
      double copyRate = rows / copyBest;
      System.out.println();
      System.out.printf(Locale.ROOT, "%-52s %10s %12s%n", "", "seconds", "rows/s");
      System.out.printf(Locale.ROOT, "%-52s %10.1f %,12.0f%n", "Tributary (" + reader + "): process start -> all rows in every layer",
          Bench.seconds(totalNanos), tributaryRate);
      System.out.printf(Locale.ROOT, "%-52s %10.1f %12s%n", "  of which until the first rows were committed",
          Bench.seconds(firstRowsNanos), "");
      for (int i = 0; i < copySeconds.size(); i++) {
        System.out.printf(Locale.ROOT, "%-52s %10.1f %,12.0f%n", "COPY TO STDOUT (FORMAT binary) > /dev/null, "
            + (i == 0 ? "before" : "after"), copySeconds.get(i), rows / copySeconds.get(i));
      }
      printReader(readerSeconds, rows, threads, copyRate);
      printText(textSeconds, rows);
      System.out.printf(Locale.ROOT, "Ratio Tributary / binary COPY (best): %.3f (goal >= 0.5)%n", tributaryRate / copyRate);
      Bench.printMemory(memory, heap);
      System.out.printf(Locale.ROOT, "Load average (1 min) at start %.1f, at end %.1f on %d cores%n",
          (Double) ((Map<?, ?>) result.get("machine")).get("load_average_at_start"), Bench.loadAverage(),
          Runtime.getRuntime().availableProcessors());

      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("tributary_seconds", Bench.seconds(totalNanos));
      figures.put("tributary_first_commit_seconds", Bench.seconds(firstRowsNanos));
      figures.put("tributary_rows_per_second", tributaryRate);
      figures.put("copy_binary_seconds", copySeconds);
      figures.put("copy_binary_rows_per_second", copyRate);
      figures.put("ratio", tributaryRate / copyRate);
      figures.put("reader_threads", threads);
      figures.put("reader_seconds", readerSeconds);
      figures.put("reader_rows_per_second", rows / readerSeconds);
      figures.put("reader_ratio", rows / readerSeconds / copyRate);
      figures.put("goal_ratio", 0.5);
      result.put("figures", figures);
      result.put("memory", Bench.memoryJson(memory, heap));
      result.put("load_average_at_end", Bench.loadAverage());
      jfr.ifPresent(file -> result.put("flight_recording", file.toString()));
      Path file = Bench.writeResult("snapshot", result);
      System.out.println("Result: " + file);
    }
  }

  private static void printReader(double seconds, long rows, int threads, double copyRate) {
    System.out.printf(Locale.ROOT, "%-52s %10.1f %,12.0f%n", "Chunked reader alone (" + threads
        + " connections, COPY text parsed) -> counting", seconds, rows / seconds);
    System.out.printf(Locale.ROOT, "Ratio chunked reader alone / binary COPY (best): %.3f%n", rows / seconds / copyRate);
  }

  /**
   * The chunked snapshot reader in this JVM at a fresh exported snapshot, every row parsed into text values and
   * counted: what the reader takes on its own, without decoding or the lake.
   */
  private static double readerAlone(EmbeddedPostgresServer server, int threads, long rows) throws Exception {
    PgConnections connections = new PgConnections(new PostgresSourceSettings(Bench.SOURCE, server.host(), server.port(),
        Bench.DATABASE, EmbeddedPostgresServer.USER, Optional.of("postgres"), List.of("public." + TABLE), "",
        "bench_reader", "bench_reader_pub", Duration.ofSeconds(10), SnapshotMode.INITIAL, Path.of("unused")),
        "bench-reader");
    long[] count = {0};
    long[] bytes = {0};
    long start = System.nanoTime();
    try (ExportedSnapshot snapshot = ExportedSnapshot.create(connections.openReplication(), "bench_reader", true)) {
      new ChunkedSnapshotReader(Bench.SOURCE, connections, new SnapshotSettings(threads,
          SnapshotSettings.DEFAULT_CHUNK_ROWS, SnapshotSettings.DEFAULT_BUFFER_BYTES))
          .read(snapshot.snapshotName(), List.of("public." + TABLE), (catalog, table) -> values -> values[4].length(),
              (table, row, value) -> {
                count[0]++;
                bytes[0] += value;
              }, snapshot::close);
    }
    long nanos = System.nanoTime() - start;
    if (count[0] != rows) {
      throw new IllegalStateException("Chunked reader read " + count[0] + " rows, expected " + rows);
    }
    return Bench.seconds(nanos);
  }

  private static void printText(double seconds, long rows) {
    System.out.printf(Locale.ROOT, "%-52s %10.1f %,12.0f%n", "COPY TO STDOUT (text) > /dev/null (psql, one connection)",
        seconds, rows / seconds);
  }

  private static double copy(EmbeddedPostgresServer server) {
    return copy(server, "binary");
  }

  private static double copy(EmbeddedPostgresServer server, String format) {
    return Bench.seconds(Bench.runTool(List.of("psql", "-X", "-q", "-h", server.host(), "-p", Integer.toString(server.port()),
        "-U", EmbeddedPostgresServer.USER, "-d", Bench.DATABASE, "-o", "/dev/null",
        "-c", "COPY public." + TABLE + " TO STDOUT (FORMAT " + format + ")"), 1800));
  }
}
