package io.tributary.sources.debezium;

import io.tributary.api.Position;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * How one Debezium connector's records are ordered: the {@link Position} of each record, in the
 * order the engine delivers them. Sort keys must increase strictly with each data record and be the
 * same when the connector delivers a record again after a restart; resume tokens are offsets the
 * engine accepts back through {@link LakeOffsetStore}.
 *
 * <p>Implementations keep state (snapshot row numbers, groups of records at one offset) and are
 * called from the engine's one thread.
 */
public interface PositionScheme {
  /** The position of {@code record}; {@code heartbeat} says it carries no change. */
  Position position(SourceRecord record, boolean heartbeat);
}
