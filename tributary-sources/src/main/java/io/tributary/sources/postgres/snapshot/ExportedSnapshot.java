package io.tributary.sources.postgres.snapshot;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logical replication slot created with {@code EXPORT_SNAPSHOT}, with the replication connection that
 * holds the exported snapshot open.
 *
 * <p>The snapshot sees exactly the transactions committed before the slot's consistent point, and the slot
 * sends exactly those committed after it: a snapshot read at it followed by streaming from the slot loses
 * and repeats nothing. The snapshot can be imported ({@code SET TRANSACTION SNAPSHOT}) only while this
 * connection is open and has run no other command; keep it open until every reading transaction has
 * imported it (see {@link ChunkedSnapshotReader}), then close it or start streaming on it.
 */
public final class ExportedSnapshot implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExportedSnapshot.class);

  private final Connection replication;
  private final String slotName;
  private final long consistentPoint;
  private final String snapshotName;

  private ExportedSnapshot(Connection replication, String slotName, long consistentPoint, String snapshotName) {
    this.replication = replication;
    this.slotName = slotName;
    this.consistentPoint = consistentPoint;
    this.snapshotName = snapshotName;
  }

  /**
   * Creates slot {@code slotName} (pgoutput) on {@code replication}, a connection opened with {@code
   * replication=database}, which the result then owns.
   *
   * @param temporary whether the slot goes away with the connection (for a read that needs no streaming)
   */
  public static ExportedSnapshot create(Connection replication, String slotName, boolean temporary) throws SQLException {
    requireNonNull(replication, "replication is null");
    requireNonNull(slotName, "slotName is null");
    if (!slotName.matches("[a-z0-9_]{1,63}")) {
      throw new IllegalArgumentException("Invalid replication slot name: " + slotName + " (lower-case letters, digits and _)");
    }
    try (Statement statement = replication.createStatement();
        ResultSet result = statement.executeQuery("CREATE_REPLICATION_SLOT " + slotName + (temporary ? " TEMPORARY" : "")
            + " LOGICAL pgoutput EXPORT_SNAPSHOT")) {
      result.next();
      long point = LogSequenceNumber.valueOf(result.getString("consistent_point")).asLong();
      String snapshot = result.getString("snapshot_name");
      log.info("Created replication slot {} at {} with exported snapshot {}", slotName,
          LogSequenceNumber.valueOf(point).asString(), snapshot);
      return new ExportedSnapshot(replication, slotName, point, snapshot);
    }
  }

  public String slotName() {
    return slotName;
  }

  /** The slot's consistent point: the snapshot holds every transaction committed before it. */
  public long consistentPoint() {
    return consistentPoint;
  }

  /** The consistent point as PostgreSQL writes an LSN ({@code 0/1A2B3C}). */
  public String consistentPointText() {
    return LogSequenceNumber.valueOf(consistentPoint).asString();
  }

  /** The name to import with {@code SET TRANSACTION SNAPSHOT}. */
  public String snapshotName() {
    return snapshotName;
  }

  /** The replication connection, for streaming from the slot once the snapshot is imported everywhere. */
  public Connection connection() {
    return replication;
  }

  /** Closes the replication connection (a temporary slot goes with it). */
  @Override
  public void close() {
    try {
      replication.close();
    } catch (SQLException e) {
      log.debug("Closing the replication connection of slot {} failed", slotName, e);
    }
  }
}
