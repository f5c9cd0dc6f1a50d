package io.tributary.core.pipeline;

import java.util.Optional;

/** Reads a source's replication slot from its database; empty when the slot does not exist (yet). */
@FunctionalInterface
public interface ReplicationSlotProbe extends AutoCloseable {
  ReplicationSlotProbe NONE = Optional::empty;

  /** @throws RuntimeException when the database cannot be asked now */
  Optional<ReplicationSlotStatus> read();

  @Override
  default void close() {}
}
