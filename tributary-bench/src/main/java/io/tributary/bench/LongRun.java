package io.tributary.bench;

import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Does a long-running pipeline keep its tables flat? One embedded PostgreSQL, one steady workload of
 * updates, inserts and deletes, and two {@code tributary run} processes capturing the same tables into two
 * lakes side by side: one with lake maintenance on, one with it off (the baseline). Every few minutes it
 * prints, per lake, the data and delete files and snapshots per table, the size of silver's metadata file,
 * and how long the SQL engine takes to build its views and to run a GROUP BY over silver.
 *
 * <p>Run by {@code bench/long-run.sh}; see {@code bench/README.md}.
 */
public final class LongRun {
  private static final String QUERY =
      "SELECT status, count(*) AS n, sum(amount) AS total FROM silver.orders GROUP BY ALL ORDER BY ALL";
  private static final String[] STATUSES = {"new", "paid", "shipped", "delivered", "cancelled"};
  private static final List<String> TABLES = List.of("bronze.orders", "silver.orders", "bronze.clients",
      "silver.clients");

  private LongRun() {}

  record Options(Duration duration, Duration every, Duration maintenanceInterval, int rate, int orders,
      List<String> modes, Optional<Path> directory) {
    static Options parse(String[] args) {
      Duration duration = Duration.ofMinutes(30);
      Duration every = Duration.ofMinutes(3);
      Duration interval = Duration.ofMinutes(1);
      int rate = 200;
      int orders = 100_000;
      List<String> modes = List.of("on", "off");
      Optional<Path> directory = Optional.empty();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (arg) {
          case "--duration" -> duration = duration(arg, value);
          case "--every" -> every = duration(arg, value);
          case "--maintenance-interval" -> interval = duration(arg, value);
          case "--rate" -> rate = Integer.parseInt(required(arg, value));
          case "--orders" -> orders = Integer.parseInt(required(arg, value));
          case "--maintenance" -> modes = switch (required(arg, value)) {
            case "on" -> List.of("on");
            case "off" -> List.of("off");
            case "both" -> List.of("on", "off");
            default -> throw new IllegalArgumentException("Invalid --maintenance " + value + " (use on, off or both)");
          };
          case "--dir" -> directory = Optional.of(Path.of(required(arg, value)));
          case "--help" -> {
            System.out.println("""
                bench/long-run.sh [options]
                  --duration D              how long the workload streams (default 30m; 90s, 10m, 1h)
                  --every D                 how often the lakes are measured (default 3m)
                  --maintenance on|off|both which lakes to run: with maintenance, without, or both side by side (both)
                  --maintenance-interval D  lake.maintenance.interval of the maintained lake (default 1m)
                  --rate N                  changes per second committed in PostgreSQL (default 200)
                  --orders N                orders in the table before streaming starts (default 100000)
                  --dir DIR                 keep PostgreSQL and the lakes in DIR (default: a temporary directory)""");
            System.exit(0);
          }
          default -> throw new IllegalArgumentException("Unknown option " + arg + " (see --help)");
        }
        i++;
      }
      return new Options(duration, every, interval, rate, orders, modes, directory);
    }

    private static String required(String option, String value) {
      if (value == null) {
        throw new IllegalArgumentException("Missing value after " + option);
      }
      return value;
    }

