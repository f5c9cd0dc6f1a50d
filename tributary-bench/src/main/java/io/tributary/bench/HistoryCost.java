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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What history costs per change: the same stream of CDC changes committed through {@link IcebergLakeWriter}
 * into a lake with bronze and silver only and into one with history as well, alternating, in one JVM.
 *
 * <p>Run by {@code bench/history.sh}; see {@code bench/README.md}.
 */
public final class HistoryCost {
  private static final String SOURCE = "bench";
  private static final String[] CITIES = {"Lisboa", "Porto", "Faro", "Braga", "Coimbra", "Recife", "Natal"};
  private static final TableSchema CLIENTS = new TableSchema(new TableId(SOURCE, "public", "clients"), List.of(
      new Column("id", DataType.of(DataType.Kind.INT64), false),
      new Column("email", DataType.of(DataType.Kind.STRING), true),
      new Column("city", DataType.of(DataType.Kind.STRING), true),
      new Column("age", DataType.of(DataType.Kind.INT32), true),
      new Column("balance", DataType.decimal(12, 2), true)), List.of("id"));

  private HistoryCost() {}

  public static void main(String[] args) throws Exception {
    int keys = 20_000;
    int batches = 20;
    int batchChanges = 2_000;
    int rounds = 2;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--batches" -> batches = Integer.parseInt(args[++i]);
        case "--batch-changes" -> batchChanges = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--help", "-h" -> {
          System.out.println("bench/history.sh [--keys N (20000)] [--batches N (20)] [--batch-changes N (2000)] "
              + "[--rounds N (2)]");
          return;
        }
        default -> throw new IllegalArgumentException("Invalid argument " + args[i] + " (see --help)");
      }
    }
    List<List<ChangeEvent>> stream = stream(new Random(1), keys, batches, batchChanges);
    long updates = (long) batches * batchChanges;
    System.out.printf(Locale.ROOT, "history cost: %,d keys loaded in one batch, then %,d batches of %,d updates "
        + "(every update changes city or age); %d rounds; java %s, %d cores%n", keys, batches, batchChanges, rounds,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    Function<String, TableConfig> without = name -> new TableConfig(name, List.of(), Optional.empty(), Optional.empty(),
        new HistoryConfig(false, Optional.empty(), List.of()), ShapeConfig.NONE);
    Function<String, TableConfig> with = TableConfig::defaults;
    Map<String, List<Double>> perChange = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      for (Map.Entry<String, Function<String, TableConfig>> run :
          Map.of("bronze+silver", without, "bronze+silver+history", with).entrySet().stream()
              .sorted(Map.Entry.comparingByKey()).toList()) {
        long nanos = run(stream, run.getValue());
        double micros = nanos / 1_000.0 / updates;
        perChange.computeIfAbsent(run.getKey(), k -> new ArrayList<>()).add(micros);
        System.out.printf(Locale.ROOT, "round %d  %-22s %8.1f s for the updates  %8.1f us per change%n", round,
            run.getKey(), nanos / 1e9, micros);
      }
    }
    double base = best(perChange.get("bronze+silver"));
    double full = best(perChange.get("bronze+silver+history"));
    System.out.printf(Locale.ROOT, "best of %d: bronze+silver %.1f us per change, with history %.1f us per change: "
        + "history adds %.1f us per change (%.0f%%)%n", rounds, base, full, full - base, 100 * (full - base) / base);
  }

  private static double best(List<Double> values) {
    return values.stream().min(Comparator.naturalOrder()).orElseThrow();
  }

  /** Commits the load, then times the update batches only. */
  private static long run(List<List<ChangeEvent>> stream, Function<String, TableConfig> tables) throws IOException {
    Path directory = Files.createTempDirectory("tributary-history-bench");
    try (Lake lake = Lake.open(directory); IcebergLakeWriter writer = new IcebergLakeWriter(lake, new Shaping(tables, SqlExpressions.NONE))) {
      commit(writer, stream.get(0));
      long started = System.nanoTime();
      for (List<ChangeEvent> batch : stream.subList(1, stream.size())) {
        commit(writer, batch);
      }
      return System.nanoTime() - started;
    } finally {
      delete(directory);
    }
  }

  private static void commit(IcebergLakeWriter writer, List<ChangeEvent> batch) {
    writer.commit(SOURCE, batch, batch.get(batch.size() - 1).position());
  }

  private static List<List<ChangeEvent>> stream(Random random, int keys, int batches, int batchChanges) {
    List<Map<String, Object>> rows = new ArrayList<>();
    List<List<ChangeEvent>> result = new ArrayList<>();
    long position = 0;
    Instant time = Instant.parse("2026-01-01T00:00:00Z");
    List<ChangeEvent> load = new ArrayList<>();
    for (int id = 0; id < keys; id++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", (long) id);
      row.put("email", "client" + id + "@example.org");
      row.put("city", CITIES[random.nextInt(CITIES.length)]);
      row.put("age", 20 + random.nextInt(50));
      row.put("balance", BigDecimal.valueOf(random.nextInt(100_000), 2));
      rows.add(row);
      load.add(event(Operation.READ, row, ++position, 0, time));
    }
    result.add(load);
    for (int b = 0; b < batches; b++) {
      List<ChangeEvent> batch = new ArrayList<>();
      for (int c = 0; c < batchChanges; c++) {
        time = time.plusMillis(10);
        Map<String, Object> row = new LinkedHashMap<>(rows.get(random.nextInt(keys)));
        if (random.nextBoolean()) {
          row.put("city", CITIES[random.nextInt(CITIES.length)]);
        } else {
          row.put("age", (Integer) row.get("age") + 1);
        }
        rows.set(((Long) row.get("id")).intValue(), row);
        batch.add(event(Operation.UPDATE, row, ++position, 1_000 + position, time));
      }
      result.add(batch);
    }
    return result;
  }

  private static ChangeEvent event(Operation operation, Map<String, Object> row, long position, long txid,
      Instant time) {
    String sortKey = String.format(Locale.ROOT, "1:%016d", position);
    return new ChangeEvent(CLIENTS, operation, Optional.empty(), Optional.of(row),
        new Position(sortKey, sortKey, false), time, txid);
  }

  private static void delete(Path directory) {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
