package io.tributary.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The scenarios {@code tributary demo --scenario} knows; the first one is the default. */
final class DemoScenarios {
  static final String DEFAULT = "postgres";
  private static final Map<String, Function<DemoScenario.Options, DemoScenario>> SCENARIOS = new LinkedHashMap<>();

  static {
    SCENARIOS.put("postgres", PostgresShopScenario::new);
    SCENARIOS.put("mariadb", MariaDbShopScenario::new);
  }

  private DemoScenarios() {}

  static Set<String> names() {
    return Collections.unmodifiableSet(SCENARIOS.keySet());
  }

  static DemoScenario create(String name, DemoScenario.Options options) {
    Function<DemoScenario.Options, DemoScenario> factory = SCENARIOS.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("Invalid scenario '" + name + "' (use one of: " + String.join(", ", names()) + ")");
    }
    return factory.apply(options);
  }
}