    private static Duration duration(String option, String value) {
      String text = required(option, value).trim();
      long amount = Long.parseLong(text.replaceAll("[a-z]+$", ""));
      return switch (text.replaceAll("^[0-9]+", "")) {
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> throw new IllegalArgumentException("Invalid " + option + " " + value + " (write 90s, 10m or 1h)");
      };
    }
  }

  /** One lake and the {@code tributary run} process writing it. */
  private static final class Pipeline {
    final String mode;
    final Path warehouse;
    final TributaryProcess process;
    Lake lake;
    LakeSqlEngine engine;

    Pipeline(String mode, Path warehouse, TributaryProcess process) {
      this.mode = mode;
      this.warehouse = warehouse;
      this.process = process;
    }
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Path directory = options.directory().orElseGet(() -> {
      try {
        return Files.createTempDirectory("tributary-long-run");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    System.out.printf(Locale.ROOT, "Machine: %d cores, Java %s, load average at start %.1f%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf("Workload: %d changes/s (60%% updates, 30%% inserts, 10%% deletes of orders; a client update "
        + "every 20 changes) for %s after loading %,d orders; measured every %s; directory %s%n", options.rate(),
        options.duration(), options.orders(), options.every(), directory);
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(Optional.of(directory.resolve("postgres")),
        0, false)) {
      postgres.createDatabase("shop");
      long maxId = seed(postgres, options.orders());
      List<Pipeline> pipelines = new ArrayList<>();
      try {
        for (String mode : options.modes()) {
          pipelines.add(start(options, directory, postgres, mode));
        }
        measure(options, postgres, maxId, pipelines);
      } finally {
        // A failed run must not leave a pipeline running after the bench has gone.
        for (Pipeline pipeline : pipelines) {
          pipeline.process.close();
        }
      }
    }
  }

  private static void measure(Options options, EmbeddedPostgresServer postgres, long maxId, List<Pipeline> pipelines)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong changes = new AtomicLong();
    Thread workload = new Thread(() -> workload(postgres, options.rate(), maxId, stop, changes), "workload");
    waitForSnapshot(pipelines, postgres);
    System.out.println();
    System.out.println("lake  time   changes | files per table (data+delete)                        snapshots"
        + "  silver meta | views ms  group-by ms (median of 5)");
    long started = System.nanoTime();
    workload.start();
    report(pipelines, 0, changes.get());
    long every = options.every().toNanos();
    long end = started + options.duration().toNanos();
    long next = started + every;
    while (System.nanoTime() < end) {
      for (Pipeline pipeline : pipelines) {
        pipeline.process.checkAlive();
      }
      Thread.sleep(Math.max(1, Math.min(1000, (Math.min(next, end) - System.nanoTime()) / 1_000_000)));
      if (System.nanoTime() >= next) {
        report(pipelines, (System.nanoTime() - started) / 1_000_000_000L, changes.get());
        next += every;
      }
    }
    stop.set(true);
    workload.join();
    System.out.printf("Workload stopped after %,d changes; waiting for the lakes to catch up%n", changes.get());
    catchUp(pipelines, postgres);
    report(pipelines, (System.nanoTime() - started) / 1_000_000_000L, changes.get());
    for (Pipeline pipeline : pipelines) {
      pipeline.engine.close();
      pipeline.lake.close();
      TributaryProcess.Memory memory = pipeline.process.stop();
      System.out.printf("tributary run with maintenance %s: peak RSS %d MB, peak heap used %d MB (after GC %d MB), "
          + "%d collections; log %s%n", pipeline.mode, memory.peakRssMb(), memory.peakHeapUsedMb(),
          memory.peakHeapAfterGcMb(), memory.collections(), pipeline.process.log());
    }
  }

  private static long seed(EmbeddedPostgresServer postgres, int orders) throws SQLException {
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS orders, clients");
      statement.execute("CREATE TABLE clients (id bigint PRIMARY KEY, name text, city text, updated_at timestamptz)");
      statement.execute("CREATE TABLE orders (id bigint PRIMARY KEY, client_id bigint, status text, "
          + "amount numeric(12,2), note text, updated_at timestamptz)");
      statement.execute("INSERT INTO clients SELECT g, 'client ' || g, 'city ' || (g % 20), now() "
          + "FROM generate_series(1, 10000) g");
      statement.execute("INSERT INTO orders SELECT g, 1 + g % 10000, (ARRAY['new','paid','shipped','delivered',"
          + "'cancelled'])[1 + g % 5], (g % 100000) / 100.0, repeat('x', 100), now() FROM generate_series(1, "
          + orders + ") g");
    }
    return orders;
  }

  private static Pipeline start(Options options, Path directory, EmbeddedPostgresServer postgres, String mode)
      throws IOException {
    Path warehouse = directory.resolve("lake-" + mode);
    Path config = directory.resolve("longrun_" + mode + ".yaml");
    Files.writeString(config, """
        lake:
          warehouse: %s
          commit-interval: 1s
          maintenance:
            enabled: %s
            interval: %s
        # Any free port: two pipelines run side by side, and a fixed port may be taken on a shared machine.
        server:
          listen: 127.0.0.1:0
        sources:
          shop:
            type: postgres
            host: 127.0.0.1
            port: %d
            database: shop
            user: postgres
            tables: [public.clients, public.orders]
        """.formatted(warehouse, mode.equals("on"), options.maintenanceInterval().toSeconds() + "s",
        postgres.port()));
    Pipeline pipeline = new Pipeline(mode, warehouse,
        TributaryProcess.start(config, directory.resolve("run-" + mode), "1g", Optional.empty()));
    System.out.printf("Started tributary run with maintenance %s (pid %d), lake %s, log %s%n", mode,
        pipeline.process.pid(), warehouse, pipeline.process.log());
    return pipeline;
  }

  private static void workload(EmbeddedPostgresServer postgres, int rate, long maxId, AtomicBoolean stop,
      AtomicLong changes) {
    Random random = new Random(42);
    long nextId = maxId + 1;
    try (Connection connection = postgres.connection("shop")) {
      connection.setAutoCommit(false);
      PreparedStatement update = connection.prepareStatement(
          "UPDATE orders SET status = ?, amount = ?, updated_at = now() WHERE id = ?");
      PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO orders VALUES (?, ?, ?, ?, repeat('y', 100), now())");
      PreparedStatement delete = connection.prepareStatement("DELETE FROM orders WHERE id = ?");
      PreparedStatement client = connection.prepareStatement(
          "UPDATE clients SET city = ?, updated_at = now() WHERE id = ?");
      long started = System.nanoTime();
      while (!stop.get()) {
        // transactions of 10 changes, paced to the rate
        for (int i = 0; i < 10; i++) {
          int kind = random.nextInt(10);
          long id = 1 + (long) (random.nextDouble() * (nextId - 1));
          if (kind < 6) {
            update.setString(1, STATUSES[random.nextInt(STATUSES.length)]);
            update.setBigDecimal(2, java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
            update.setLong(3, id);
            update.executeUpdate();
          } else if (kind < 9) {
            insert.setLong(1, nextId++);
            insert.setLong(2, 1 + random.nextInt(10_000));
            insert.setString(3, "new");
            insert.setBigDecimal(4, java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
            insert.executeUpdate();
          } else {
            delete.setLong(1, id);
            delete.executeUpdate();
          }
          if (changes.incrementAndGet() % 20 == 0) {
            client.setString(1, "city " + random.nextInt(20));
            client.setLong(2, 1 + random.nextInt(10_000));
            client.executeUpdate();
          }
        }
        connection.commit();
        long due = started + changes.get() * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Workload failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long sourceOrders(EmbeddedPostgresServer postgres) throws SQLException {
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM orders")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static long lakeOrders(Pipeline pipeline) {
    if (pipeline.lake == null) {
      if (!Files.exists(pipeline.warehouse.resolve("catalog.db"))) {
        return -1;
      }
      pipeline.lake = Lake.open(pipeline.warehouse);
      pipeline.engine = new LakeSqlEngine(pipeline.lake.catalog());
    }
    try {
      pipeline.engine.refresh();
      if (!pipeline.engine.tables().contains("silver.orders")) {
        return -1;
      }
      return ((Number) pipeline.engine.query("SELECT count(*) FROM silver.orders").rows().get(0).get(0)).longValue();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static void waitForSnapshot(List<Pipeline> pipelines, EmbeddedPostgresServer postgres) throws Exception {
    long source = sourceOrders(postgres);
    long started = System.nanoTime();
    for (Pipeline pipeline : pipelines) {
      while (lakeOrders(pipeline) != source) {
        pipeline.process.checkAlive();
        Thread.sleep(1000);
      }
    }
    System.out.printf("Initial snapshot of %,d orders in the lakes after %d s%n", source,
        (System.nanoTime() - started) / 1_000_000_000L);
  }

  private static void catchUp(List<Pipeline> pipelines, EmbeddedPostgresServer postgres) throws Exception {
    long source = sourceOrders(postgres);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    for (Pipeline pipeline : pipelines) {
      long rows;
      while ((rows = lakeOrders(pipeline)) != source && System.nanoTime() < deadline) {
        Thread.sleep(1000);
      }
      System.out.printf("Lake with maintenance %s: silver.orders %,d rows, PostgreSQL %,d rows%s%n", pipeline.mode,
          rows, source, rows == source ? " (equal)" : " (NOT caught up)");
    }
  }

  private static void report(List<Pipeline> pipelines, long seconds, long changes) {
    for (Pipeline pipeline : pipelines) {
      lakeOrders(pipeline);
      StringBuilder files = new StringBuilder();
      long snapshots = 0;
      long metadata = 0;
      Map<String, String> perTable = new LinkedHashMap<>();
      for (String name : TABLES) {
        Table table = pipeline.lake.catalog().loadTable(TableIdentifier.parse(name));
        Snapshot current = table.currentSnapshot();
        String data = current == null ? "0" : current.summary().getOrDefault("total-data-files", "?");
        String deletes = current == null ? "0" : current.summary().getOrDefault("total-delete-files", "?");
        perTable.put(name, data + "+" + deletes);
        for (Snapshot ignored : table.snapshots()) {
          snapshots++;
        }
        if (name.equals("silver.orders")) {
          String location = ((HasTableOperations) table).operations().current().metadataFileLocation();
          metadata = pipeline.lake.catalog().loadTable(TableIdentifier.parse(name)).io().newInputFile(location)
              .getLength();
        }
      }
      perTable.forEach((name, count) -> files.append(String.format(Locale.ROOT, "%s %-7s ", name, count)));
      long views = timed(pipeline.engine::refresh);
      List<Long> runs = new ArrayList<>();
      pipeline.engine.query(QUERY);
      for (int i = 0; i < 5; i++) {
        runs.add(timed(() -> pipeline.engine.query(QUERY)));
      }
      runs.sort(Long::compare);
      System.out.printf(Locale.ROOT, "%-4s %4dm%02ds %,8d | %s %6d %8.1f KB | %8d %12d%n", pipeline.mode,
          seconds / 60, seconds % 60, changes, files, snapshots, metadata / 1024.0, views, runs.get(2));
    }
    System.out.flush();
  }

  private static long timed(Runnable action) {
    long started = System.nanoTime();
    action.run();
    return (System.nanoTime() - started) / 1_000_000;
  }
}
