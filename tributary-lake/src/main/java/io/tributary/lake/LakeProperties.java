package io.tributary.lake;

/** Names of the table properties and snapshot summary entries Tributary reads and writes. */
public final class LakeProperties {
  /**
   * Snapshot summary: sortKey of the last change the table holds after this snapshot; empty after a
   * wipe (the table holds nothing).
   */
  public static final String POSITION = "tributary.position";
  /** Table property and snapshot summary: the configured source the table's rows come from. */
  public static final String SOURCE = "tributary.source";
  /** Table property: the table as the source names it ({@code schema.name}). */
  public static final String SOURCE_TABLE = "tributary.source-table";
  /**
   * Table property of silver: the shaping its rows were written with ({@code TableShaper#fingerprint}),
   * empty or missing for none.
   */
  public static final String SHAPE = "tributary.shape";
  /** Table property prefix of the checkpoints table: {@code tributary.checkpoint.<source>.<field>}. */
  public static final String CHECKPOINT_PREFIX = "tributary.checkpoint.";

  public static final String METADATA_DELETE_AFTER_COMMIT = "write.metadata.delete-after-commit.enabled";
  public static final String METADATA_PREVIOUS_VERSIONS_MAX = "write.metadata.previous-versions-max";
  public static final int METADATA_PREVIOUS_VERSIONS = 20;

  private LakeProperties() {}
}
