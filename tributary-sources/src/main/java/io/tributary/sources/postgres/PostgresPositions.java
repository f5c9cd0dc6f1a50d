package io.tributary.sources.postgres;

import io.tributary.api.Position;
import io.tributary.sources.debezium.LakeOffsetStore;
import io.tributary.sources.debezium.PositionScheme;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Positions of PostgreSQL records: {@code 0:<row number>} inside the initial snapshot and {@code
 * 1:<commit LSN><change LSN><index>} (fixed-width hex) while streaming. PostgreSQL sends
 * transactions in commit order, so the commit LSN orders transactions and the change LSN orders
 * changes inside one. Both are the same when the slot sends a change again, which is what lets the
 * lake skip it.
 */
final class PostgresPositions implements PositionScheme {
  private long snapshotRows;
  private String groupBase;
  private int groupIndex;
  private String groupResumeToken;
  private String lastToken;

  /**
   * The position of a record; snapshot rows are numbered in delivery order.
   *
   * <p>One source change can become two records at the same LSN (a key update is a delete of the
   * old key and a create of the new), so streaming sort keys end with the record's index within its
   * LSN. Debezium resumes only after a whole LSN, so every streaming record resumes from the record
   * before its LSN began: a restart sends the whole group again and the lake skips what it has.
   */
  @Override
  public Position position(SourceRecord record, boolean heartbeat) {
    Map<String, ?> offset = record.sourceOffset();
    String token = LakeOffsetStore.encode(offset);
    Position position;
    if (inSnapshot(offset) || isLastSnapshotRecord(offset)) {
      long row = heartbeat ? snapshotRows : ++snapshotRows;
      position = new Position("0:" + String.format(Locale.ROOT, "%016d", row), token, !isLastSnapshotRecord(offset));
    } else if (heartbeat) {
      // Below every change of a later transaction, whose keys start with a commit LSN at least this one.
      position = new Position("1:" + hex(longValue(offset.get("lsn_commit"))) + hex(0), token, false);
    } else {
      String base = "1:" + hex(longValue(offset.get("lsn_commit"))) + hex(longValue(offset.get("lsn")));
      if (base.equals(groupBase)) {
        groupIndex++;
      } else {
        groupBase = base;
        groupIndex = 0;
        groupResumeToken = lastToken == null ? token : lastToken;
      }
      position = new Position(base + String.format(Locale.ROOT, "%02x", groupIndex), groupResumeToken, false);
    }
    lastToken = token;
    return position;
  }

  static boolean inSnapshot(Map<String, ?> offset) {
    Object snapshot = offset.get("snapshot");
    boolean snapshotting = snapshot != null && !"false".equalsIgnoreCase(snapshot.toString());
    return snapshotting && !isLastSnapshotRecord(offset);
  }

  private static boolean isLastSnapshotRecord(Map<String, ?> offset) {
    Object last = offset.get("last_snapshot_record");
    return last != null && Boolean.parseBoolean(last.toString());
  }

  private static long longValue(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static String hex(long value) {
    return String.format(Locale.ROOT, "%016x", value);
  }
}
