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

  /**
   * One line for people: files before and after, what was rewritten, expired and removed ({@code dryRun}: what
   * would be).
   */
  public String describe(boolean dryRun) {
    if (problem.isPresent()) {
      return "failed: " + problem.get();
    }
    StringBuilder line = new StringBuilder();
    if (dryRun) {
      line.append("data files ").append(dataFilesBefore()).append(", delete files ").append(deleteFilesBefore());
      if (dataFilesRewritten() > 0 || deleteFilesFolded() > 0) {
        line.append("; would rewrite ").append(dataFilesRewritten()).append(" data files (")
            .append(bytes(bytesRewritten())).append(") and fold ").append(deleteFilesFolded()).append(" delete files");
      }
    } else {
      line.append("data files ").append(dataFilesBefore()).append(" -> ").append(dataFilesAfter())
          .append(", delete files ").append(deleteFilesBefore()).append(" -> ").append(deleteFilesAfter());
      if (compacted()) {
        line.append("; rewrote ").append(dataFilesRewritten()).append(" data files (").append(bytes(bytesRewritten()))
            .append(") into ").append(compaction.dataFilesWritten()).append(" (").append(bytes(bytesWritten()))
            .append("), folded ").append(deleteFilesFolded()).append(" delete files");
      }
    }
    compactionSkipped().filter(why -> compaction.dataFilesRewritten() > 0 || compaction.deleteFilesRemoved() > 0)
        .ifPresent(why -> line.append("; compaction: ").append(why));
    line.append(dryRun ? "; would expire " : "; expired ").append(snapshotsExpired()).append(" of ")
        .append(expiry.snapshotsBefore()).append(" snapshots");
    if (expiredFilesDeleted() > 0) {
      line.append(" (").append(expiredFilesDeleted()).append(" files, ").append(bytes(expiredBytesDeleted()))
          .append(" deleted)");
    }
    line.append(dryRun ? "; would remove " : "; removed ").append(orphansRemoved()).append(" orphan files");
    if (orphansRemoved() > 0) {
      line.append(" (").append(bytes(orphanBytesRemoved())).append(")");
    }
    return line.append(" in ").append(millis).append(" ms").toString();
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(java.util.Locale.ROOT, "%.1f KB", bytes / 1024.0);
    }
    if (bytes < 1024L * 1024 * 1024) {
      return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }
    return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
  }

  /** Whether maintenance changed anything, or in a dry run would. */
  public boolean changedAnything() {
    return problem.isPresent() || dataFilesRewritten() > 0 || deleteFilesFolded() > 0 || snapshotsExpired() > 0
        || orphansRemoved() > 0;
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
