package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the columns of silver and history differ from the source's; bronze always keeps the source's.
 * Every map and list is keyed by source column names and keeps the order of the file.
 *
 * @param rename source column to its name in silver and history
 * @param cast source column to the type it is cast to, spelled as in {@link CastType}
 * @param drop source columns left out
 * @param mask source columns replaced by a salted hash of their value
 * @param computed new column name to the SQL expression, over the source columns, that gives its value
 * @param maskSalt the salt of the masks' hashes; present whenever {@code mask} is not empty
 */
public record ShapeConfig(
    Map<String, String> rename, Map<String, CastType> cast, List<String> drop, List<String> mask,
    Map<String, String> computed, Optional<Secret> maskSalt) {
  /** The source's columns as they are. */
  public static final ShapeConfig NONE =
      new ShapeConfig(Map.of(), Map.of(), List.of(), List.of(), Map.of(), Optional.empty());

  public ShapeConfig {
    rename = ordered(requireNonNull(rename, "rename is null"));
    cast = ordered(requireNonNull(cast, "cast is null"));
    drop = List.copyOf(requireNonNull(drop, "drop is null"));
    mask = List.copyOf(requireNonNull(mask, "mask is null"));
    computed = ordered(requireNonNull(computed, "computed is null"));
    requireNonNull(maskSalt, "maskSalt is null");
    if (!mask.isEmpty() && maskSalt.isEmpty()) {
      throw new IllegalArgumentException("Invalid shape: columns " + mask + " are masked without a mask-salt");
    }
  }

  /** Whether silver and history hold the source's columns unchanged. */
  public boolean isIdentity() {
    return rename.isEmpty() && cast.isEmpty() && drop.isEmpty() && mask.isEmpty() && computed.isEmpty();
  }

  private static <V> Map<String, V> ordered(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
