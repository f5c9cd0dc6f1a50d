package io.tributary.server;

import static java.util.Objects.requireNonNull;

import io.tributary.core.pipeline.ReplicationSlotProbe;
import java.util.List;
import java.util.Optional;

/**
 * A configured source as the server shows it: never its connection secrets.
 *
 * @param name the source's name in the configuration
 * @param type its kind ({@code postgres})
 * @param tables the captured tables as the source names them
 * @param slot the replication slot it reads from, for sources that have one
 * @param probe reads the slot's lag and retained WAL from the database
 */
public record SourceInfo(String name, String type, List<String> tables, Optional<String> slot,
    ReplicationSlotProbe probe) {
  public SourceInfo {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    tables = List.copyOf(requireNonNull(tables, "tables is null"));
    requireNonNull(slot, "slot is null");
    requireNonNull(probe, "probe is null");
  }
}
