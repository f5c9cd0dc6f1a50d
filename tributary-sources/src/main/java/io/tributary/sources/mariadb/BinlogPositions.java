package io.tributary.sources.mariadb;

import io.tributary.api.Position;
import io.tributary.sources.debezium.LakeOffsetStore;
import io.tributary.sources.debezium.PositionScheme;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Positions of binlog records: {@code 0:<row number>} inside the initial snapshot and {@code
 * 1:<file number><position><event><row><index>} while streaming, each part fixed-width.
 *
 * <p>The server writes a transaction to the binlog when it commits, so the binlog is in commit
 * order. Debezium's offset of a streamed record holds the binlog file, the position where its
 * transaction starts, how many events of the transaction come before the record's event and how
 * many rows of that event before it, which orders records strictly and is the same when the
 * connector reads the event again. A key update is one row but two records (a delete of the old key
 * and a create of the new), both at one offset: the index tells them apart. A record's offset means
 * "resume after this row", so a record resumes from the offset of the record before it: a restart in
 * the middle of a key update reads the whole row again and the lake skips what it has.
 */
final class BinlogPositions implements PositionScheme {
  private long snapshotRows;
  private String groupBase;
  private int groupIndex;
  private String groupResumeToken;
  private String lastToken;

  /** @param resumeAfter the position the source resumes after, whose token resumes a first group */
  BinlogPositions(Optional<Position> resumeAfter) {
    this.lastToken = resumeAfter.map(Position::resumeToken).orElse(null);
  }

  @Override
  public Position position(SourceRecord record, boolean heartbeat) {
    Map<String, ?> offset = record.sourceOffset();
    Position position;
    boolean last = isLastSnapshotRecord(record);
    if (isSnapshot(offset) || last) {
      long row = heartbeat ? snapshotRows : ++snapshotRows;
      // The last snapshot row's offset no longer says snapshot: resuming from it streams from the
      // binlog position the snapshot was taken at.
      String token = LakeOffsetStore.encode(offset);
      position = new Position("0:" + String.format(Locale.ROOT, "%016d", row), token, !last);
      lastToken = token;
      return position;
    }
    String token = LakeOffsetStore.encode(offset);
    String base = "1:" + String.format(Locale.ROOT, "%012d%016x%08x%08x", fileNumber(offset.get("file")),
        longValue(offset.get("pos")), longValue(offset.get("event")), longValue(offset.get("row")));
    if (heartbeat) {
      position = new Position(base + "00", token, false);
    } else {
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

  private static boolean isSnapshot(Map<String, ?> offset) {
    Object snapshot = offset.get("snapshot");
    return snapshot != null && !"false".equalsIgnoreCase(snapshot.toString());
  }

  private static boolean isLastSnapshotRecord(SourceRecord record) {
    if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
      return false;
    }
    Struct source = value.getStruct("source");
    Object snapshot = source.schema().field("snapshot") == null ? null : source.get("snapshot");
    return snapshot != null && "last".equalsIgnoreCase(snapshot.toString());
  }

  /** The number of a binlog file name such as {@code binlog.000042}. */
  static long fileNumber(Object file) {
    String name = String.valueOf(file);
    int dot = name.lastIndexOf('.');
    try {
      return Long.parseLong(name.substring(dot + 1));
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Cannot order binlog position: file name " + name
          + " does not end in a number (the server's log_bin base name must give files such as binlog.000001)", e);
    }
  }

  private static long longValue(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
