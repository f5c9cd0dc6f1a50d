package io.tributary.core.alert;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A condition that is wrong right now, such as {@code lag:shop} or {@code check:silver.orders}.
 *
 * @param key names the condition; one alert per key is active at a time
 * @param severity how urgent it is
 * @param title one short line, such as {@code Source shop lags 7 min}
 * @param message what is wrong and what to do
 * @param since when the condition was first seen
 */
public record Alert(String key, AlertSeverity severity, String title, String message, Instant since) {
  public Alert {
    requireNonNull(key, "key is null");
    requireNonNull(severity, "severity is null");
    requireNonNull(title, "title is null");
    requireNonNull(message, "message is null");
    requireNonNull(since, "since is null");
  }
}
