package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.core.alert.AlertNotifier;
import io.tributary.core.alert.Alerts;
import io.tributary.core.alert.WebhookNotifier;
import io.tributary.core.check.CheckResults;
import io.tributary.core.config.PostgresSourceConfig;
import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.core.pipeline.ReplicationSlotStatus;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.sources.postgres.PostgresSlotProbe;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication slot safety against real PostgreSQL, through the source's behaviour only (the slot's
 * confirmed and restart positions as the server reports them), so it holds for any capture path:
 * the drop-and-resnapshot policy at wal-critical, and heartbeats letting an idle captured table's
 * slot release the WAL a busy uncaptured table writes, compared with the same setup without them.
 */
class SlotSafetyIT {
  private static final int NOISE_ROWS = 8_000;

  @TempDir static Path directory;
  static EmbeddedPostgresServer postgres;
  static HttpServer receiver;
  static final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    postgres = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
    receiver.stop(0);
  }

  @Test
  void dropAndResnapshotFreesTheWalReadsTheTablesAgainAndSaysWhatBronzeLacks() throws Exception {
    postgres.createDatabase("drop");
    sql("drop", "CREATE TABLE orders (id int PRIMARY KEY, status text, amount numeric(10,2))",
        "INSERT INTO orders SELECT i, 'new', i FROM generate_series(1, 500) i",
        "CREATE TABLE noise (id bigserial PRIMARY KEY, filler text)");
    TributaryConfig configuration = config("drop", "drop", "    heartbeat-interval: 1s\n    wal-warning: 4MB\n"
        + "    wal-critical: 24MB\n    wal-policy: drop-and-resnapshot\n");
    try (Lake lake = Lake.open(configuration.lake().warehouse());
        Alerts alerts = new Alerts("drop", configuration.alerts().targets().values().stream()
            .map(target -> (AlertNotifier) new WebhookNotifier(target)).toList());
        PipelineGroup group = new PipelineGroup(lake, PipelineGroup.sources(configuration),
            configuration.lake().pipelineSettings(), CommitListener.NONE, configuration::table);
        OperationsMonitor monitor = new OperationsMonitor(configuration, lake, group, alerts, new CheckResults(),
            Duration.ofMillis(200));
        PostgresSlotProbe slot = probe(configuration)) {
      group.start();
      monitor.start();
      await("snapshot committed", () -> new Checkpoints(lake).read("shop")
          .map(checkpoint -> !checkpoint.position().inSnapshot()).orElse(false));
      sql("drop", "UPDATE orders SET status = 'paid' WHERE id <= 100", "DELETE FROM orders WHERE id > 480");
      await("streamed changes in silver", () -> silverEqualsSource(lake, "drop"));
      long bronzeBefore = LakeRows.read(lake, "bronze", "orders", List.of("id")).size();

      // An open transaction holds the slot's restart point while another table writes a lot of WAL.
      try (Connection open = postgres.connection("drop"); Statement holder = open.createStatement()) {
        open.setAutoCommit(false);
        holder.execute("INSERT INTO noise (filler) VALUES ('held')");
        // changes to the captured table while the slot is held: the new snapshot must bring them
        sql("drop", "UPDATE orders SET amount = amount * 10 WHERE id BETWEEN 200 AND 250",
            "INSERT INTO orders VALUES (9001, 'during', 1)",
            "INSERT INTO noise (filler) SELECT repeat('y', 1000) FROM generate_series(1, 30000)");
        await("critical alert: slot dropped", () -> received.stream().anyMatch(body ->
            body.contains("\"alert\":\"wal:shop\"") && body.contains("\"severity\":\"critical\"")
                && body.contains("dropped its slot")));
        open.rollback();
      }
      await("the new snapshot committed", () -> snapshotDone(lake)
          && LakeRows.read(lake, "bronze", "orders", List.of("id", "_op")).contains(List.of(9001, "r")));
      sql("drop", "UPDATE orders SET status = 'after' WHERE id = 1");
      await("silver equals the source again after the new snapshot", () -> silverEqualsSource(lake, "drop"));
      assertThat(silverEqualsSource(lake, "drop")).isTrue();

      String alert = received.stream().filter(body -> body.contains("dropped its slot")).findFirst().orElseThrow();
      assertThat(alert).contains("read again with a new snapshot")
          .contains("bronze and history lack the individual changes");
      ReplicationSlotStatus recreated = slot.read().orElseThrow();
      assertThat(recreated.retainedBytes()).as("the new slot holds little WAL").isLessThan(24L << 20);
      // the new snapshot replaced bronze: every key once as a read, then the change made after it
      List<List<Object>> bronze = LakeRows.read(lake, "bronze", "orders", List.of("id", "_op"));
      assertThat(bronze.stream().filter(row -> "r".equals(row.get(1))).count()).isEqualTo(sourceCount("drop"));
      assertThat(bronze).contains(List.of(1, "u"));
      assertThat(bronzeBefore).as("bronze before the drop: the first snapshot's reads and the changes").isGreaterThan(
          sourceCount("drop") + 100);
      // history agrees with silver: one open version per key
      assertThat(LakeRows.read(lake, "history", "orders", List.of("id", "_is_current")).stream()
          .filter(row -> Boolean.TRUE.equals(row.get(1))).count()).isEqualTo(sourceCount("drop"));
    }
  }

  @Test
  void heartbeatsKeepTheIdleSlotsWalBoundedAndWithoutThemItGrows() throws Exception {
    postgres.createDatabase("beat");
    sql("beat", "CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2))",
        "INSERT INTO orders SELECT i, i FROM generate_series(1, 50) i",
        "CREATE TABLE noise (id bigserial PRIMARY KEY, filler text)");
    long round = noiseBytes("beat");

    // With heartbeats every second, the slot confirms past the other table's WAL after each round.
    TributaryConfig beating = config("beat", "beating", "    heartbeat-interval: 1s\n");
    Duration released;
    try (Lake lake = Lake.open(beating.lake().warehouse());
        PipelineGroup group = group(lake, beating);
        PostgresSlotProbe slot = probe(beating)) {
      group.start();
      await("snapshot committed", () -> snapshotDone(lake));
      Instant started = Instant.now();
      for (int i = 0; i < 2; i++) {
        noise("beat");
        await("slot confirms past the other table's WAL", () -> slot.read().orElseThrow().lagBytes() < round / 4);
      }
      released = Duration.between(started, Instant.now()).dividedBy(2);
      // The server moves the slot's restart point (what it retains) behind the confirmed position only
      // at its next running-transactions record, logged every 15 s while WAL is written (heartbeats write).
      await("WAL retained after two rounds of " + round + " bytes each, with heartbeats, under 1.5 rounds",
          () -> slot.read().orElseThrow().retainedBytes() < 3 * round / 2);
    }
    sql("beat", "SELECT pg_drop_replication_slot('beating_shop')");

    // The same setup with heartbeats that do not come (one an hour): the slot keeps everything.
    TributaryConfig idle = config("beat", "idle", "    heartbeat-interval: 1h\n");
    try (Lake lake = Lake.open(idle.lake().warehouse());
        PipelineGroup group = group(lake, idle);
        PostgresSlotProbe slot = probe(idle)) {
      group.start();
      await("snapshot committed", () -> snapshotDone(lake));
      List<Long> retained = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        noise("beat");
        // several times as long as the slot needed to move with heartbeats, and at least 3 commit rounds
        Thread.sleep(Math.max(3 * released.toMillis(), 3_000));
        ReplicationSlotStatus status = slot.read().orElseThrow();
        assertThat(status.lagBytes()).as("WAL not confirmed after round %s without heartbeats", i + 1)
            .isGreaterThanOrEqualTo((i + 1) * round * 3 / 4);
        retained.add(status.retainedBytes());
      }
      assertThat(retained.get(1)).as("WAL retained after each round without heartbeats: %s", retained)
          .isGreaterThan(retained.get(0) + round / 2);
    }
  }

  private static TributaryConfig config(String database, String pipeline, String sourceKeys) throws Exception {
    Path config = directory.resolve(pipeline + ".yaml");
    Files.writeString(config, """
        name: %s
        lake:
          warehouse: %s
          commit-interval: 300ms
        sources:
          shop:
            type: postgres
            port: %d
            database: %s
            user: postgres
            tables: [public.orders]
        %s
        alerts:
          targets:
            hook: {type: webhook, url: "http://127.0.0.1:%d/hook"}
        """.formatted(pipeline, directory.resolve(pipeline + "-lake"), postgres.port(), database,
        sourceKeys.stripTrailing(), receiver.getAddress().getPort()));
    return TributaryConfig.load(config, Map.of());
  }

  private static PipelineGroup group(Lake lake, TributaryConfig configuration) {
    return new PipelineGroup(lake, PipelineGroup.sources(configuration), configuration.lake().pipelineSettings(),
        CommitListener.NONE, configuration::table);
  }

  private static PostgresSlotProbe probe(TributaryConfig configuration) {
    return new PostgresSlotProbe(PipelineGroup.settings(configuration,
        (PostgresSourceConfig) configuration.sources().get("shop")), Duration.ZERO);
  }

  private static boolean snapshotDone(Lake lake) {
    return new Checkpoints(lake).read("shop").map(checkpoint -> !checkpoint.position().inSnapshot()).orElse(false);
  }

  /** Writes a round of WAL on the uncaptured table. */
  private static void noise(String database) throws Exception {
    sql(database, "INSERT INTO noise (filler) SELECT repeat('x', 1000) FROM generate_series(1, " + NOISE_ROWS + ")");
  }

  /** The WAL one round of noise writes, measured once on the server. */
  private static long noiseBytes(String database) throws Exception {
    try (Connection connection = postgres.connection(database); Statement statement = connection.createStatement()) {
      long before = lsn(statement);
      statement.execute("INSERT INTO noise (filler) SELECT repeat('x', 1000) FROM generate_series(1, " + NOISE_ROWS
          + ")");
      return lsn(statement) - before;
    }
  }

  private static long lsn(Statement statement) throws Exception {
    try (ResultSet result = statement.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
      result.next();
      return result.getLong(1);
    }
  }

  private static boolean silverEqualsSource(Lake lake, String database) {
    try {
      if (!LakeRows.exists(lake, "silver", "orders")) {
        return false;
      }
      List<String> source = new ArrayList<>();
      try (Connection connection = postgres.connection(database); Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT id, status, amount FROM orders ORDER BY id")) {
        while (rows.next()) {
          source.add(rows.getInt(1) + "|" + rows.getString(2) + "|" + rows.getBigDecimal(3));
        }
      }
      List<String> silver = LakeRows.read(lake, "silver", "orders", List.of("id", "status", "amount")).stream()
          .sorted(java.util.Comparator.comparing(row -> (Integer) row.get(0)))
          .map(row -> row.get(0) + "|" + row.get(1) + "|" + row.get(2)).toList();
      return source.equals(silver);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long sourceCount(String database) throws Exception {
    try (Connection connection = postgres.connection(database); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM orders")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void sql(String database, String... statements) throws Exception {
    try (Connection connection = postgres.connection(database); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(what + " within 120 s").isBefore(deadline);
      Thread.sleep(200);
    }
  }
}
