package io.tributary.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys of checks, alerts and replication slot safety. */
class OperationsConfigTest {
  private static final String BASE = """
      lake: {warehouse: /lake}
      sources:
        shop:
          type: postgres
          database: shop
          user: u
          tables: [orders]
      """;

  @TempDir Path dir;

  @Test
  void defaultsWhenAbsent() throws IOException {
    TributaryConfig config = load(BASE);
    assertThat(config.checks()).isEqualTo(ChecksConfig.NONE);
    assertThat(config.alerts()).isEqualTo(AlertsConfig.NONE);
    PostgresSourceConfig shop = (PostgresSourceConfig) config.sources().get("shop");
    assertThat(shop.walWarning()).isEqualTo(1L << 30);
    assertThat(shop.walCritical()).isEqualTo(10L << 30);
    assertThat(shop.walPolicy()).isEqualTo(WalPolicy.PAUSE_AND_ALERT);
  }

  @Test
  void readsChecksAlertsAndWalKeys() throws IOException {
    TributaryConfig config = load(BASE.replace("tables: [orders]", """
        tables: [orders]
            wal-warning: 512MB
            wal-critical: 2GB
            wal-policy: drop-and-resnapshot""") + """
        checks: {interval: 1h}
        alerts:
          lag: 30s
          targets:
            chat: {type: slack, url: "${env:HOOK}"}
            bot: {type: telegram, token: "${env:TOKEN}", chat-id: "42"}
        """, Map.of("HOOK", "http://127.0.0.1:9/hook", "TOKEN", "123:abc"));
    assertThat(config.checks().interval()).contains(Duration.ofHours(1));
    assertThat(config.alerts().lag()).isEqualTo(Duration.ofSeconds(30));
    AlertTargetConfig chat = config.alerts().targets().get("chat");
    assertThat(chat.type()).isEqualTo(AlertTargetConfig.AlertTargetType.SLACK);
    assertThat(chat.url().reveal()).isEqualTo("http://127.0.0.1:9/hook");
    assertThat(chat.toString()).doesNotContain("127.0.0.1");
    AlertTargetConfig bot = config.alerts().targets().get("bot");
    assertThat(bot.url().reveal()).isEqualTo("https://api.telegram.org");
    assertThat(bot.chatId()).isEqualTo(Optional.of("42"));
    PostgresSourceConfig shop = (PostgresSourceConfig) config.sources().get("shop");
    assertThat(shop.walWarning()).isEqualTo(512L << 20);
    assertThat(shop.walCritical()).isEqualTo(2L << 30);
    assertThat(shop.walPolicy()).isEqualTo(WalPolicy.DROP_AND_RESNAPSHOT);
  }

  @Test
  void namesBadValues() throws IOException {
    Path file = write(BASE.replace("tables: [orders]", "tables: [orders]\n    wal-warning: 5 gigs"));
    assertThatThrownBy(() -> TributaryConfig.load(file, Map.of())).hasMessage("Invalid value for "
        + "sources.shop.wal-warning at line 8 of " + file + ": '5 gigs' is not a size (use a whole number with a"
        + " unit: B, kB, MB, GB or TB, for example 512MB or 2GB)");
    Path telegram = write(BASE + "alerts: {targets: {bot: {type: telegram, chat-id: '1'}}}\n");
    assertThatThrownBy(() -> TributaryConfig.load(telegram, Map.of()))
        .hasMessageStartingWith("Missing required key alerts.targets.bot.token");
    Path policy = write(BASE.replace("tables: [orders]", "tables: [orders]\n    wal-policy: drop"));
    assertThatThrownBy(() -> TributaryConfig.load(policy, Map.of())).hasMessageContaining(
        "'drop' is not one of pause-and-alert, drop-and-resnapshot");
  }

  private TributaryConfig load(String text) throws IOException {
    return load(text, Map.of());
  }

  private TributaryConfig load(String text, Map<String, String> environment) throws IOException {
    return TributaryConfig.load(write(text), environment);
  }

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("tributary.yaml"), text);
  }
}
