package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * How {@code history.<table>} keeps the versions of each key (SCD type 2).
 *
 * @param enabled whether the table gets a history table at all (it also needs a key)
 * @param effectiveFrom the column whose value starts a version; empty means the source commit time
 * @param track the columns whose changes open a new version; empty means every column
 */
public record HistoryConfig(boolean enabled, Optional<String> effectiveFrom, List<String> track) {
  /** History on commit time with every column tracked. */
  public static final HistoryConfig DEFAULT = new HistoryConfig(true, Optional.empty(), List.of());

  public HistoryConfig {
    requireNonNull(effectiveFrom, "effectiveFrom is null");
    track = List.copyOf(requireNonNull(track, "track is null"));
  }
}
