package io.tributary.sql;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * Which version of the lake a {@link LakeSqlEngine} reads: the current snapshots ({@link #current()}), every
 * table as it was at a moment ({@link #timestamp(Instant)}), or one table at one of its snapshots
 * ({@link #snapshot(long)}; the other tables read their current snapshot).
 */
public record AsOf(Optional<Instant> timestamp, Optional<Long> snapshotId) {
  public AsOf {
    requireNonNull(timestamp, "timestamp is null");
    requireNonNull(snapshotId, "snapshotId is null");
    if (timestamp.isPresent() && snapshotId.isPresent()) {
      throw new IllegalArgumentException("Invalid time travel: both timestamp " + timestamp.get() + " and snapshot id "
          + snapshotId.get() + " given (give one of them)");
    }
  }

  public static AsOf current() {
    return new AsOf(Optional.empty(), Optional.empty());
  }

  public static AsOf timestamp(Instant timestamp) {
    return new AsOf(Optional.of(requireNonNull(timestamp, "timestamp is null")), Optional.empty());
  }

  public static AsOf snapshot(long snapshotId) {
    return new AsOf(Optional.empty(), Optional.of(snapshotId));
  }

  public boolean isCurrent() {
    return timestamp.isEmpty() && snapshotId.isEmpty();
  }

  @Override
  public String toString() {
    return timestamp.map(time -> "as of " + time)
        .or(() -> snapshotId.map(id -> "at snapshot " + id))
        .orElse("current");
  }
}
