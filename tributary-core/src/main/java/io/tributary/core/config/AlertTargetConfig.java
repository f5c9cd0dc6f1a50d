package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One webhook alerts are sent to.
 *
 * @param name the target's name in {@code alerts.targets}
 * @param type the message format the receiver understands
 * @param url the address to post to; for Telegram the API's base address
 * @param token the bot token of a Telegram target
 * @param chatId the chat a Telegram target posts to
 */
public record AlertTargetConfig(
    String name, AlertTargetType type, Secret url, Optional<Secret> token, Optional<String> chatId) {
  public AlertTargetConfig {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(url, "url is null");
    requireNonNull(token, "token is null");
    requireNonNull(chatId, "chatId is null");
    if (type == AlertTargetType.TELEGRAM && (token.isEmpty() || chatId.isEmpty())) {
      throw new IllegalArgumentException("Invalid alert target " + name + ": telegram needs token and chat-id");
    }
  }

  /** The kinds of receivers. */
  public enum AlertTargetType {
    /** A JSON object with the alert's fields. */
    WEBHOOK,
    /** Slack's incoming webhooks: {@code {"text": ...}}. */
    SLACK,
    /** Telegram's Bot API {@code sendMessage} with {@code chat_id} and {@code text}. */
    TELEGRAM
  }
}
