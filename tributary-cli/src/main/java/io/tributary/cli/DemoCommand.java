package io.tributary.cli;

import io.tributary.core.config.ListenAddress;
import io.tributary.core.config.ServerConfig;
import io.tributary.core.config.TableConfig;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.server.SourceInfo;
import io.tributary.server.TableActivity;
import io.tributary.server.TributaryServer;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.models.ModelRunResult;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code tributary demo}: an embedded PostgreSQL with a small shop, a steady workload, and the
 * whole pipeline into a local lake. The database lives beside the lake, so a second run carries on
 * where the first stopped.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start an embedded PostgreSQL shop with a live workload and capture it into a local lake.")
final class DemoCommand implements Callable<Integer> {
  private static final String SOURCE = "shop";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--scenario", defaultValue = "postgres", paramLabel = "NAME",
      description = "What to capture: postgres (the default: an embedded PostgreSQL shop), kafka-clients (an in-process "
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
    try (StopRequest stop = StopRequest.install("tributary-demo-stop")) {
      if (scenario.equals("postgres")) {
        run(out, warehouse, stop, server);
      } else if (List.of("kafka-clients", "files", "http").contains(scenario)) {
        new FeedDemo(scenario, out, warehouse, rate).run(stop, Optional.ofNullable(duration));
      } else {
        throw new CommandLine.ParameterException(spec.commandLine(), "Invalid value for --scenario: " + scenario
            + " (use postgres, kafka-clients, files or http)");
      }
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

  private void run(PrintWriter out, Path warehouse, StopRequest stop, ServerConfig serverConfig) throws Exception {
    AtomicBoolean stopRequested = new AtomicBoolean();
    out.printf("Starting PostgreSQL 17 (embedded, data in %s)%n", warehouse.resolve("_demo/postgres"));
    out.flush();
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(Optional.of(warehouse.resolve("_demo/postgres")), 0, false)) {
      postgres.createDatabase("shop");
      ShopDemo shop = new ShopDemo(System.nanoTime());
      long sourceRows;
      try (Connection connection = postgres.connection("shop")) {
        if (shop.createIfMissing(connection, clients, orders)) {
          out.printf("Created the shop: %,d clients, %,d orders%n", clients, orders);
        } else {
          out.println("The shop exists from an earlier run: carrying on");
        }
        sourceRows = ShopDemo.rows(connection);
      }
      PostgresSourceSettings settings = new PostgresSourceSettings(SOURCE, postgres.host(), postgres.port(), "shop",
          EmbeddedPostgresServer.USER, Optional.empty(), ShopDemo.TABLES, "", "tributary_demo_shop", "tributary_demo_shop",
          Duration.ofSeconds(5), SnapshotMode.INITIAL, warehouse.resolve("_work/" + SOURCE));
      PostgresSource source = new PostgresSource(settings);
      out.printf("Capturing %s into the lake at %s%n", ShopDemo.TABLES, warehouse);
      out.flush();
      Instant started = Instant.now();
      AtomicLong changesMade = new AtomicLong();
      AtomicReference<Throwable> workloadFailure = new AtomicReference<>();
      Path models = DemoModels.install(warehouse.resolve("_demo/models"));
      MetricsRegistry metrics = new MetricsRegistry();
      TableActivity activity = new TableActivity();
      List<SourceInfo> sourceInfos = List.of(PipelineGroup.sourceInfo(settings));
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
        Thread workload = workload(postgres, shop, stopRequested, changesMade, workloadFailure);
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
        awaitCatchUp(postgres, opened, Duration.ofSeconds(30));
        group.close();
        for (ModelRunResult result : gold.finish()) {
          out.println(ModelsCommand.describe(result));
        }
        summary(out, postgres, opened, warehouse);
      } finally {
        ServerStart.closeProbes(sourceInfos);
      }
    }
  }

  /** Waits until every silver table has as many rows as its source table, or the time is up. */
  private static void awaitCatchUp(EmbeddedPostgresServer postgres, Lake lake, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog());
        Connection connection = postgres.connection("shop");
        Statement statement = connection.createStatement()) {
      while (Instant.now().isBefore(deadline)) {
        engine.refresh();
        boolean caughtUp = true;
        for (String table : List.of("clients", "orders")) {
          if (!engine.tables().contains("silver." + table) || lakeRows(engine, "silver." + table) != sourceRows(statement, table)) {
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

  private static long sourceRows(Statement statement, String table) throws Exception {
    try (ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table)) {
      result.next();
      return result.getLong(1);
    }
  }

  private Thread workload(EmbeddedPostgresServer postgres, ShopDemo shop, AtomicBoolean stop, AtomicLong made,
      AtomicReference<Throwable> failure) {
    Thread thread = new Thread(() -> {
      long pause = Math.max(1, 1000L / Math.max(1, rate));
      try (Connection connection = postgres.connection("shop")) {
        while (!stop.get()) {
          shop.step(connection);
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

  private static void summary(PrintWriter out, EmbeddedPostgresServer postgres, Lake lake, Path warehouse) throws Exception {
    out.println();
    out.println("The lake now holds (the source's own count in parentheses):");
    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog());
        Connection connection = postgres.connection("shop");
        Statement statement = connection.createStatement()) {
      for (String table : engine.tables()) {
        long rows = lakeRows(engine, table);
        String source = table.startsWith("silver.")
            ? String.format("  (%,d)", sourceRows(statement, table.substring(table.indexOf('.') + 1)))
            : "";
        out.printf("  %-26s %,10d rows%s%n", table, rows, source);
      }
    }
    String lakeArgument = warehouse.equals(Path.of("lake").toAbsolutePath().normalize()) ? "" : " --lake " + warehouse;
    out.println();
    out.println("Look around:");
    out.printf("  bin/tributary query%s \"SELECT status, count(*), sum(amount) FROM silver.orders GROUP BY status\"%n", lakeArgument);
    out.printf("  bin/tributary query%s \"SELECT _op, count(*) FROM bronze.orders GROUP BY _op\"%n", lakeArgument);
    out.printf("  bin/tributary query%s \"SELECT id, city, email, _valid_from, _valid_to FROM history.clients "
        + "WHERE id = (SELECT id FROM history.clients GROUP BY id ORDER BY count(*) DESC, id LIMIT 1) ORDER BY _valid_from\"%n",
        lakeArgument);
    out.printf("  bin/tributary status%s%n", lakeArgument.isEmpty() ? "" : lakeArgument);
    out.println("Run the demo again to carry on from here.");
    out.flush();
  }
}
