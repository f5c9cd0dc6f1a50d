package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.check.CheckOutcome;
import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.lake.CheckRecords;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary check} against a running pipeline: a clean lake is equal, also while a workload
 * changes the source; silver changed behind the pipeline's back reports exactly the changed keys.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CheckCommandIT {
  private static final int ORDERS = 1_000;

  @TempDir static Path directory;
  private static EmbeddedPostgresServer postgres;
  private static Lake lake;
  private static PipelineGroup group;
  private static Path config;

  @BeforeAll
  static void startPipeline() throws Exception {
    postgres = EmbeddedPostgresServer.start();
    postgres.createDatabase("shop");
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE orders (id int PRIMARY KEY, client text, amount numeric(10,2), status varchar(20),
            created timestamptz, local_time timestamp, code char(6), paid boolean, day date, at time, data bytea,
            uid uuid, score double precision, tags text[], wait interval, total numeric)""");
      statement.execute("""
          INSERT INTO orders SELECT i, 'client ' || (i % 97), (i * 7 % 10000) / 100.0, 'new',
            timestamptz '2026-01-01 00:00:00.123456+00' + i * interval '1 minute', timestamp '2026-01-01 12:00' + i * interval '1 second',
            'c' || (i % 10), i % 2 = 0, date '2026-01-01' + i % 300, time '08:00' + i * interval '1 second',
            decode(md5(i::text), 'hex'), md5(i::text)::uuid, i / 3.0, ARRAY['a', 'b'], i * interval '1 minute',
            i * 1.5
          FROM generate_series(1, ORDERS) i""".replace("ORDERS", Integer.toString(ORDERS)));
      statement.execute("CREATE TABLE clients (id int PRIMARY KEY, name text)");
      statement.execute("INSERT INTO clients SELECT i, 'name ' || i FROM generate_series(1, 50) i");
    }
    Path warehouse = directory.resolve("lake");
    config = directory.resolve("shop.yaml");
    Files.writeString(config, """
        lake:
          warehouse: %s
          commit-interval: 500ms
        sources:
          shop:
            type: postgres
            port: %d
            database: shop
            user: postgres
            tables: [public.orders, public.clients]
            heartbeat-interval: 1s
        """.formatted(warehouse, postgres.port()));
    TributaryConfig configuration = TributaryConfig.load(config, Map.of());
    lake = Lake.open(warehouse);
    group = new PipelineGroup(lake, PipelineGroup.sources(configuration), configuration.lake().pipelineSettings(),
        CommitListener.NONE, configuration::table);
    group.start();
    Instant deadline = Instant.now().plusSeconds(90);
    while (new Checkpoints(lake).read("shop").map(checkpoint -> checkpoint.position().inSnapshot()).orElse(true)) {
      assertThat(group.failure()).isEmpty();
      assertThat(Instant.now()).as("snapshot committed within 90 s").isBefore(deadline);
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stopPipeline() {
    if (group != null) {
      group.close();
    }
    if (lake != null) {
      lake.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  @Order(1)
  void cleanLakeIsEqualWhileTheSourceChanges() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger changes = new AtomicInteger();
    Thread workload = new Thread(() -> runWorkload(stop, changes), "workload");
    workload.start();
    try {
      while (changes.get() < 200) {
        Thread.sleep(50);
      }
      Result result = check();
      assertThat(result.exit()).as("check output:%n%s", result.output()).isZero();
      assertThat(result.output())
            .contains("EQUAL      shop:public.orders = silver.orders: ")
            .contains("EQUAL      shop:public.clients = silver.clients: 50 rows at LSN ")
            .contains("not compared: tags: its type keeps another text form in the lake; wait: its type keeps"
                + " another text form in the lake")
            .contains("compared by name: id, client, amount, status, created, local_time, code, paid, day, at, data,"
                + " uid, score, total");
      assertThat(changes.get()).as("changes made while checking").isGreaterThan(200);
    } finally {
      stop.set(true);
      workload.join();
    }
    assertThat(group.failure()).isEmpty();
  }

  @Test
  @Order(2)
  void silverChangedBehindThePipelinesBackReportsTheKeys() throws Exception {
    // The source is idle now: the check's own logical message carries the pipeline past the point.
    new SilverTamper(lake, "orders")
        .change(42, row -> row.setField("amount", new BigDecimal("0.01")))
        .change(43, row -> row.setField("status", null))
        .delete(17)
        .add(5, 99_999)
        .commit();

    Result result = check("orders", "public.clients");
    assertThat(result.exit()).as("check output:%n%s", result.output()).isEqualTo(CheckCommand.DIFFERENT);
    String amount42;
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT amount::text, status FROM orders WHERE id = 42")) {
      row.next();
      amount42 = row.getString(1);
    }
    assertThat(result.output())
        .contains("DIFFERENT  shop:public.orders vs silver.orders: 4 keys differ")
        .containsSubsequence(
            "  missing in lake:  id=17\n",
            "  different values: id=42: amount source " + amount42 + ", lake 0.01\n",
            "  different values: id=43: status source new, lake NULL\n",
            "  extra in lake:    id=99999\n")
        .contains("EQUAL      shop:public.clients = silver.clients: 50 rows");

    Map<String, CheckRecords.Stored> stored = new CheckRecords(lake).all();
    assertThat(stored.get("silver.orders").outcome()).isEqualTo(CheckOutcome.DIFFERENT);
    assertThat(stored.get("silver.orders").differences()).isEqualTo(4);
    assertThat(stored.get("silver.clients").outcome()).isEqualTo(CheckOutcome.EQUAL);
  }

  @Test
  @Order(3)
  void unknownTableIsNamed() {
    Result result = check("public.nope");
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.error()).contains("Cannot check table public.nope: it is not a configured table of "
        + config + " (configured: public.orders, public.clients)");
  }

  private record Result(int exit, String output, String error) {}

  private static Result check(String... tables) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = new String[tables.length + 4];
    args[0] = "check";
    args[1] = "--config";
    args[2] = config.toString();
    args[3] = "--wait=60s";
    System.arraycopy(tables, 0, args, 4, tables.length);
    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(exit, out.toString(), err.toString());
  }

  private static void runWorkload(AtomicBoolean stop, AtomicInteger changes) {
    Random random = new Random(7);
    int next = ORDERS + 1;
    try (Connection connection = postgres.connection("shop");
        PreparedStatement update = connection.prepareStatement(
            "UPDATE orders SET amount = amount + 1, status = 'paid', created = now() WHERE id = ?");
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO orders (id, client, amount, status) VALUES (?, 'new client', 1.00, 'new')");
        PreparedStatement delete = connection.prepareStatement("DELETE FROM orders WHERE id = ?")) {
      while (!stop.get()) {
        int kind = random.nextInt(10);
        if (kind < 7) {
          update.setInt(1, 100 + random.nextInt(ORDERS - 100));
          update.executeUpdate();
        } else if (kind < 9) {
          insert.setInt(1, next++);
          insert.executeUpdate();
        } else {
          delete.setInt(1, 100 + random.nextInt(ORDERS - 100));
          delete.executeUpdate();
        }
        changes.incrementAndGet();
        Thread.sleep(5);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
