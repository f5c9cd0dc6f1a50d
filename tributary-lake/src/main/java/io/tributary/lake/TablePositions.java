package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/** Reads the source position a lake table holds changes up to ({@link LakeProperties#POSITION}). */
public final class TablePositions {
  private TablePositions() {}

  /**
   * The sortKey of the last change {@code table} holds: from the newest snapshot, walking back
   * through parents, that records one (commits by other tools, such as compaction, may not).
   * Empty when the table has none or its last positioned snapshot is a wipe.
   *
   * @throws IllegalStateException if the walk reaches an expired snapshot before finding a position
   */
  public static Optional<String> recorded(Table table) {
    requireNonNull(table, "table is null");
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      String position = snapshot.summary().get(LakeProperties.POSITION);
      if (position != null) {
        return position.isEmpty() ? Optional.empty() : Optional.of(position);
      }
      Long parent = snapshot.parentId();
      if (parent == null) {
        return Optional.empty();
      }
      snapshot = table.snapshot(parent);
      if (snapshot == null) {
        throw new IllegalStateException("Cannot find the source position of table " + table.name()
            + ": no snapshot back to expired snapshot " + parent + " records " + LakeProperties.POSITION
            + " (commits by other tools must copy " + LakeProperties.POSITION
            + " into their summary; set it on a new snapshot by hand)");
      }
    }
    return Optional.empty();
  }
}
