package io.tributary.bench;

import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * How much slower is a GROUP BY over a streamed silver table (data files plus equality deletes, read through
 * {@link LakeSqlEngine}'s views) than the same GROUP BY over the same rows in one plain Parquet file, and how
 * much of that does a compaction win back. One JVM, one DuckDB instance for both queries.
 *
 * <p>Run by {@code bench/query-speed.sh}; see {@code bench/README.md}.
 */
public final class QuerySpeed {
  private static final String QUERY =
      "SELECT status, city, count(*) AS n, sum(amount) AS total FROM %s GROUP BY ALL ORDER BY ALL";
  private static final String LAKE_TABLE = "silver.t";

  private QuerySpeed() {}

  /** What to build and how to measure, from the command line. */
  record Options(SyntheticSilverTable.Settings table, int runs, Optional<Path> directory, boolean keep,
      boolean icebergCheck, Optional<Integer> threads, Optional<String> memoryLimit) {
    static Options parse(String[] args) {
      long rows = 10_000_000L;
      Optional<Integer> files = Optional.empty();
      int commits = 10;
      int percent = 1;
      int runs = 5;
      Optional<Path> directory = Optional.empty();
      boolean keep = false;
      boolean icebergCheck = true;
      Optional<Integer> threads = Optional.empty();
      Optional<String> memoryLimit = Optional.empty();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--rows" -> rows = parseLong(arg, value(args, ++i, arg));
          case "--files" -> files = Optional.of((int) parseLong(arg, value(args, ++i, arg)));
          case "--commits" -> commits = (int) parseLong(arg, value(args, ++i, arg));
          case "--percent" -> percent = (int) parseLong(arg, value(args, ++i, arg));
          case "--runs" -> runs = (int) parseLong(arg, value(args, ++i, arg));
          case "--dir" -> directory = Optional.of(Path.of(value(args, ++i, arg)));
          case "--keep" -> keep = true;
          case "--skip-iceberg-check" -> icebergCheck = false;
          case "--threads" -> threads = Optional.of((int) parseLong(arg, value(args, ++i, arg)));
          case "--memory-limit" -> memoryLimit = Optional.of(value(args, ++i, arg));
          case "--help", "-h" -> {
            System.out.println(usage());
            System.exit(0);
          }
          default -> throw new IllegalArgumentException("Invalid argument " + arg + "\n" + usage());
        }
      }
      if (threads.isPresent() && threads.get() < 1) {
        throw new IllegalArgumentException("Invalid --threads " + threads.get() + ": must be at least 1");
      }
      if (runs < 1) {
        throw new IllegalArgumentException("Invalid --runs " + runs + ": must be at least 1");
      }
      // About 1.25M rows per file, as a writer with a 128 MB target would leave them.
      int baseFiles = files.orElse((int) Math.max(1, Math.min(rows, (rows + 1_249_999) / 1_250_000)));
      return new Options(new SyntheticSilverTable.Settings(rows, baseFiles, commits, percent), runs, directory,
          keep, icebergCheck, threads, memoryLimit);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException("Invalid argument " + option + ": it needs a value\n" + usage());
      }
      return args[index];
    }

    private static long parseLong(String option, String text) {
      try {
        return Long.parseLong(text.replace("_", "").replace(",", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Invalid " + option + " " + text + ": not a whole number", e);
      }
    }

    static String usage() {
      return """
          Usage: bench/query-speed.sh [--rows N] [--files N] [--commits N] [--percent P] [--runs N]
                                      [--dir DIR] [--keep] [--skip-iceberg-check]
                                      [--threads N] [--memory-limit SIZE]
            --rows N              rows in the table (default 10000000)
            --files N             data files of the first load (default: one per 1.25M rows)
            --commits N           upsert commits, each a data file and an equality-delete file (default 10)
            --percent P           share of the keys each upsert commit rewrites (default 1)
            --runs N              measured runs per query, after one warm-up run (default 5)
            --dir DIR             where to build the lake and the plain file (default: a temporary directory)
            --keep                keep the files afterwards
            --skip-iceberg-check  do not check the answer against Iceberg's own merged read
            --threads N           DuckDB threads (default: DuckDB's, one per core)
            --memory-limit SIZE   DuckDB memory limit, e.g. 4GB (default: DuckDB's, 80% of RAM)""";
    }
  }

  /** Times of the measured runs of one query, in milliseconds. */
  record Timing(List<Double> millis) {
    Timing {
      millis = List.copyOf(millis);
      if (millis.isEmpty()) {
        throw new IllegalArgumentException("Invalid timing: no runs");
      }
    }

    double median() {
      List<Double> sorted = millis.stream().sorted().toList();
      int middle = sorted.size() / 2;
      return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    double min() {
      return millis.stream().min(Comparator.naturalOrder()).orElseThrow();
    }
  }

  public static void main(String[] args) throws IOException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path root = options.directory().orElse(Files.createTempDirectory("tributary-bench-"));
    Path lakeDirectory = root.resolve("lake");
    Path plain = root.resolve("plain").resolve("one.parquet");
    if (Files.exists(lakeDirectory) || Files.exists(plain)) {
      System.err.println("Cannot run the benchmark in " + root + ": it already holds a lake or a plain file "
          + "(give an empty or new --dir)");
      System.exit(2);
    }
    Files.createDirectories(plain.getParent());
    try {
      run(options, lakeDirectory, plain);
    } finally {
      if (!options.keep()) {
        deleteRecursively(lakeDirectory);
        deleteRecursively(plain.getParent());
        if (options.directory().isEmpty()) {
          deleteRecursively(root);
        }
      }
    }
  }

  private static void run(Options options, Path lakeDirectory, Path plain) {
    SyntheticSilverTable.Settings settings = options.table();
    String lakeQuery = QUERY.formatted(LAKE_TABLE);
    String plainQuery = QUERY.formatted("read_parquet(" + SyntheticSilverTable.literal(plain.toString()) + ")");
    try (Lake lake = Lake.open(lakeDirectory);
        SyntheticSilverTable generator = new SyntheticSilverTable(lake, lakeDirectory.resolve("_bench"), settings);
        LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
      options.threads().ifPresent(count -> engine.query("SET threads = " + count));
      options.memoryLimit().ifPresent(limit -> engine.query("SET memory_limit = "
          + SyntheticSilverTable.literal(limit)));
      progress("Building %,d rows in %d files, then %d upsert commits of %d%% of the keys each",
          settings.rows(), settings.baseFiles(), settings.commits(), settings.touchedPercent());
      long start = System.nanoTime();
      Table table = generator.build();
      double buildMillis = millisSince(start);
      start = System.nanoTime();
      generator.writeExpected(plain);
      double plainWriteMillis = millisSince(start);
      progress("Lake built in %.1f s, plain file written in %.1f s", buildMillis / 1000, plainWriteMillis / 1000);

      start = System.nanoTime();
      engine.refresh();
      double viewMillis = millisSince(start);
      Snapshot before = table.currentSnapshot();
      progress("Timing the GROUP BY: lake view, then plain Parquet");
      Measured lake1 = measure(engine, lakeQuery, options.runs());
      Measured plain1 = measure(engine, plainQuery, options.runs());
      requireSame("the lake view with deletes", lake1.result(), plain1.result());
      long lakeRows = engine.query("SELECT count(*) FROM " + LAKE_TABLE).rows().get(0).get(0) instanceof Long n
          ? n : -1;
      if (lakeRows != settings.rows()) {
        throw new IllegalStateException("Benchmark answer wrong: " + LAKE_TABLE + " holds " + lakeRows
            + " rows but " + settings.rows() + " keys were loaded (upserts must keep one row per key)");
      }
      if (options.icebergCheck()) {
        progress("Checking the answer against Iceberg's own merged read (IcebergGenerics)");
        requireSame("Iceberg's merged read", icebergGroupBy(table), plain1.result());
      }

      progress("Compacting: rewriting the merged rows as new data files, dropping every delete file");
      start = System.nanoTime();
      int compactedFiles = generator.compact(table, engine.connection(), LAKE_TABLE);
      double compactMillis = millisSince(start);
      start = System.nanoTime();
      engine.refresh();
      double viewAfterMillis = millisSince(start);
      Snapshot after = table.currentSnapshot();
      Measured lake2 = measure(engine, lakeQuery, options.runs());
      Measured plain2 = measure(engine, plainQuery, options.runs());
      requireSame("the lake view after compaction", lake2.result(), plain2.result());

      String duckdbVersion = generator.scalar("SELECT version()");
      String memoryLimit = engine.query("SELECT current_setting('memory_limit')").rows().get(0).get(0).toString();
      String threads = engine.query("SELECT current_setting('threads')").rows().get(0).get(0).toString();
      System.out.println();
      System.out.printf(Locale.ROOT, "Machine: %d cores, Java %s (%s), %s %s, max heap %,d MB%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
          System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.arch"),
          Runtime.getRuntime().maxMemory() / (1024 * 1024));
      System.out.printf(Locale.ROOT, "DuckDB %s, threads %s, memory_limit %s%n", duckdbVersion, threads, memoryLimit);
      System.out.printf(Locale.ROOT, "Query: %s%n", lakeQuery);
      System.out.printf(Locale.ROOT, "Rows: %,d (%d groups); %d upsert commits x %d%% of the keys; "
              + "build %.1f s, plain file %.1f s, compaction %.1f s%n", lakeRows, lake1.result().rowCount(),
          settings.commits(), settings.touchedPercent(), buildMillis / 1000, plainWriteMillis / 1000,
          compactMillis / 1000);
      System.out.printf(Locale.ROOT, "Each query: 1 warm-up, then %d measured runs; ratio = lake median / plain "
          + "median%n%n", options.runs());
      String format = "%-18s %10s %12s %13s %15s %15s %16s %7s%n";
      System.out.printf(Locale.ROOT, format, "table state", "data files", "delete files", "view build ms",
          "lake median ms", "lake min ms", "plain median ms", "ratio");
      row(format, "streamed", before, viewMillis, lake1.timing(), plain1.timing());
      row(format, "after compaction", after, viewAfterMillis, lake2.timing(), plain2.timing());
      System.out.printf(Locale.ROOT, "%nplain min ms: %.1f streamed, %.1f after compaction; compacted into %d "
          + "files%n", plain1.timing().min(), plain2.timing().min(), compactedFiles);
      System.out.println("Results identical: lake view = plain Parquet" + (options.icebergCheck()
          ? " = Iceberg merged read" : "") + " (both table states)");
      // The process that queries is this one: DuckDB runs inside it, so its RSS counts DuckDB's memory too.
      long peakRssMb = SelfMemory.peakRssMb();
      long peakHeapMb = SelfMemory.peakHeapMb();
      System.out.printf(Locale.ROOT, "Query process: peak RSS %,d MB (DuckDB included), peak heap used %,d MB%n",
          peakRssMb, peakHeapMb);

      Map<String, Object> result = new java.util.LinkedHashMap<>();
      result.put("bench", "query-speed");
      result.put("machine", Bench.machine());
      result.put("duckdb", duckdbVersion);
      result.put("duckdb_threads", threads);
      result.put("duckdb_memory_limit", memoryLimit);
      result.put("rows", lakeRows);
      result.put("query", lakeQuery);
      Map<String, Object> figures = new java.util.LinkedHashMap<>();
      figures.put("streamed", state(before, viewMillis, lake1.timing(), plain1.timing()));
      figures.put("after_compaction", state(after, viewAfterMillis, lake2.timing(), plain2.timing()));
      figures.put("goal_ratio_after_compaction", 1.5);
      result.put("figures", figures);
      result.put("memory", Map.of("peak_rss_mb", peakRssMb, "peak_heap_used_mb", peakHeapMb,
          "max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024)));
      System.out.println("Result: " + Bench.writeResult("query-speed", result));
    }
  }

  private static Map<String, Object> state(Snapshot snapshot, double viewMillis, Timing lake, Timing plain) {
    Map<String, Object> state = new java.util.LinkedHashMap<>();
    state.put("data_files", snapshot.summary().getOrDefault("total-data-files", "?"));
    state.put("delete_files", snapshot.summary().getOrDefault("total-delete-files", "?"));
    state.put("view_build_ms", viewMillis);
    state.put("lake_median_ms", lake.median());
    state.put("lake_min_ms", lake.min());
    state.put("plain_median_ms", plain.median());
    state.put("ratio", lake.median() / plain.median());
    return state;
  }

  private static void row(String format, String state, Snapshot snapshot, double viewMillis, Timing lake,
      Timing plain) {
    Map<String, String> summary = snapshot.summary();
    System.out.printf(Locale.ROOT, format, state, summary.getOrDefault("total-data-files", "?"),
        summary.getOrDefault("total-delete-files", "?"), "%.1f".formatted(viewMillis),
        "%.1f".formatted(lake.median()), "%.1f".formatted(lake.min()), "%.1f".formatted(plain.median()),
        "%.2f".formatted(lake.median() / plain.median()));
  }

  private record Measured(Timing timing, QueryResult result) {}

  private static Measured measure(LakeSqlEngine engine, String sql, int runs) {
    QueryResult result = engine.query(sql);
    List<Double> millis = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      long start = System.nanoTime();
      QueryResult again = engine.query(sql);
      millis.add(millisSince(start));
      requireSame("run " + (run + 1) + " of " + sql, again, result);
    }
    return new Measured(new Timing(millis), result);
  }

  private static void requireSame(String what, QueryResult actual, QueryResult expected) {
    if (!actual.rows().equals(expected.rows())) {
      throw new IllegalStateException("Benchmark answer wrong: " + what + " gave " + actual.rowCount()
          + " groups " + preview(actual) + " but plain Parquet gave " + expected.rowCount() + " groups "
          + preview(expected) + " (the lake view does not apply the deletes as Iceberg does)");
    }
  }

  private static String preview(QueryResult result) {
    return result.rows().subList(0, Math.min(3, result.rowCount())) + (result.rowCount() > 3 ? "..." : "");
  }

  /** The same GROUP BY computed from Iceberg's own reader, which applies the delete files itself. */
  private static QueryResult icebergGroupBy(Table table) {
    Comparator<List<String>> byStatusThenCity =
        Comparator.<List<String>, String>comparing(key -> key.get(0)).thenComparing(key -> key.get(1));
    Map<List<String>, long[]> counts = new TreeMap<>(byStatusThenCity);
    Map<List<String>, BigDecimal> totals = new TreeMap<>(byStatusThenCity);
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).select("status", "city", "amount")
        .build()) {
      for (Record record : records) {
        List<String> key = List.of((String) record.getField("status"), (String) record.getField("city"));
        counts.computeIfAbsent(key, k -> new long[1])[0]++;
        totals.merge(key, (BigDecimal) record.getField("amount"), BigDecimal::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read table " + table.name() + " with Iceberg: " + e.getMessage(), e);
    }
    List<List<Object>> rows = new ArrayList<>();
    counts.forEach((key, count) -> rows.add(List.of(key.get(0), key.get(1), count[0], totals.get(key))));
    return new QueryResult(List.of("status", "city", "n", "total"),
        List.of("VARCHAR", "VARCHAR", "BIGINT", "DECIMAL(38,2)"), rows);
  }

  private static double millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000.0;
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      System.err.println("Could not delete the benchmark files in " + root + ": " + e.getMessage());
    }
  }
}
