package io.tributary.core.pipeline;

import static java.util.Objects.requireNonNull;

/**
 * How far a source's replication slot is behind, as the database reports it.
 *
 * @param slot the slot's name
 * @param active whether a connection is reading from the slot now
 * @param lagBytes WAL written since the position the lake has confirmed ({@code confirmed_flush_lsn})
 * @param retainedBytes WAL the database keeps for the slot ({@code restart_lsn} to the current position),
 *     which grows until the disk fills when nothing reads the slot
 * @param confirmedPosition the confirmed position as the database spells it ({@code 0/1A2B3C4})
 * @param currentPosition the database's current WAL position
 */
public record ReplicationSlotStatus(String slot, boolean active, long lagBytes, long retainedBytes,
    String confirmedPosition, String currentPosition) {
  public ReplicationSlotStatus {
    requireNonNull(slot, "slot is null");
    requireNonNull(confirmedPosition, "confirmedPosition is null");
    requireNonNull(currentPosition, "currentPosition is null");
  }
}
