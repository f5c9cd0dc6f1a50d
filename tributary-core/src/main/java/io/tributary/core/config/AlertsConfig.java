package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code alerts} section: where alerts go and when lag raises one.
 *
 * @param lag the lag above which a source raises an alert
 * @param targets the webhooks alerts are sent to, by name, in file order
 */
public record AlertsConfig(Duration lag, Map<String, AlertTargetConfig> targets) {
  public static final AlertsConfig NONE = new AlertsConfig(Duration.ofMinutes(5), Map.of());

  public AlertsConfig {
    requireNonNull(lag, "lag is null");
    targets = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(targets, "targets is null")));
  }
}
