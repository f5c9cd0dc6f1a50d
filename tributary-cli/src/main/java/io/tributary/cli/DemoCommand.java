package io.tributary.cli;

import io.tributary.api.spi.Source;
import io.tributary.core.config.ListenAddress;
import io.tributary.core.config.ServerConfig;
import io.tributary.core.config.TableConfig;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.lake.Lake;
import io.tributary.server.SourceInfo;
import io.tributary.server.TableActivity;
import io.tributary.server.TributaryServer;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.models.ModelRunResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code tributary demo}: a system started in-process (an embedded PostgreSQL or MariaDB with a
 * small shop, by {@code --scenario}), a steady workload, and the whole pipeline into a local lake.
 * The system's data lives beside the lake, so a second run carries on where the first stopped.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start an embedded database with a live workload and capture it into a local lake.")
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--scenario", defaultValue = "postgres", paramLabel = "NAME",
      description = "What to capture: postgres (the default: an embedded PostgreSQL shop), mariadb (the same shop on "
          + "an embedded MariaDB, captured from its binlog), kafka-clients (an in-process "
          + "Kafka broker with generated client records, history by e-mail), files (JSON lines files dropped into a "
          + "folder) or http (a paged API of breweries and a document of people in space, served on 127.0.0.1).")
  String scenario;

  @Option(names = "--lake", defaultValue = "lake", paramLabel = "DIR", description = "Where the lake goes (default: ${DEFAULT-VALUE}).")
  Path lake;

  @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Stop after this long (e.g. 60s, 5m); without it, run until Ctrl-C.")
  Duration duration;

  @Option(names = "--rate", defaultValue = "20", paramLabel = "N", description = "Workload changes per second (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--clients", defaultValue = "2000", paramLabel = "N", description = "Clients in the first load (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--orders", defaultValue = "5000", paramLabel = "N", description = "Orders in the first load (default: ${DEFAULT-VALUE}).")
  int orders;

  @Option(names = "--http", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Serve the web UI, the REST API and the metrics while the demo runs (default: on; --no-http turns it off).")
  boolean http;

  @Option(names = "--listen", defaultValue = "127.0.0.1:8080", paramLabel = "HOST:PORT",
      description = "Where the web UI listens (default: ${DEFAULT-VALUE}; port 0 picks a free one). Loopback addresses only.")
  String listen;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (System.getProperty("tributary.log.level") == null) {
      // The progress lines below say what the per-commit log lines would; keep warnings only.
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.tributary")).setLevel(ch.qos.logback.classic.Level.WARN);
    }
    Path warehouse = lake.toAbsolutePath().normalize();
    ServerConfig server = serverConfig();
    if (List.of("kafka-clients", "files", "http").contains(scenario)) {
      try (StopRequest stop = StopRequest.install("tributary-demo-stop")) {
        new FeedDemo(scenario, out, warehouse, rate).run(stop, Optional.ofNullable(duration));
      }
      return 0;
    }
    if (!DemoScenarios.names().contains(scenario)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Invalid value for --scenario: " + scenario
          + " (use postgres, mariadb, kafka-clients, files or http)");
    }
    claimLake(warehouse);
    try (StopRequest stop = StopRequest.install("tributary-demo-stop");
        DemoScenario system = DemoScenarios.create(scenario, new DemoScenario.Options(clients, orders))) {
      run(out, warehouse, stop, system, server);
    }
    return 0;
  }

  private ServerConfig serverConfig() {
    ListenAddress address;
    try {
      address = ListenAddress.parse(listen);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--listen': "
          + e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
    }
    if (!address.isLoopback()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--listen': " + listen
          + " is not a loopback address; the demo has no token, so it serves this machine only (use 127.0.0.1:PORT,"
          + " or bin/tributary run with server.token for other machines)");
    }
    return new ServerConfig(http, address, Optional.empty(), ServerConfig.DEFAULT_SQL_TIMEOUT,
        ServerConfig.DEFAULT_SQL_MAX_ROWS);
  }

  /** One lake holds one scenario: two would write different sources into the same tables. */
  private void claimLake(Path warehouse) throws IOException {
    DemoScenarios.create(scenario, new DemoScenario.Options(clients, orders)).close();
    Path marker = warehouse.resolve("_demo/scenario");
    if (Files.exists(marker)) {
      String existing = Files.readString(marker).trim();
      if (!existing.equals(scenario)) {
        throw new IllegalArgumentException("Cannot run scenario " + scenario + " in the lake at " + warehouse
            + ": it holds the " + existing + " scenario (give this one its own directory with --lake)");
      }
    } else if (Files.isDirectory(warehouse.resolve("_demo/postgres")) && !scenario.equals("postgres")) {
      throw new IllegalArgumentException("Cannot run scenario " + scenario + " in the lake at " + warehouse
          + ": it holds the postgres scenario (give this one its own directory with --lake)");
    } else {
      Files.createDirectories(marker.getParent());
      Files.writeString(marker, scenario + "\n");
    }
  }

  private void run(PrintWriter out, Path warehouse, StopRequest stop, DemoScenario system, ServerConfig serverConfig)
      throws Exception {
    AtomicBoolean stopRequested = new AtomicBoolean();
    system.start(out, warehouse);
    long sourceRows = system.sourceRows();
    Source source = system.source(warehouse);
    out.printf("Capturing %s into the lake at %s%n", system.captured(), warehouse);
    out.flush();
    Instant started = Instant.now();
    AtomicLong changesMade = new AtomicLong();
    AtomicReference<Throwable> workloadFailure = new AtomicReference<>();
    // A scenario without models gets an empty directory: no gold tables.
    Optional<Path> shipped = system.models(warehouse);
    Path models = shipped.isPresent() ? shipped.get() : Files.createDirectories(warehouse.resolve("_demo/no-models"));
    MetricsRegistry metrics = new MetricsRegistry();
    TableActivity activity = new TableActivity();
    List<SourceInfo> sourceInfos = List.of(system.sourceInfo());
    try (Lake opened = Lake.open(warehouse);
        GoldRefresher gold = new GoldRefresher(opened, models, metrics);
        PipelineGroup group = new PipelineGroup(opened, List.of(source), new PipelineSettings(Duration.ofSeconds(2), 50_000, 100_000),
            ServerStart.listeners(gold.listener(), activity), TableConfig::defaults, metrics);
        TributaryServer server = serverConfig.enabled()
            ? ServerStart.start(serverConfig, "demo", opened, group, sourceInfos, metrics, activity,
                Optional.of(gold.activity()))
            : null) {
      if (server != null) {
        out.printf("Web UI, REST API and metrics at %s (the API is described at %sapi/openapi.json)%n", server.uri(),
            server.uri());
        out.flush();
      }
      group.start();
      gold.start();
      Thread workload = workload(system, stopRequested, changesMade, workloadFailure);
      Instant nextReport = Instant.now();
      SnapshotMeter meter = new SnapshotMeter(sourceRows);
      while (!stop.isRequested()) {
        if (duration != null && Duration.between(started, Instant.now()).compareTo(duration) >= 0) {
          break;
        }
        Optional<Throwable> failure = group.failure();
        if (failure.isPresent()) {
          stopRequested.set(true);
          workload.join();
          throw new IllegalStateException("The demo pipeline failed", failure.get());
        }
        if (workloadFailure.get() != null) {
          throw new IllegalStateException("The demo workload failed", workloadFailure.get());
        }
        if (!Instant.now().isBefore(nextReport)) {
          for (PipelineStatus status : group.statuses()) {
            out.printf("[%s] %s | workload %,d changes%n", Progress.duration(Duration.between(started, Instant.now())),
                Progress.line(status, meter), changesMade.get());
          }
          out.flush();
          nextReport = Instant.now().plusSeconds(2);
        }
        Thread.sleep(100);
      }
      stopRequested.set(true);
      workload.join();
      out.println("Workload stopped: waiting for the lake to catch up with the source");
      out.flush();
      awaitCatchUp(system, opened, Duration.ofSeconds(30));
      group.close();
      for (ModelRunResult result : gold.finish()) {
        out.println(ModelsCommand.describe(result));
      }
      summary(out, system, opened, warehouse);
    } finally {
      ServerStart.closeProbes(sourceInfos);
    }
  }

  /** Waits until every silver table has as many rows as its source table, or the time is up. */
  private static void awaitCatchUp(DemoScenario system, Lake lake, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
      while (Instant.now().isBefore(deadline)) {
        engine.refresh();
        boolean caughtUp = true;
        for (String table : system.tables()) {
          if (!engine.tables().contains("silver." + table)
              || lakeRows(engine, "silver." + table) != system.sourceRows(table).orElse(-1)) {
            caughtUp = false;
          }
        }
        if (caughtUp) {
          return;
        }
        Thread.sleep(500);
      }
    }
  }

  private static long lakeRows(LakeSqlEngine engine, String table) {
    return ((Number) engine.query("SELECT count(*) FROM " + table).rows().get(0).get(0)).longValue();
  }

  private Thread workload(DemoScenario system, AtomicBoolean stop, AtomicLong made, AtomicReference<Throwable> failure) {
    Thread thread = new Thread(() -> {
      long pause = Math.max(1, 1000L / Math.max(1, rate));
      try (DemoScenario.Workload workload = system.workload()) {
        while (!stop.get()) {
          workload.step();
          made.incrementAndGet();
          Thread.sleep(pause);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        failure.set(e);
      }
    }, "tributary-demo-workload");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void summary(PrintWriter out, DemoScenario system, Lake lake, Path warehouse) throws Exception {
    out.println();
    out.println("The lake now holds (the source's own count in parentheses):");
    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
      for (String table : engine.tables()) {
        long rows = lakeRows(engine, table);
        OptionalLong sourceRows = table.startsWith("silver.")
            ? system.sourceRows(table.substring(table.indexOf('.') + 1))
            : OptionalLong.empty();
        String source = sourceRows.isPresent() ? String.format("  (%,d)", sourceRows.getAsLong()) : "";
        out.printf("  %-26s %,10d rows%s%n", table, rows, source);
      }
    }
    String lakeArgument = warehouse.equals(Path.of("lake").toAbsolutePath().normalize()) ? "" : " --lake " + warehouse;
    out.println();
    out.printf("The lake is in %s; the captured system's data is in %s.%n", warehouse, warehouse.resolve("_demo"));
    out.println("Look around:");
    for (String query : system.queries()) {
      out.printf("  bin/tributary query%s \"%s\"%n", lakeArgument, query);
    }
    out.printf("  bin/tributary status%s%n", lakeArgument.isEmpty() ? "" : lakeArgument);
    out.println("Run the demo again to carry on from here.");
    out.flush();
  }
}
