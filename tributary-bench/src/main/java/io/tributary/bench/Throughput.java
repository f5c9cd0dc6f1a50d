package io.tributary.bench;

import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Streaming throughput: {@code --changes} changes (60% updates, 30% inserts, 10% deletes, rows of about 200 bytes)
 * committed in PostgreSQL while {@code tributary run} streams them, timed until bronze and silver hold them all;
 * then the same number again committed while Tributary is stopped and caught up after its restart; both against
 * {@code pg_recvlogical} decoding the same changes with pgoutput from a second slot into /dev/null.
 *
 * <p>Run by {@code bench/throughput.sh}; see {@code bench/README.md}.
 */
public final class Throughput {
  private static final String PUBLICATION = "bench_" + Bench.SOURCE;

  private Throughput() {}

  public static void main(String[] args) throws Exception {
    long changes = 1_000_000;
    int transaction = 1_000;
    long seed = 100_000;
    String heap = "1g";
    String commitInterval = "2s";
    Optional<Path> jfr = Optional.empty();
    Optional<Path> dir = Optional.empty();
    Optional<String> capture = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--capture" -> capture = Optional.of(Bench.arg(args, ++i, "--capture"));
        case "--changes" -> changes = Long.parseLong(Bench.arg(args, ++i, "--changes").replace("_", ""));
        case "--transaction" -> transaction = Integer.parseInt(Bench.arg(args, ++i, "--transaction"));
        case "--seed-rows" -> seed = Long.parseLong(Bench.arg(args, ++i, "--seed-rows").replace("_", ""));
        case "--heap" -> heap = Bench.arg(args, ++i, "--heap");
        case "--commit-interval" -> commitInterval = Bench.arg(args, ++i, "--commit-interval");
        case "--jfr" -> jfr = Optional.of(Path.of(Bench.arg(args, ++i, "--jfr")).toAbsolutePath());
        case "--dir" -> dir = Optional.of(Path.of(Bench.arg(args, ++i, "--dir")).toAbsolutePath());
        case "--help", "-h" -> {
          System.out.println("bench/throughput.sh [--changes 1000000] [--transaction 1000] [--seed-rows 100000] "
              + "[--heap 1g] [--commit-interval 2s] [--capture pgoutput|debezium] [--jfr FILE] [--dir DIR]");
          return;
        }
        default -> throw new IllegalArgumentException("Invalid argument " + args[i] + " (--help lists the options)");
      }
    }
    if (changes < transaction || transaction < 10) {
      throw new IllegalArgumentException("Invalid --changes " + changes + " / --transaction " + transaction
          + ": need at least one transaction of at least 10 changes");
    }
    Path work = dir.orElse(Files.createTempDirectory("tributary-throughput"));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("capture", capture.orElse("default"));
    result.put("bench", "throughput");
    result.put("machine", Bench.machine());

    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
      String postgres = Bench.postgresVersion(server);
      server.createDatabase(Bench.DATABASE);
      System.out.printf(Locale.ROOT, "PostgreSQL %s on port %d; %,d changes in transactions of %,d; %,d seed rows; work in %s%n",
          postgres, server.port(), changes, transaction, seed, work);
      result.put("postgres", postgres);
      result.put("changes", changes);
      result.put("transaction_changes", transaction);
      result.put("seed_rows", seed);
      result.put("commit_interval", commitInterval);

      try (Connection connection = server.connection(Bench.DATABASE)) {
        connection.setAutoCommit(true);
        Workload.createTable(connection);
        try (Statement statement = connection.createStatement()) {
          statement.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE public." + Workload.TABLE);
        }
      }
      Workload workload = new Workload(server.connection(Bench.DATABASE));
      workload.seed(seed);
      List<String> baselineSlots = List.of("bench_baseline_1", "bench_baseline_2");
      try (Connection connection = server.connection(Bench.DATABASE); Statement statement = connection.createStatement()) {
        for (String slot : baselineSlots) {
          statement.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        }
      }

      // Tributary: snapshot of the seed rows first, then the timed stream.
      Path warehouse = work.resolve("lake");
      Path config = Bench.writeConfig(work, server, warehouse, List.of("public." + Workload.TABLE), commitInterval, "initial",
          capture);
      TributaryProcess.Memory streamingMemory;
      long committedNanos;
      long lakeNanos;
      String endLsn;
      try (TributaryProcess tributary = TributaryProcess.start(config, work.resolve("tributary-1"), heap, Optional.empty());
          LakeWatch lake = new LakeWatch(warehouse)) {
        long waitStart = System.nanoTime();
        while (!(lake.streaming() && lake.bronzeRows(Workload.TABLE) >= seed)) {
          tributary.checkAlive();
          if (System.nanoTime() - waitStart > 600_000_000_000L) {
            throw new IllegalStateException("Tributary did not finish the snapshot of " + seed + " rows in 10 minutes; log:\n"
                + tributary.tail(30));
          }
          Bench.sleep(200);
        }
        System.out.printf(Locale.ROOT, "Tributary (pid %d) streams after %.1f s (snapshot of the seed rows); committing changes%n",
            tributary.pid(), Bench.seconds(System.nanoTime() - waitStart));
        long start = System.nanoTime();
        commit(workload, changes, transaction, tributary);
        committedNanos = System.nanoTime() - start;
        endLsn = currentLsn(server);
        System.out.printf(Locale.ROOT, "PostgreSQL committed %,d changes in %.1f s (%,.0f changes/s) while Tributary streamed%n",
            changes, Bench.seconds(committedNanos), changes / Bench.seconds(committedNanos));
        while (!lake.caughtUp(Workload.TABLE, seed + changes)) {
          tributary.checkAlive();
          Bench.sleep(100);
        }
        lakeNanos = System.nanoTime() - start;
        System.out.printf(Locale.ROOT, "Lake holds all %,d changes in every layer (bronze, silver, history) %.1f s after the first commit%n",
            changes, Bench.seconds(lakeNanos));
        streamingMemory = tributary.stop();
      }
      List<Double> baselineStreaming = baseline(server, baselineSlots, endLsn);

      // Catch-up: the same number of changes committed while Tributary is stopped, then Tributary started again.
      long backlogStart = System.nanoTime();
      commit(workload, changes, transaction, null);
      long backlogNanos = System.nanoTime() - backlogStart;
      String backlogLsn = currentLsn(server);
      workload.close();
      System.out.printf(Locale.ROOT, "PostgreSQL committed %,d more changes in %.1f s (%,.0f changes/s) with Tributary stopped%n",
          changes, Bench.seconds(backlogNanos), changes / Bench.seconds(backlogNanos));
      TributaryProcess.Memory catchUpMemory;
      long catchUpNanos;
      long catchUpFromFirstNanos;
      try (LakeWatch lake = new LakeWatch(warehouse)) {
        long before = lake.bronzeRows(Workload.TABLE);
        long start = System.nanoTime();
        try (TributaryProcess tributary = TributaryProcess.start(config, work.resolve("tributary-2"), heap, jfr)) {
          long first = -1;
          while (!lake.caughtUp(Workload.TABLE, seed + 2 * changes)) {
            tributary.checkAlive();
            if (first < 0 && lake.bronzeRows(Workload.TABLE) > before) {
              first = System.nanoTime();
            }
            Bench.sleep(100);
          }
          catchUpNanos = System.nanoTime() - start;
          catchUpFromFirstNanos = System.nanoTime() - first;
          result.put("silver_data_files", lake.dataFiles("silver", Workload.TABLE));
          catchUpMemory = tributary.stop();
        }
      }
      System.out.printf(Locale.ROOT, "Tributary caught up the backlog %.1f s after its start (%.1f s after its first commit)%n",
          Bench.seconds(catchUpNanos), Bench.seconds(catchUpFromFirstNanos));
      List<Double> baselineCatchUp = baseline(server, baselineSlots, backlogLsn);

      double streamingRate = changes / Bench.seconds(lakeNanos);
      double catchUpRate = changes / Bench.seconds(catchUpNanos);
      double baselineRate = changes / Stream.concat(baselineStreaming.stream(), baselineCatchUp.stream())
          .mapToDouble(Double::doubleValue).min().orElseThrow();

      System.out.println();
      System.out.printf(Locale.ROOT, "%-62s %9s %12s%n", "", "seconds", "changes/s");
      row("PostgreSQL commits while Tributary streams (the workload)", Bench.seconds(committedNanos), changes);
      row("Tributary streaming: first commit -> all in every layer", Bench.seconds(lakeNanos), changes);
      row("Tributary catch-up: process start -> all in every layer", Bench.seconds(catchUpNanos), changes);
      row("  the same from its first commit", Bench.seconds(catchUpFromFirstNanos), changes);
      for (int i = 0; i < baselineSlots.size(); i++) {
        row("pg_recvlogical pgoutput -> /dev/null, first " + changes / 1000 + "k, slot " + (i + 1), baselineStreaming.get(i), changes);
      }
      for (int i = 0; i < baselineSlots.size(); i++) {
        row("pg_recvlogical pgoutput -> /dev/null, second " + changes / 1000 + "k, slot " + (i + 1), baselineCatchUp.get(i), changes);
      }
      System.out.printf(Locale.ROOT, "Ratio Tributary / pg_recvlogical (best run): streaming %.2f, catch-up %.2f (goal >= 0.5)%n",
          streamingRate / baselineRate, catchUpRate / baselineRate);
      System.out.print("Streaming process: ");
      Bench.printMemory(streamingMemory, heap);
      System.out.print("Catch-up process:  ");
      Bench.printMemory(catchUpMemory, heap);
      System.out.printf(Locale.ROOT, "Load average (1 min) at start %.1f, at end %.1f on %d cores (other processes share the machine)%n",
          (Double) ((Map<?, ?>) result.get("machine")).get("load_average_at_start"), Bench.loadAverage(),
          Runtime.getRuntime().availableProcessors());

      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("postgres_commit_seconds_streaming", Bench.seconds(committedNanos));
      figures.put("postgres_commit_seconds_backlog", Bench.seconds(backlogNanos));
      figures.put("tributary_streaming_seconds", Bench.seconds(lakeNanos));
      figures.put("tributary_changes_per_second", streamingRate);
      figures.put("tributary_catch_up_seconds", Bench.seconds(catchUpNanos));
      figures.put("tributary_catch_up_from_first_commit_seconds", Bench.seconds(catchUpFromFirstNanos));
      figures.put("tributary_catch_up_changes_per_second", catchUpRate);
      figures.put("pg_recvlogical_seconds", Stream.concat(baselineStreaming.stream(), baselineCatchUp.stream()).toList());
      figures.put("pg_recvlogical_changes_per_second", baselineRate);
      figures.put("ratio_streaming", streamingRate / baselineRate);
      figures.put("ratio_catch_up", catchUpRate / baselineRate);
      figures.put("goal_ratio", 0.5);
      result.put("figures", figures);
      result.put("memory_streaming", Bench.memoryJson(streamingMemory, heap));
      result.put("memory_catch_up", Bench.memoryJson(catchUpMemory, heap));
      jfr.ifPresent(file -> result.put("flight_recording", file.toString()));
      result.put("load_average_at_end", Bench.loadAverage());
      Path file = Bench.writeResult("throughput", result);
      System.out.println("Result: " + file);
    }
  }

  private static void row(String label, double seconds, long changes) {
    System.out.printf(Locale.ROOT, "%-62s %9.1f %,12.0f%n", label, seconds, changes / seconds);
  }

  private static void commit(Workload workload, long changes, int transaction, TributaryProcess tributary) throws Exception {
    long target = workload.changes() + changes;
    long next = workload.changes() + 100_000;
    while (workload.changes() < target) {
      workload.addChanges((int) Math.min(transaction, target - workload.changes()));
      workload.commit();
      if (tributary != null && workload.changes() >= next) {
        tributary.checkAlive();
        next += 100_000;
      }
    }
  }

  /** pg_recvlogical from each slot up to {@code endLsn}; seconds per slot. */
  private static List<Double> baseline(EmbeddedPostgresServer server, List<String> slots, String endLsn) {
    List<Double> seconds = new ArrayList<>();
    for (String slot : slots) {
      seconds.add(Bench.seconds(Bench.runTool(List.of("pg_recvlogical", "-h", server.host(), "-p",
          Integer.toString(server.port()), "-U", EmbeddedPostgresServer.USER, "-d", Bench.DATABASE, "--slot", slot,
          "--start", "--endpos", endLsn, "--no-loop", "-o", "proto_version=1", "-o", "publication_names=" + PUBLICATION,
          "-f", "/dev/null"), 1800)));
    }
    return seconds;
  }

  static String currentLsn(EmbeddedPostgresServer server) throws Exception {
    try (Connection connection = server.connection(Bench.DATABASE); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
