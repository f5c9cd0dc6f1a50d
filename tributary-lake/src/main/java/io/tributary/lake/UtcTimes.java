package io.tributary.lake;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Turns instants into the {@link OffsetDateTime}s at UTC that generic records hold, reusing the last result: the
 * changes of one source transaction share a commit time, and those of one batch their ingestion time. One per task:
 * not safe for use by several threads.
 */
final class UtcTimes {
  private Instant last;
  private OffsetDateTime lastUtc;

  OffsetDateTime of(Instant instant) {
    if (!instant.equals(last)) {
      lastUtc = IcebergTypes.utc(instant);
      last = instant;
    }
    return lastUtc;
  }
}
