package io.tributary.core.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.core.config.AlertTargetConfig;
import io.tributary.core.config.AlertTargetConfig.AlertTargetType;
import io.tributary.core.config.Secret;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Alerts delivered to a real HTTP receiver: formats, one notification per condition, retries. */
class AlertsTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

  private HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();

  private record Received(String path, String body) {}

  @BeforeEach
  void startReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int status = failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0 ? 503 : 200;
      if (status == 200) {
        received.add(new Received(exchange.getRequestURI().getPath(), body));
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopReceiver() {
    server.stop(0);
  }

  @Test
  void oneNotificationPerConditionThenResolved() throws Exception {
    try (Alerts alerts = alerts(target(AlertTargetType.WEBHOOK, "/hook"))) {
      for (int i = 0; i < 5; i++) {
        alerts.raise("lag:shop", AlertSeverity.WARNING, "Source shop lags 6 min", "changes take 6 min");
      }
      alerts.resolve("other", "never raised");
      assertThat(alerts.active()).extracting(Alert::key).containsExactly("lag:shop");
      alerts.raise("lag:shop", AlertSeverity.CRITICAL, "Source shop lags 20 min", "changes take 20 min");
      alerts.resolve("lag:shop", "lag is 1 s again");
      alerts.resolve("lag:shop", "lag is 1 s again");
      assertThat(alerts.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(alerts.active()).isEmpty();
    }
    assertThat(received).extracting(Received::body).containsExactly(
        "{\"pipeline\":\"shop\",\"alert\":\"lag:shop\",\"status\":\"firing\",\"severity\":\"warning\","
            + "\"title\":\"Source shop lags 6 min\",\"message\":\"changes take 6 min\",\"since\":\"2026-12-01T10:00:00Z\","
            + "\"at\":\"2026-12-01T10:00:00Z\",\"text\":\"[FIRING] WARNING Source shop lags 6 min: changes take 6 min"
            + " (pipeline shop)\"}",
        "{\"pipeline\":\"shop\",\"alert\":\"lag:shop\",\"status\":\"firing\",\"severity\":\"critical\","
            + "\"title\":\"Source shop lags 20 min\",\"message\":\"changes take 20 min\","
            + "\"since\":\"2026-12-01T10:00:00Z\",\"at\":\"2026-12-01T10:00:00Z\",\"text\":\"[FIRING] CRITICAL Source"
            + " shop lags 20 min: changes take 20 min (pipeline shop)\"}",
        "{\"pipeline\":\"shop\",\"alert\":\"lag:shop\",\"status\":\"resolved\",\"severity\":\"critical\","
            + "\"title\":\"Source shop lags 20 min\",\"message\":\"lag is 1 s again\",\"since\":\"2026-12-01T10:00:00Z\","
            + "\"at\":\"2026-12-01T10:00:00Z\",\"text\":\"[RESOLVED] Source shop lags 20 min: lag is 1 s again"
            + " (pipeline shop)\"}");
  }

  @Test
  void slackAndTelegramFormats() throws Exception {
    AlertTargetConfig telegram = new AlertTargetConfig("bot", AlertTargetType.TELEGRAM,
        Secret.of("http://127.0.0.1:" + server.getAddress().getPort()), Optional.of(Secret.of("123:abc")),
        Optional.of("-10042"));
    try (Alerts alerts = alerts(target(AlertTargetType.SLACK, "/slack"), telegram)) {
      alerts.raise("check:silver.orders", AlertSeverity.CRITICAL, "Check failed: silver.orders", "2 keys \"differ\"");
      assertThat(alerts.flush(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(received).containsExactlyInAnyOrder(
        new Received("/slack", "{\"text\":\"[FIRING] CRITICAL Check failed: silver.orders: 2 keys \\\"differ\\\""
            + " (pipeline shop)\"}"),
        new Received("/bot123:abc/sendMessage", "{\"chat_id\":\"-10042\",\"text\":\"[FIRING] CRITICAL Check failed:"
            + " silver.orders: 2 keys \\\"differ\\\" (pipeline shop)\"}"));
  }

  @Test
  void retriesUntilTheReceiverAccepts() throws Exception {
    failuresLeft.set(3);
    try (Alerts alerts = alerts(target(AlertTargetType.SLACK, "/slack"))) {
      alerts.raise("wal:shop", AlertSeverity.WARNING, "Source shop holds 2 GB of WAL", "above wal-warning");
      // The caller never waits for delivery.
      assertThat(received).isEmpty();
      assertThat(alerts.flush(Duration.ofSeconds(20))).isTrue();
    }
    assertThat(received).hasSize(1);
    assertThat(failuresLeft.get()).isZero();
  }

  @Test
  void givesUpOnAReceiverThatIsDownWithoutBlocking() throws Exception {
    AlertTargetConfig down = new AlertTargetConfig("down", AlertTargetType.WEBHOOK,
        Secret.of("http://127.0.0.1:1/hook"), Optional.empty(), Optional.empty());
    try (Alerts alerts = new Alerts("shop", List.of(new WebhookNotifier(down)), CLOCK, Duration.ofMillis(10))) {
      long started = System.nanoTime();
      alerts.raise("source-failed:shop", AlertSeverity.CRITICAL, "Source shop failed", "boom");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
      assertThat(alerts.flush(Duration.ofSeconds(20))).isTrue();
      assertThat(alerts.active()).extracting(Alert::key).containsExactly("source-failed:shop");
    }
  }

  private AlertTargetConfig target(AlertTargetType type, String path) {
    return new AlertTargetConfig(type.name().toLowerCase(), type,
        Secret.of("http://127.0.0.1:" + server.getAddress().getPort() + path), Optional.empty(), Optional.empty());
  }

  private Alerts alerts(AlertTargetConfig... targets) {
    return new Alerts("shop", java.util.Arrays.stream(targets).map(t -> (AlertNotifier) new WebhookNotifier(t)).toList(),
        CLOCK, Duration.ofMillis(50));
  }
}
