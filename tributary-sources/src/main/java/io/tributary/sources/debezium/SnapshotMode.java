package io.tributary.sources.debezium;

/** What a Debezium source reads before streaming when the lake holds nothing from it. */
public enum SnapshotMode {
  /** Read every captured table's current rows first, then stream changes. */
  INITIAL,
  /** Stream changes from now on; rows already in the tables are not read. */
  NEVER
}
