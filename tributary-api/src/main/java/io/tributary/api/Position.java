package io.tributary.api;

import static java.util.Objects.requireNonNull;

/**
 * Where a change sits in its source's stream.
 *
 * <p>{@link #sortKey()} orders changes: strings compared lexicographically, strictly increasing in
 * the order the source delivers changes, and the same for the same change when the source delivers
 * it again after a restart. It is stored in bronze's {@code _position} column and lets the lake skip
 * changes it already holds.
 *
 * <p>{@link #resumeToken()} is opaque to everything but the source: the source restarts right
 * after the change it describes when given this position back.
 *
 * <p>{@link #inSnapshot()} is true while the source is still reading its initial snapshot: a source
 * restarted from such a position reads the snapshot again from the start.
 */
public record Position(String sortKey, String resumeToken, boolean inSnapshot) implements Comparable<Position> {
  public Position {
    requireNonNull(sortKey, "sortKey is null");
    requireNonNull(resumeToken, "resumeToken is null");
  }

  @Override
  public int compareTo(Position other) {
    return sortKey.compareTo(other.sortKey);
  }

  public boolean isAfter(Position other) {
    return compareTo(other) > 0;
  }
}
