package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fake client records for demos and load tests ({@code type: generator}): {@code email}, {@code
 * name}, {@code city}, {@code amount} and {@code data_cadastro} (registration date), the same e-mail
 * coming back with later registration dates.
 *
 * @param name the source's name
 * @param table the lake table
 * @param columns declared column types
 * @param rate records per second
 * @param seed makes the records the same from run to run
 * @param clients how many different e-mails the records use
 * @param limit how many records to make in all, when limited
 */
public record GeneratorSourceConfig(
    String name, String table, Map<String, CastType> columns, int rate, long seed, int clients, Optional<Long> limit)
    implements FeedSourceConfig {
  /** The value of {@code type} that selects this source type. */
  public static final String TYPE = "generator";

  public GeneratorSourceConfig {
    requireNonNull(name, "name is null");
    requireNonNull(table, "table is null");
    columns = Map.copyOf(requireNonNull(columns, "columns is null"));
    requireNonNull(limit, "limit is null");
    if (rate < 1 || clients < 1) {
      throw new IllegalArgumentException("Invalid generator " + name + ": rate and clients must be at least 1");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<String> defaultKey() {
    return List.of("email");
  }
}
