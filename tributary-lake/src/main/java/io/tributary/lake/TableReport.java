package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What maintenance did to one table, or would do in a dry run.
 *
 * @param table the table, {@code layer.name}
 * @param problem why maintenance of the table failed, when it did
 * @param millis how long it took
 */
public record TableReport(String table, Compaction.Result compaction, SnapshotExpiry.Result expiry,
    OrphanFiles.Result orphans, Optional<String> problem, long millis) {
  public TableReport {
    requireNonNull(table, "table is null");
    requireNonNull(compaction, "compaction is null");
    requireNonNull(expiry, "expiry is null");
    requireNonNull(orphans, "orphans is null");
    requireNonNull(problem, "problem is null");
  }

  static TableReport failed(String table, String problem) {
    return new TableReport(table, Compaction.Result.nothing(0, 0, "failed"), new SnapshotExpiry.Result(0, 0, 0, 0),
        new OrphanFiles.Result(0, 0), Optional.of(problem), 0);
  }

  public int dataFilesBefore() {
    return compaction.dataFilesBefore();
  }

  public int dataFilesAfter() {
    return compaction.dataFilesAfter();
  }

  public int deleteFilesBefore() {
    return compaction.deleteFilesBefore();
  }

  public int deleteFilesAfter() {
    return compaction.deleteFilesAfter();
  }

  /** Data files rewritten (in a dry run: that would be). */
  public int dataFilesRewritten() {
    return compaction.dataFilesRewritten();
  }

  /** Delete files folded into the rewritten rows or dropped as applying to nothing. */
  public int deleteFilesFolded() {
    return compaction.deleteFilesRemoved();
  }

  public long bytesRewritten() {
    return compaction.bytesRewritten();
  }

  public long bytesWritten() {
    return compaction.bytesWritten();
  }

  /** Whether compaction committed a rewrite. */
  public boolean compacted() {
    return compaction.committed();
  }

  /** Why compaction did not commit this round, when it did not. */
  public Optional<String> compactionSkipped() {
    return compaction.skipped();
  }

  public int snapshotsExpired() {
    return expiry.snapshotsExpired();
  }

  /** Files deleted because only expired snapshots referenced them, and their bytes. */
  public int expiredFilesDeleted() {
    return expiry.filesDeleted();
  }

  public long expiredBytesDeleted() {
    return expiry.bytesDeleted();
  }

  public int orphansRemoved() {
    return orphans.filesRemoved();
  }

  public long orphanBytesRemoved() {
    return orphans.bytesRemoved();
  }
}
