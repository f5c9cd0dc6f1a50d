package io.tributary.sources.postgres;

import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import java.util.Optional;

/**
 * The initial snapshot before the pgoutput fast path streams: reads every captured table's rows at the consistent
 * point of the source's replication slot, so that streaming from the slot's confirmed position afterwards loses and
 * repeats nothing (decision 0010): Tributary's parallel {@link ChunkedSnapshotStep} by default, Debezium's snapshot
 * ({@link DebeziumSnapshotStep}) with {@code snapshot-reader: debezium}.
 */
interface PostgresSnapshotStep extends AutoCloseable {
  /**
   * Delivers the snapshot's rows to {@code sink}, positioned {@code 0:<row>}, the last with {@link
   * Position#inSnapshot()} false, and returns once it is delivered. The replication slot exists then, created at
   * the snapshot's point, and nothing has advanced its confirmed position.
   *
   * @param resumeAfter the position the lake holds, inside a snapshot that did not finish, or empty
   */
  void run(Optional<Position> resumeAfter, ChangeSink sink) throws InterruptedException;

  /** The last position {@link #run} delivered. */
  Optional<Position> lastPosition();

  /** The lake holds the snapshot's rows up to {@code position}. */
  void acknowledge(Position position);

  @Override
  void close();
}
