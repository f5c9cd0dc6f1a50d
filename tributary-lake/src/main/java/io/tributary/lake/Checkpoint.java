package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Position;
import java.time.Instant;

/** The position up to which the lake holds every change of a source, and when it was recorded. */
public record Checkpoint(Position position, Instant committedAt) {
  public Checkpoint {
    requireNonNull(position, "position is null");
    requireNonNull(committedAt, "committedAt is null");
  }
}
