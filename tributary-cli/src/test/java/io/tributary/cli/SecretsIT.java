package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret ever reaches the logs or the terminal: {@code run} (JSON logs, an alert whose webhook is
 * down, a scheduled check), {@code check} and {@code status} with a canary password and a canary
 * webhook token.
 */
class SecretsIT {
  private static final String PASSWORD = "canary-P4ss-7d1e";
  private static final String TOKEN = "canary-T0ken-93bc";

  @TempDir Path directory;

  @Test
  void canaryPasswordAndTokenAppearNowhere() throws Exception {
    Path warehouse = directory.resolve("lake");
    Path log = directory.resolve("run.log");
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("shop");
      try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2))");
        statement.execute("INSERT INTO orders SELECT i, i FROM generate_series(1, 500) i");
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
              user: postgres
              password: ${file:password.txt}
              tables: [public.orders]
              heartbeat-interval: 1s
              wal-warning: 1B
          checks:
            interval: 2s
          alerts:
            targets:
              hook: {type: slack, url: "${file:hook.txt}"}
          """.formatted(warehouse, postgres.port()));
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx384m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--log-format",
          "json", "--config", config.toString());
      Files.writeString(directory.resolve("password.txt"), PASSWORD + "\n");
      // Nothing listens there: delivery fails and is retried, and its errors are logged.
      Files.writeString(directory.resolve("hook.txt"), "http://127.0.0.1:1/services/" + TOKEN + "\n");
      builder.redirectErrorStream(true).redirectOutput(log.toFile());
      Process child = builder.start();
      String checkOutput;
      try {
        Instant deadline = Instant.now().plusSeconds(120);
        while (!streaming(warehouse)) {
          assertThat(child.isAlive()).as("run is alive; log:%n%s", Files.readString(log)).isTrue();
          assertThat(Instant.now()).as("snapshot within 120 s; log:%n%s", Files.readString(log)).isBefore(deadline);
          Thread.sleep(250);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), "check", "--config", config.toString());
        checkOutput = out + "\n" + err;
        assertThat(exit).as("check output:%n%s", checkOutput).isZero();
        // run schedules checks of its own too.
        while (!Files.readString(log).contains("Scheduled check: silver.orders equals shop:public.orders")) {
          assertThat(child.isAlive()).as("run is alive; log:%n%s", Files.readString(log)).isTrue();
          assertThat(Instant.now()).as("scheduled check within 120 s; log:%n%s", Files.readString(log))
              .isBefore(deadline.plusSeconds(60));
          Thread.sleep(250);
        }
        child.destroy();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        child.destroyForcibly();
      }
      StringWriter status = new StringWriter();
      Main.execute(new PrintWriter(status), new PrintWriter(status), "status", "--lake", warehouse.toString());

      String output = Files.readString(log);
      assertThat(output)
          .contains("{\"timestamp\":")
          .contains("\"loggerName\":\"io.tributary.core.alert.Alerts\"")
          .contains("Alert WARNING wal:shop")
          .doesNotContain(PASSWORD)
          .doesNotContain(TOKEN);
      assertThat(checkOutput).contains("EQUAL      shop:public.orders = silver.orders: 500 rows")
          .doesNotContain(PASSWORD).doesNotContain(TOKEN);
      assertThat(status.toString()).contains("EQUAL      silver.orders equals shop:public.orders").doesNotContain(PASSWORD).doesNotContain(TOKEN);
    }
  }

  private static boolean streaming(Path warehouse) {
    if (!Files.exists(warehouse.resolve("catalog.db"))) {
      return false;
    }
    try (Lake lake = Lake.open(warehouse)) {
      return new Checkpoints(lake).read("shop").map(checkpoint -> !checkpoint.position().inSnapshot()).orElse(false);
    }
  }
}
