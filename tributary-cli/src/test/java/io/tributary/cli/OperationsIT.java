package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.core.alert.AlertNotifier;
import io.tributary.core.alert.Alerts;
import io.tributary.core.alert.WebhookNotifier;
import io.tributary.core.check.CheckOutcome;
import io.tributary.core.check.CheckResults;
import io.tributary.core.check.TableCheck;
import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.sources.postgres.PostgresSlotProbe;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running pipeline's operations against real PostgreSQL and a real HTTP receiver: a replication role
 * that is not a superuser (the SQL of docs/operations.md), heartbeats that let the slot release WAL
 * while the captured table is idle and another table is busy, WAL alerts without repeats and their
 * resolution, the pause-and-alert policy at the critical threshold, and check alerts.
 */
class OperationsIT {
  private static final Pattern SQL_BLOCK = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL);

  @TempDir Path directory;

  @Test
  void heartbeatsReleaseWalAlertsFireOnceAndPausePolicyKeepsTheSlot() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("shop");
      try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2))");
        statement.execute("INSERT INTO orders SELECT i, i FROM generate_series(1, 100) i");
        statement.execute("CREATE TABLE noise (id bigserial PRIMARY KEY, filler text)");
        // The privileges page's SQL, verbatim: a replication role that is not a superuser.
        for (String sql : privilegesSql()) {
          statement.execute(sql);
        }
      }
      Path config = directory.resolve("tributary.yaml");
      Files.writeString(config, """
          lake:
            warehouse: %s
            commit-interval: 500ms
          sources:
            shop:
              type: postgres
              port: %d
              database: shop
              user: tributary
              password: ${env:PGPASSWORD}
              tables: [public.orders]
              heartbeat-interval: 1s
              wal-warning: 8MB
              wal-critical: 48MB
          alerts:
            targets:
              hook: {type: webhook, url: "${env:HOOK}"}
          """.formatted(directory.resolve("lake"), postgres.port()));
      TributaryConfig configuration = TributaryConfig.load(config, Map.of("PGPASSWORD", "change-me",
          "HOOK", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
      CheckResults checks = new CheckResults();
      try (Lake lake = Lake.open(configuration.lake().warehouse());
          Alerts alerts = new Alerts("shop", configuration.alerts().targets().values().stream()
              .map(target -> (AlertNotifier) new WebhookNotifier(target)).toList());
          PipelineGroup group = new PipelineGroup(lake, PipelineGroup.sources(configuration),
              configuration.lake().pipelineSettings(), CommitListener.NONE, configuration::table);
          OperationsMonitor monitor = new OperationsMonitor(configuration, lake, group, alerts, checks,
              Duration.ofMillis(200));
          PostgresSlotProbe slot = new PostgresSlotProbe(
              PipelineGroup.settings(configuration, (io.tributary.core.config.PostgresSourceConfig)
                  configuration.sources().get("shop")), Duration.ZERO)) {
        group.start();
        monitor.start();
        await("snapshot committed", () -> new Checkpoints(lake).read("shop")
            .map(checkpoint -> !checkpoint.position().inSnapshot()).orElse(false));

        // Another table is busy, the captured one idle: the heartbeats' messages let the slot move on.
        try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement()) {
          statement.execute("INSERT INTO noise (filler) SELECT repeat('x', 1000) FROM generate_series(1, 16000)");
        }
        await("warning alert", () -> received.stream().anyMatch(body -> body.contains("\"status\":\"firing\"")
            && body.contains("\"alert\":\"wal:shop\"") && body.contains("\"severity\":\"warning\"")));
        long unconfirmedAfterNoise = slot.read().orElseThrow().lagBytes();
        await("slot confirms past the other table's WAL",
            () -> slot.read().orElseThrow().lagBytes() < 1_000_000);
        await("retained WAL below wal-warning again, alert resolved",
            () -> received.stream().anyMatch(body -> body.contains("\"status\":\"resolved\"")
                && body.contains("\"alert\":\"wal:shop\"")));
        assertThat(unconfirmedAfterNoise).as("WAL the idle slot had not confirmed yet").isGreaterThan(0);
        assertThat(received.stream().filter(body -> body.contains("\"alert\":\"wal:shop\"")))
            .as("one firing and one resolved message, no repeats: %s", received).hasSize(2);

        // An open transaction holds the slot's restart point: WAL piles up to the critical threshold.
        try (Connection open = postgres.connection("shop"); Statement holder = open.createStatement()) {
          open.setAutoCommit(false);
          holder.execute("INSERT INTO noise (filler) VALUES ('held')");
          try (Connection connection = postgres.connection("shop");
              Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO noise (filler) SELECT repeat('y', 1000) FROM generate_series(1, 60000)");
          }
          await("critical alert and paused source", () -> received.stream().anyMatch(body ->
              body.contains("\"severity\":\"critical\"") && body.contains("\"alert\":\"wal:shop\"")
                  && body.contains("paused")));
          assertThat(group.statuses().get(0).state()).isEqualTo(PipelineState.STOPPED);
          assertThat(slot.read()).as("pause-and-alert keeps the slot").isPresent();
          open.rollback();
        }

        // A failed check alerts once, and resolves when the table is equal again.
        checks.record(List.of(check(CheckOutcome.DIFFERENT, 2)));
        await("check alert", () -> received.stream().anyMatch(body -> body.contains("\"alert\":\"check:silver.orders\"")
            && body.contains("\"status\":\"firing\"")));
        checks.record(List.of(check(CheckOutcome.EQUAL, 0)));
        await("check resolved", () -> received.stream().anyMatch(body ->
            body.contains("\"alert\":\"check:silver.orders\"") && body.contains("\"status\":\"resolved\"")));
        assertThat(received.stream().filter(body -> body.contains("check:silver.orders"))).hasSize(2);
        assertThat(received).noneMatch(body -> body.contains("change-me"));
      }
    } finally {
      receiver.stop(0);
    }
  }

  private static TableCheck check(CheckOutcome outcome, long differences) {
    return new TableCheck("shop", "public.orders", "silver.orders", outcome, "LSN 0/1", 100, 100, List.of(),
        differences, 0, List.of("id", "amount"), List.of(), Instant.now(), Duration.ofMillis(5), Optional.empty());
  }

  /** The SQL blocks of the privileges section of docs/operations.md, statement by statement. */
  private static List<String> privilegesSql() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "operations.md"));
    String section = docs.substring(docs.indexOf("## Privileges"));
    Matcher matcher = SQL_BLOCK.matcher(section);
    assertThat(matcher.find()).as("an SQL block in the privileges section").isTrue();
    return java.util.Arrays.stream(matcher.group(1).split(";\\s*\n"))
        .map(String::strip).filter(sql -> !sql.isEmpty()).map(sql -> sql.replace("'...'", "'change-me'")).toList();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(what + " within 120 s").isBefore(deadline);
      Thread.sleep(200);
    }
  }
}
