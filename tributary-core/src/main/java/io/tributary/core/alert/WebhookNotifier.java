package io.tributary.core.alert;

import static java.util.Objects.requireNonNull;

import io.tributary.core.config.AlertTargetConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Posts alert events as JSON to a webhook: a generic object, Slack's {@code {"text": ...}}, or
 * Telegram's {@code sendMessage}.
 */
public final class WebhookNotifier implements AlertNotifier {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final AlertTargetConfig target;
  private final HttpClient client;

  public WebhookNotifier(AlertTargetConfig target) {
    this.target = requireNonNull(target, "target is null");
    this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  @Override
  public String name() {
    return target.name();
  }

  @Override
  public void send(AlertEvent event) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri())
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(body(event), StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      // The exception may name the address, which may hold a token: say only what failed.
      throw new IOException("alert target " + target.name() + " did not answer: " + e.getClass().getSimpleName());
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException("alert target " + target.name() + " answered HTTP " + response.statusCode());
    }
  }

  /** The request body for {@code event} in the target's format. */
  String body(AlertEvent event) {
    return switch (target.type()) {
      case SLACK -> "{\"text\":" + Json.string(event.text()) + "}";
      case TELEGRAM -> "{\"chat_id\":" + Json.string(target.chatId().orElseThrow()) + ",\"text\":"
          + Json.string(event.text()) + "}";
      case WEBHOOK -> "{\"pipeline\":" + Json.string(event.pipeline())
          + ",\"alert\":" + Json.string(event.alert().key())
          + ",\"status\":" + Json.string(event.status().toLowerCase(java.util.Locale.ROOT))
          + ",\"severity\":" + Json.string(event.alert().severity().name().toLowerCase(java.util.Locale.ROOT))
          + ",\"title\":" + Json.string(event.alert().title())
          + ",\"message\":" + Json.string(event.message())
          + ",\"since\":" + Json.string(event.alert().since().toString())
          + ",\"at\":" + Json.string(event.at().toString())
          + ",\"text\":" + Json.string(event.text()) + "}";
    };
  }

  private URI uri() {
    String base = target.url().reveal();
    if (target.type() == AlertTargetConfig.AlertTargetType.TELEGRAM) {
      String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
      return URI.create(trimmed + "/bot" + target.token().orElseThrow().reveal() + "/sendMessage");
    }
    return URI.create(base);
  }
}
