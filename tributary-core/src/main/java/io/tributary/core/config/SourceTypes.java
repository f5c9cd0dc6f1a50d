package io.tributary.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The source types {@code type} can name; register a new type here. */
final class SourceTypes {
  private static final Map<String, SourceType> TYPES = new LinkedHashMap<>();

  static {
    register(new PostgresSourceType());
    register(new BinlogSourceType(BinlogSourceConfig.Flavor.MARIADB));
    register(new BinlogSourceType(BinlogSourceConfig.Flavor.MYSQL));
    FeedSourceTypes.all().forEach(SourceTypes::register);
  }

  private SourceTypes() {}

  private static void register(SourceType type) {
    TYPES.put(type.name(), type);
  }

  static Optional<SourceType> find(String name) {
    return Optional.ofNullable(TYPES.get(name));
  }

  /** The names in registration order. */
  static Set<String> names() {
    return Collections.unmodifiableSet(TYPES.keySet());
  }
}
