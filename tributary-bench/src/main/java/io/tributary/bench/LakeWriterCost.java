package io.tributary.bench;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.core.config.HistoryConfig;
import io.tributary.core.config.ShapeConfig;
import io.tributary.core.config.TableConfig;
import io.tributary.core.shape.Shaping;
import io.tributary.core.shape.SqlExpressions;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What {@link IcebergLakeWriter#commit} costs, without any source: the rows of {@code public.items} (the
 * {@link Workload}'s table, about 200 bytes a row) are loaded in one batch, then committed as large batches of CDC
 * changes (60% updates, 30% inserts, 10% deletes, as the workload makes them) and as small batches of 49 changes
 * (the fixed cost of one commit). Raw, bronze, silver, history (unless {@code --no-history}) and the checkpoint, as
 * {@code tributary run} writes them.
 *
 * <p>Run by {@code bench/lake-writer.sh}; see {@code bench/README.md}.
 */
public final class LakeWriterCost {
  private static final String SOURCE = "bench";
  private static final String[] STATUSES = {"new", "paid", "shipped", "delivered", "cancelled"};
  private static final TableSchema ITEMS = new TableSchema(new TableId(SOURCE, "public", Workload.TABLE), List.of(
      new Column("id", DataType.of(DataType.Kind.INT64), false),
      new Column("client_id", DataType.of(DataType.Kind.INT32), false),
      new Column("amount", DataType.decimal(12, 2), false),
      new Column("status", DataType.of(DataType.Kind.STRING), false),
      new Column("note", DataType.of(DataType.Kind.STRING), false),
      new Column("updated_at", DataType.of(DataType.Kind.TIMESTAMPTZ), false)), List.of("id"));

  private LakeWriterCost() {}

  public static void main(String[] args) throws Exception {
    int keys = 50_000;
    int batches = 10;
    int batchChanges = 10_000;
    int small = 20;
    int smallChanges = 49;
    boolean history = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(Bench.arg(args, ++i, "--keys").replace("_", ""));
        case "--batches" -> batches = Integer.parseInt(Bench.arg(args, ++i, "--batches"));
        case "--batch-changes" -> batchChanges = Integer.parseInt(Bench.arg(args, ++i, "--batch-changes").replace("_", ""));
        case "--small" -> small = Integer.parseInt(Bench.arg(args, ++i, "--small"));
        case "--small-changes" -> smallChanges = Integer.parseInt(Bench.arg(args, ++i, "--small-changes"));
        case "--no-history" -> history = false;
        case "--help", "-h" -> {
          System.out.println("bench/lake-writer.sh [--keys 50000] [--batches 10] [--batch-changes 10000] "
              + "[--small 20] [--small-changes 49] [--no-history]");
          return;
        }
        default -> throw new IllegalArgumentException("Invalid argument " + args[i] + " (--help lists the options)");
      }
    }
    Stream stream = new Stream(keys);
    List<ChangeEvent> load = stream.load();
    List<List<ChangeEvent>> large = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      large.add(stream.changes(batchChanges));
    }
    List<List<ChangeEvent>> smallBatches = new ArrayList<>();
    for (int b = 0; b < small; b++) {
      smallBatches.add(stream.changes(smallChanges));
    }
    boolean withHistory = history;
    Function<String, TableConfig> tables = name -> withHistory
        ? TableConfig.defaults(name)
        : new TableConfig(name, List.of(), Optional.empty(), Optional.empty(),
            new HistoryConfig(false, Optional.empty(), List.of()), ShapeConfig.NONE);
    System.out.printf(Locale.ROOT, "lake writer: %,d rows loaded in one batch, then %d batches of %,d changes, then %d "
        + "batches of %d; layers raw, bronze, silver%s; java %s, %d cores, load average %.1f%n", keys, batches,
        batchChanges, small, smallChanges, history ? ", history" : "", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), Bench.loadAverage());
    Path directory = Files.createTempDirectory("tributary-lake-writer-bench");
    Map<String, Object> figures = new LinkedHashMap<>();
    try (Lake lake = Lake.open(directory);
        IcebergLakeWriter writer = new IcebergLakeWriter(lake, new Shaping(tables, SqlExpressions.NONE))) {
      long started = System.nanoTime();
      commit(writer, load);
      double loadSeconds = Bench.seconds(System.nanoTime() - started);
      System.out.printf(Locale.ROOT, "%-40s %9.2f s %12.1f us per change%n", "load of " + keys + " rows", loadSeconds,
          loadSeconds * 1e6 / keys);
      figures.put("load_us_per_change", loadSeconds * 1e6 / keys);
      List<Double> largeSeconds = new ArrayList<>();
      long cpuStart = cpu();
      for (List<ChangeEvent> batch : large) {
        long start = System.nanoTime();
        commit(writer, batch);
        largeSeconds.add(Bench.seconds(System.nanoTime() - start));
      }
      double cpuLarge = Bench.seconds(cpu() - cpuStart);
      double total = largeSeconds.stream().mapToDouble(Double::doubleValue).sum();
      System.out.printf(Locale.ROOT, "%-40s %9.2f s %12.1f us per change (first %.2f s, last %.2f s); CPU %.1f us "
          + "per change%n", batches + " batches of " + batchChanges, total,
          total * 1e6 / ((long) batches * batchChanges), largeSeconds.get(0), largeSeconds.get(largeSeconds.size() - 1),
          cpuLarge * 1e6 / ((long) batches * batchChanges));
      figures.put("large_cpu_us_per_change", cpuLarge * 1e6 / ((long) batches * batchChanges));
      figures.put("large_us_per_change", total * 1e6 / ((long) batches * batchChanges));
      figures.put("large_changes_per_second", (long) batches * batchChanges / total);
      List<Double> smallMillis = new ArrayList<>();
      long cpuSmall = cpu();
      for (List<ChangeEvent> batch : smallBatches) {
        long start = System.nanoTime();
        commit(writer, batch);
        smallMillis.add((System.nanoTime() - start) / 1e6);
      }
      List<Double> sorted = smallMillis.stream().sorted().toList();
      double median = sorted.get(sorted.size() / 2);
      double cpuPerSmall = (cpu() - cpuSmall) / 1e6 / small;
      System.out.printf(Locale.ROOT, "%-40s %9.1f ms median, min %.1f, max %.1f; CPU %.1f ms per commit%n",
          "commit of " + smallChanges + " changes", median, sorted.get(0), sorted.get(sorted.size() - 1), cpuPerSmall);
      figures.put("small_commit_cpu_ms", cpuPerSmall);
      figures.put("small_commit_median_ms", median);
    } finally {
      delete(directory);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("bench", "lake-writer");
    result.put("machine", Bench.machine());
    result.put("figures", figures);
    result.put("load_average_at_end", Bench.loadAverage());
    System.out.printf(Locale.ROOT, "Load average (1 min) at end %.1f%n", Bench.loadAverage());
    System.out.println("Result: " + Bench.writeResult("lake-writer", result));
  }

  /** CPU time of this process (every thread), in nanoseconds: less sensitive than wall time to a loaded machine. */
  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void commit(IcebergLakeWriter writer, List<ChangeEvent> batch) {
    writer.commit(SOURCE, batch, batch.get(batch.size() - 1).position());
  }

  /** The workload's changes as the source delivers them: keys in a window, inserts at its top, deletes at its bottom. */
  private static final class Stream {
    private final String note = "0123456789abcdef".repeat(10);
    private long low;
    private long high;
    private long cursor;
    private long position;
    private long transaction = 1_000;
    private Instant time = Instant.parse("2026-12-01T00:00:00Z");

    Stream(long keys) {
      this.high = keys;
    }

    List<ChangeEvent> load() {
      List<ChangeEvent> load = new ArrayList<>();
      for (long id = 0; id < high; id++) {
        load.add(event(Operation.READ, Optional.empty(), Optional.of(row(id, 0)), 0));
      }
      return load;
    }

    List<ChangeEvent> changes(int size) {
      List<ChangeEvent> batch = new ArrayList<>(size);
      while (batch.size() < size) {
        int n = Math.min(1_000, size - batch.size());
        transaction++;
        time = time.plusMillis(5);
        int inserts = (int) Math.round(n * 0.3);
        int deletes = (int) Math.round(n * 0.1);
        int updates = n - inserts - deletes;
        for (int i = 0; i < inserts; i++) {
          batch.add(event(Operation.CREATE, Optional.empty(), Optional.of(row(high++, 0)), transaction));
        }
        for (int i = 0; i < deletes; i++) {
          Map<String, Object> key = new LinkedHashMap<>();
          key.put("id", low++);
          batch.add(event(Operation.DELETE, Optional.of(key), Optional.empty(), transaction));
        }
        for (int i = 0; i < updates; i++) {
          if (cursor < low || cursor >= high) {
            cursor = low;
          }
          batch.add(event(Operation.UPDATE, Optional.empty(), Optional.of(row(cursor++, transaction)), transaction));
        }
      }
      return batch;
    }

    private Map<String, Object> row(long id, long version) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", id);
      row.put("client_id", (int) (id % 5000));
      row.put("amount", BigDecimal.valueOf(id % 100_000 + version, 2));
      row.put("status", STATUSES[(int) ((id + version) % STATUSES.length)]);
      row.put("note", note);
      row.put("updated_at", OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
      return row;
    }

    private ChangeEvent event(Operation operation, Optional<Map<String, Object>> before,
        Optional<Map<String, Object>> after, long txid) {
      position++;
      String sortKey = operation == Operation.READ
          ? String.format(Locale.ROOT, "0:%016d", position)
          : String.format(Locale.ROOT, "1:%016x%016x%02x", txid, position, 0);
      return new ChangeEvent(ITEMS, operation, before, after,
          new Position(sortKey, sortKey, operation == Operation.READ), time, txid);
    }
  }

  private static void delete(Path directory) {
    try (var files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
