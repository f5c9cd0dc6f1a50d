package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** Prints the newest result of each bench in bench/results as one Markdown table against the goals. */
public final class Summary {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Summary() {}

  public static void main(String[] args) throws IOException {
    Path directory = Path.of(System.getProperty("bench.results", "bench/results"));
    System.out.println();
    System.out.println("| measurement | Tributary | baseline (same run) | result | goal | met | peak heap used / after GC | peak RSS |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    latest(directory, "throughput").ifPresent(r -> {
      JsonNode f = r.path("figures");
      JsonNode m = r.path("memory_catch_up");
      row("throughput, streaming (" + r.path("changes").asLong() / 1000 + "k changes)",
          String.format(Locale.ROOT, "%,.0f changes/s", f.path("tributary_changes_per_second").asDouble()),
          String.format(Locale.ROOT, "pg_recvlogical %,.0f changes/s", f.path("pg_recvlogical_changes_per_second").asDouble()),
          String.format(Locale.ROOT, "%.2f", f.path("ratio_streaming").asDouble()), ">= 0.5",
          f.path("ratio_streaming").asDouble() >= 0.5, r.path("memory_streaming"));
      row("throughput, catch-up after restart",
          String.format(Locale.ROOT, "%,.0f changes/s", f.path("tributary_catch_up_changes_per_second").asDouble()),
          String.format(Locale.ROOT, "pg_recvlogical %,.0f changes/s", f.path("pg_recvlogical_changes_per_second").asDouble()),
          String.format(Locale.ROOT, "%.2f", f.path("ratio_catch_up").asDouble()), ">= 0.5",
          f.path("ratio_catch_up").asDouble() >= 0.5, m);
    });
    latest(directory, "freshness").ifPresent(r -> {
      JsonNode f = r.path("figures");
      row(String.format(Locale.ROOT, "freshness at %,.0f changes/s", f.path("achieved_changes_per_second").asDouble()),
          String.format(Locale.ROOT, "p50 %,.0f / p95 %,.0f / p99 %,.0f ms", f.path("p50_ms").asDouble(),
              f.path("p95_ms").asDouble(), f.path("p99_ms").asDouble()),
          "commit interval " + r.path("commit_interval").asText(),
          String.format(Locale.ROOT, "p99 %,.0f ms", f.path("p99_ms").asDouble()), "p99 <= 2,000 ms",
          f.path("p99_ms").asDouble() <= 2000, r.path("memory"));
    });
    latest(directory, "snapshot").ifPresent(r -> {
      JsonNode f = r.path("figures");
      row(String.format(Locale.ROOT, "snapshot (%,d rows)", r.path("rows").asLong()),
          String.format(Locale.ROOT, "%,.0f rows/s", f.path("tributary_rows_per_second").asDouble()),
          String.format(Locale.ROOT, "binary COPY %,.0f rows/s", f.path("copy_binary_rows_per_second").asDouble()),
          String.format(Locale.ROOT, "%.3f", f.path("ratio").asDouble()), ">= 0.5", f.path("ratio").asDouble() >= 0.5,
          r.path("memory"));
    });
    latest(directory, "query-speed").ifPresent(r -> {
      JsonNode f = r.path("figures");
      for (String state : new String[] {"streamed", "after_compaction"}) {
        JsonNode s = f.path(state);
        boolean compacted = state.equals("after_compaction");
        row(String.format(Locale.ROOT, "GROUP BY over %,d rows, %s", r.path("rows").asLong(),
                compacted ? "after compaction" : "with equality deletes"),
            String.format(Locale.ROOT, "%.0f ms", s.path("lake_median_ms").asDouble()),
            String.format(Locale.ROOT, "plain Parquet %.0f ms", s.path("plain_median_ms").asDouble()),
            String.format(Locale.ROOT, "%.2fx", s.path("ratio").asDouble()), compacted ? "<= 1.5x" : "-",
            compacted ? s.path("ratio").asDouble() <= 1.5 : null, r.path("memory"));
      }
    });
  }

  private static void row(String what, String tributary, String baseline, String result, String goal, Boolean met,
      JsonNode memory) {
    String heap = memory.has("peak_heap_after_gc_mb")
        ? memory.path("peak_heap_used_mb").asLong() + " / " + memory.path("peak_heap_after_gc_mb").asLong() + " MB"
        : memory.path("peak_heap_used_mb").asLong() + " MB (bench JVM)";
    System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %,d MB |%n", what, tributary, baseline, result,
        goal, met == null ? "-" : met ? "yes" : "no", heap, memory.path("peak_rss_mb").asLong());
  }

  private static Optional<JsonNode> latest(Path directory, String name) {
    if (!Files.isDirectory(directory)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(directory)) {
      Optional<Path> file = files.filter(p -> p.getFileName().toString().matches(name + "-\\d{8}-\\d{6}\\.json"))
          .max(Comparator.comparing(p -> p.getFileName().toString()));
      return file.isEmpty() ? Optional.empty() : Optional.of(JSON.readTree(file.get().toFile()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot read results in " + directory, e);
    }
  }
}
