package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code checks} section: reconciliation checks a running pipeline schedules.
 *
 * @param interval how often every table is compared with its source; empty: only {@code tributary check}
 */
public record ChecksConfig(Optional<Duration> interval) {
  public static final ChecksConfig NONE = new ChecksConfig(Optional.empty());

  public ChecksConfig {
    requireNonNull(interval, "interval is null");
  }
}
