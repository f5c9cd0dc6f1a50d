package io.tributary.bench;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.Position;
import io.tributary.api.spi.CommitSummary;
import io.tributary.api.spi.LakeWriter;
import io.tributary.core.pipeline.Pipeline;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresCapture;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.testkit.EmbeddedPostgresServer;
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
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Where the time of the streaming path goes. The same backlog of {@code --changes} changes, kept by one replication
 * slot per consumer, is decoded in turn by: pg_recvlogical (pgoutput to /dev/null); the Debezium embedded engine
 * alone (Tributary's engine settings, a consumer that only counts); Tributary's PostgreSQL source and pipeline with a
 * lake writer that only counts (Debezium + our conversion + queue and batching); and the same with the real
 * {@link IcebergLakeWriter} (the whole streaming path, in this JVM). Each consumer first snapshots the seed rows and
 * stops, so that all of them then resume from their slot and catch up the same changes with nothing else running.
 *
 * <p>Run by {@code bench/stages.sh}; see {@code bench/README.md}.
 */
public final class Stages {
  private static final String PUBLICATION = "bench_stages";

  private Stages() {}

  public static void main(String[] args) throws Exception {
    long changes = 1_000_000;
    long seed = 100_000;
    int transaction = 1_000;
    Optional<Path> dir = Optional.empty();
    List<String> only = new ArrayList<>(List.of("recvlogical", "pgjdbc", "debezium", "source", "lake", "fast-source",
        "fast-lake"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--changes" -> changes = Long.parseLong(Bench.arg(args, ++i, "--changes").replace("_", ""));
        case "--seed-rows" -> seed = Long.parseLong(Bench.arg(args, ++i, "--seed-rows").replace("_", ""));
        case "--transaction" -> transaction = Integer.parseInt(Bench.arg(args, ++i, "--transaction"));
        case "--only" -> only = List.of(Bench.arg(args, ++i, "--only").split(","));
        case "--dir" -> dir = Optional.of(Path.of(Bench.arg(args, ++i, "--dir")).toAbsolutePath());
        case "--help", "-h" -> {
          System.out.println("bench/stages.sh [--changes 1000000] [--seed-rows 100000] [--transaction 1000] "
              + "[--only recvlogical,pgjdbc,debezium,source,lake,fast-source,fast-lake] [--dir DIR]");
          return;
        }
        default -> throw new IllegalArgumentException("Invalid argument " + args[i] + " (--help lists the options)");
      }
    }
    Path work = dir.orElse(Files.createTempDirectory("tributary-stages"));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("bench", "stages");
    result.put("machine", Bench.machine());
    result.put("changes", changes);
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
      String postgres = Bench.postgresVersion(server);
      result.put("postgres", postgres);
      server.createDatabase(Bench.DATABASE);
      try (Connection connection = server.connection(Bench.DATABASE); Statement statement = connection.createStatement()) {
        Workload.createTable(connection);
        statement.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE public." + Workload.TABLE);
      }
      Workload workload = new Workload(server.connection(Bench.DATABASE));
      workload.seed(seed);
      // After the seed rows: these slots hold exactly the backlog.
      try (Connection connection = server.connection(Bench.DATABASE); Statement statement = connection.createStatement()) {
        statement.execute("SELECT pg_create_logical_replication_slot('stage_recvlogical', 'pgoutput')");
        statement.execute("SELECT pg_create_logical_replication_slot('stage_pgjdbc', 'pgoutput')");
      }
      System.out.printf(Locale.ROOT, "PostgreSQL %s; %,d seed rows, then a backlog of %,d changes; work in %s%n",
          postgres, seed, changes, work);

      // Each consumer snapshots the seed rows once (and so owns a slot positioned before the backlog), then stops.
      Map<String, Stage> stages = new LinkedHashMap<>();
      if (only.contains("debezium")) {
        stages.put("debezium", new DebeziumStage(server, work.resolve("debezium")));
      }
      if (only.contains("source")) {
        stages.put("source", new PipelineStage(server, work.resolve("source"), "stage_source", Optional.empty(),
            PostgresCapture.DEBEZIUM));
      }
      if (only.contains("lake")) {
        stages.put("lake", new PipelineStage(server, work.resolve("lake"), "stage_lake", Optional.of(work.resolve("lake/lake")),
            PostgresCapture.DEBEZIUM));
      }
      if (only.contains("fast-source")) {
        stages.put("fast-source", new PipelineStage(server, work.resolve("fast-source"), "stage_fast_source", Optional.empty(),
            PostgresCapture.PGOUTPUT));
      }
      if (only.contains("fast-lake")) {
        stages.put("fast-lake", new PipelineStage(server, work.resolve("fast-lake"), "stage_fast_lake",
            Optional.of(work.resolve("fast-lake/lake")), PostgresCapture.PGOUTPUT));
      }
      for (Map.Entry<String, Stage> stage : stages.entrySet()) {
        long started = System.nanoTime();
        stage.getValue().run(seed, Duration.ofMinutes(10));
        System.out.printf(Locale.ROOT, "  %s: snapshot of the seed rows in %.1f s%n", stage.getKey(),
            Bench.seconds(System.nanoTime() - started));
      }

      long commitStart = System.nanoTime();
      while (workload.changes() < changes) {
        workload.addChanges((int) Math.min(transaction, changes - workload.changes()));
        workload.commit();
      }
      double commitSeconds = Bench.seconds(System.nanoTime() - commitStart);
      String endLsn = Throughput.currentLsn(server);
      workload.close();
      System.out.printf(Locale.ROOT, "Committed %,d changes in %.1f s; end LSN %s%n", changes, commitSeconds, endLsn);

      Map<String, Object> figures = new LinkedHashMap<>();
      System.out.printf(Locale.ROOT, "%n%-58s %9s %12s%n", "catching up the backlog", "seconds", "changes/s");
      if (only.contains("recvlogical")) {
        double seconds = Bench.seconds(Bench.runTool(List.of("pg_recvlogical", "-h", server.host(), "-p",
            Integer.toString(server.port()), "-U", EmbeddedPostgresServer.USER, "-d", Bench.DATABASE, "--slot",
            "stage_recvlogical", "--start", "--endpos", endLsn, "--no-loop", "-o", "proto_version=1", "-o",
            "publication_names=" + PUBLICATION, "-f", "/dev/null"), 1800));
        print("pg_recvlogical pgoutput -> /dev/null", seconds, changes);
        figures.put("recvlogical_seconds", seconds);
      }
      if (only.contains("pgjdbc")) {
        double seconds = PgjdbcStage.run(server, "stage_pgjdbc", PUBLICATION, changes);
        print("pgjdbc replication stream + pgoutput tuple decoding", seconds, changes);
        figures.put("pgjdbc_seconds", seconds);
      }
      Map<String, String> labels = Map.of(
          "debezium", "Debezium embedded engine, counting consumer",
          "source", "+ Tributary source + pipeline, counting lake writer",
          "lake", "+ IcebergLakeWriter (raw, bronze, silver, checkpoint)",
          "fast-source", "pgoutput fast path: source + pipeline, counting writer",
          "fast-lake", "pgoutput fast path + IcebergLakeWriter");
      for (Map.Entry<String, Stage> stage : stages.entrySet()) {
        double seconds = stage.getValue().run(changes, Duration.ofMinutes(30));
        print(labels.get(stage.getKey()), seconds, changes);
        figures.put(stage.getKey() + "_seconds", seconds);
      }
      result.put("figures", figures);
      result.put("load_average_at_end", Bench.loadAverage());
      System.out.printf(Locale.ROOT, "Load average (1 min) at start %.1f, at end %.1f on %d cores%n",
          (Double) ((Map<?, ?>) result.get("machine")).get("load_average_at_start"), Bench.loadAverage(),
          Runtime.getRuntime().availableProcessors());
      System.out.println("Result: " + Bench.writeResult("stages", result));
    }
  }

  private static void print(String label, double seconds, long changes) {
    System.out.printf(Locale.ROOT, "%-58s %9.1f %,12.0f%n", label, seconds, changes / seconds);
  }

  /** A consumer that can be started, run until it has seen a number of new changes, and stopped. */
  interface Stage {
    /** Starts, waits until {@code changes} more changes arrived, stops; returns the seconds from start to the last one. */
    double run(long changes, Duration timeout) throws Exception;
  }

  private static double await(LongSupplier seen, long target, long started, Duration timeout,
      AtomicReference<Throwable> failure, String what) {
    while (seen.getAsLong() < target) {
      if (failure.get() != null) {
        throw new IllegalStateException(what + " failed: " + failure.get().getMessage(), failure.get());
      }
      if (System.nanoTime() - started > timeout.toNanos()) {
        throw new IllegalStateException(what + " saw " + seen.getAsLong() + " of " + target + " changes in " + timeout);
      }
      Bench.sleep(20);
    }
    return Bench.seconds(System.nanoTime() - started);
  }

  /** Debezium's engine with the properties Tributary's source gives it, offsets in a file, a consumer that counts. */
  static final class DebeziumStage implements Stage {
    private final EmbeddedPostgresServer server;
    private final Path directory;

    DebeziumStage(EmbeddedPostgresServer server, Path directory) {
      this.server = server;
      this.directory = directory;
    }

    @Override
    public double run(long changes, Duration timeout) throws Exception {
      Files.createDirectories(directory);
      AtomicLong seen = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Properties p = new Properties();
      p.setProperty("name", "stage-debezium");
      p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
      p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
      p.setProperty("offset.storage.file.filename", directory.resolve("offsets.dat").toString());
      p.setProperty("offset.flush.interval.ms", "0");
      p.setProperty("topic.prefix", "stage");
      p.setProperty("database.hostname", server.host());
      p.setProperty("database.port", Integer.toString(server.port()));
      p.setProperty("database.user", EmbeddedPostgresServer.USER);
      p.setProperty("database.password", "postgres");
      p.setProperty("database.dbname", Bench.DATABASE);
      p.setProperty("plugin.name", "pgoutput");
      p.setProperty("slot.name", "stage_debezium");
      p.setProperty("publication.name", PUBLICATION);
      p.setProperty("publication.autocreate.mode", "disabled");
      p.setProperty("table.include.list", "public\\." + Workload.TABLE);
      p.setProperty("snapshot.mode", "initial");
      // The same conversions as Tributary's source (PostgresSource.engineProperties).
      p.setProperty("decimal.handling.mode", "precise");
      p.setProperty("binary.handling.mode", "bytes");
      p.setProperty("time.precision.mode", "adaptive_time_microseconds");
      p.setProperty("interval.handling.mode", "string");
      p.setProperty("hstore.handling.mode", "json");
      p.setProperty("include.unknown.datatypes", "true");
      p.setProperty("column.propagate.source.type", ".*");
      p.setProperty("heartbeat.interval.ms", "10000");
      p.setProperty("tombstones.on.delete", "false");
      p.setProperty("max.batch.size", "4096");
      p.setProperty("max.queue.size", "16384");
      p.setProperty("snapshot.fetch.size", "10000");
      p.setProperty("slot.drop.on.stop", "false");
      DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
          .using(p)
          .notifying((records, committer) -> {
            for (RecordChangeEvent<SourceRecord> record : records) {
              if (record.record().topic().startsWith("stage.public")) {
                seen.incrementAndGet();
              }
              committer.markProcessed(record);
            }
            committer.markBatchFinished();
          })
          .using((success, message, error) -> {
            if (!success) {
              failure.set(error == null ? new IllegalStateException(message) : error);
            }
          })
          .build();
      ExecutorService executor = Executors.newSingleThreadExecutor();
      long started = System.nanoTime();
      executor.execute(engine);
      try {
        return await(seen::get, changes, started, timeout, failure, "Debezium engine");
      } finally {
        engine.close();
        executor.shutdown();
        executor.awaitTermination(60, TimeUnit.SECONDS);
      }
    }
  }

  /** Tributary's source and pipeline, with a counting writer or the real lake writer; positions kept across runs. */
  static final class PipelineStage implements Stage {
    private final EmbeddedPostgresServer server;
    private final Path directory;
    private final String slot;
    private final Optional<Path> lake;
    private final PostgresCapture capture;
    private volatile Position committed;

    PipelineStage(EmbeddedPostgresServer server, Path directory, String slot, Optional<Path> lake, PostgresCapture capture) {
      this.server = server;
      this.directory = directory;
      this.slot = slot;
      this.lake = lake;
      this.capture = capture;
    }

    @Override
    public double run(long changes, Duration timeout) throws Exception {
      AtomicLong seen = new AtomicLong();
      Lake opened = lake.map(Lake::open).orElse(null);
      LakeWriter inner = opened == null ? null : new IcebergLakeWriter(opened);
      LakeWriter writer = new LakeWriter() {
        @Override
        public Optional<Position> recover(String source) {
          return inner == null ? Optional.ofNullable(committed) : inner.recover(source);
        }

        @Override
        public CommitSummary commit(String source, List<ChangeEvent> events, List<DeadLetter> deadLetters, Position end) {
          CommitSummary summary = inner == null
              ? new CommitSummary(Map.of(), 0)
              : inner.commit(source, events, deadLetters, end);
          committed = end;
          seen.addAndGet(events.size());
          return summary;
        }

        @Override
        public void close() {
          if (inner != null) {
            inner.close();
          }
        }
      };
      PostgresSource source = new PostgresSource(new PostgresSourceSettings(Bench.SOURCE, server.host(), server.port(),
          Bench.DATABASE, EmbeddedPostgresServer.USER, Optional.of("postgres"), List.of("public." + Workload.TABLE), "",
          slot, PUBLICATION, Duration.ofSeconds(10), SnapshotMode.INITIAL, directory.resolve("work"), capture));
      Pipeline pipeline = new Pipeline(source, writer, new PipelineSettings(Duration.ofSeconds(2), 50_000, 100_000));
      AtomicReference<Throwable> failure = new AtomicReference<>();
      long started = System.nanoTime();
      pipeline.start();
      try {
        return await(() -> {
          pipeline.failure().ifPresent(failure::set);
          return seen.get();
        }, changes, started, timeout, failure, "Pipeline");
      } finally {
        pipeline.close();
        writer.close();
        if (opened != null) {
          opened.close();
        }
      }
    }
  }
}
