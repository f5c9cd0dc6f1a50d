package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires the snapshots of a table older than the retention window, keeping at least the newest few and always the
 * newest one that records a source position ({@link TablePositions} walks back to it), and deletes the files only
 * expired snapshots referenced.
 */
final class SnapshotExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotExpiry.class);

  private SnapshotExpiry() {}

  /** What an expiry did, or would do in a dry run. */
  record Result(int snapshotsBefore, int snapshotsExpired, int filesDeleted, long bytesDeleted) {}

  static Result expire(Table table, Duration retention, int minSnapshots, Instant now, boolean dryRun) {
    requireNonNull(retention, "retention is null");
    requireNonNull(now, "now is null");
    int before = size(table.snapshots());
    if (table.currentSnapshot() == null) {
      return new Result(before, 0, 0, 0);
    }
    ExpireSnapshots update = table.expireSnapshots()
        .expireOlderThan(now.minus(retention).toEpochMilli())
        .retainLast(Math.max(minSnapshots, depthOfLastPosition(table)));
    AtomicInteger files = new AtomicInteger();
    AtomicLong bytes = new AtomicLong();
    update.deleteWith(location -> {
      long length = 0;
      try {
        length = table.io().newInputFile(location).getLength();
      } catch (RuntimeException e) {
        // already gone: nothing to count
      }
      table.io().deleteFile(location);
      files.incrementAndGet();
      bytes.addAndGet(length);
    });
    List<Snapshot> expired = update.apply();
    if (dryRun || expired.isEmpty()) {
      return new Result(before, expired.size(), 0, 0);
    }
    update.commit();
    table.refresh();
    int removed = before - size(table.snapshots());
    LOG.info("Expired {} snapshots of {} and deleted {} files ({} bytes) only they referenced", removed,
        table.name(), files.get(), bytes.get());
    return new Result(before, removed, files.get(), bytes.get());
  }

  /** How many snapshots, counted from the current one back, reach the newest that records a source position. */
  static int depthOfLastPosition(Table table) {
    int depth = 0;
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      depth++;
      if (snapshot.summary().containsKey(LakeProperties.POSITION)) {
        return depth;
      }
    }
    return 1;
  }

  private static int size(Iterable<Snapshot> snapshots) {
    int count = 0;
    for (Snapshot ignored : snapshots) {
      count++;
    }
    return count;
  }
}
