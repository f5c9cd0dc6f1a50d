package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The {@code lake.maintenance} section: background upkeep of the lake's tables (compaction of small
 * files and deletes, snapshot expiry, orphan file removal).
 *
 * @param enabled whether {@code run} schedules maintenance
 * @param interval the pause between two maintenance rounds
 * @param minInputFiles the fewest files (small data files and delete files) of one partition worth a rewrite
 * @param targetFileSizeBytes the size compaction writes files up to; files under 3/4 of it count as small
 * @param snapshotRetention how long snapshots stay readable (time travel) before they are expired
 * @param minSnapshots the fewest snapshots each table keeps, however old
 * @param orphanAge how old an unreferenced file must be before it is removed
 */
public record MaintenanceConfig(boolean enabled, Duration interval, int minInputFiles, long targetFileSizeBytes,
    Duration snapshotRetention, int minSnapshots, Duration orphanAge) {
  /** Shorter could remove the files of a commit that is being written. */
  public static final Duration MIN_ORPHAN_AGE = Duration.ofHours(1);

  public MaintenanceConfig {
    requireNonNull(interval, "interval is null");
    requireNonNull(snapshotRetention, "snapshotRetention is null");
    requireNonNull(orphanAge, "orphanAge is null");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("Invalid maintenance interval: " + interval + " (must be positive)");
    }
    if (minInputFiles < 2) {
      throw new IllegalArgumentException("Invalid min input files: " + minInputFiles + " (must be at least 2)");
    }
    if (targetFileSizeBytes < 1) {
      throw new IllegalArgumentException("Invalid target file size: " + targetFileSizeBytes + " (must be positive)");
    }
    if (snapshotRetention.isNegative() || snapshotRetention.isZero()) {
      throw new IllegalArgumentException("Invalid snapshot retention: " + snapshotRetention + " (must be positive)");
    }
    if (minSnapshots < 1) {
      throw new IllegalArgumentException("Invalid min snapshots: " + minSnapshots + " (must be at least 1)");
    }
    if (orphanAge.compareTo(MIN_ORPHAN_AGE) < 0) {
      throw new IllegalArgumentException("Invalid orphan age: " + orphanAge + " (must be at least " + MIN_ORPHAN_AGE
          + ": a younger file may belong to a commit being written)");
    }
  }

  /** The defaults of every key, as a file without a {@code maintenance} section gets them. */
  public static MaintenanceConfig defaults() {
    return new MaintenanceConfig(
        ConfigKeys.MAINTENANCE_ENABLED.defaultValue().orElseThrow(),
        ConfigKeys.MAINTENANCE_INTERVAL.defaultValue().orElseThrow(),
        ConfigKeys.MAINTENANCE_MIN_INPUT_FILES.defaultValue().orElseThrow(),
        ConfigKeys.MAINTENANCE_TARGET_FILE_SIZE.defaultValue().orElseThrow(),
        ConfigKeys.MAINTENANCE_SNAPSHOT_RETENTION.defaultValue().orElseThrow(),
        ConfigKeys.MAINTENANCE_MIN_SNAPSHOTS.defaultValue().orElseThrow(),
        ConfigKeys.MAINTENANCE_ORPHAN_AGE.defaultValue().orElseThrow());
  }

  /** Files smaller than this are worth merging with others. */
  public long smallFileBytes() {
    return targetFileSizeBytes / 4 * 3;
  }
}
