package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import io.tributary.api.TableId;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A PostgreSQL source ({@code type: postgres}), captured through logical replication.
 *
 * @param name the source's name
 * @param host the server's host name or address
 * @param port the server's port
 * @param database the database to capture
 * @param user the user to connect as
 * @param password the user's password, if the server asks for one
 * @param tables the captured tables, each as {@code schema.table}
 * @param tablePrefix put before each table name to form its lake table name
 * @param slot the logical replication slot
 * @param publication the publication that lists the captured tables
 * @param heartbeatInterval how often the source reports progress while no captured table changes
 * @param snapshot whether existing rows are copied first
 */
public record PostgresSourceConfig(
    String name,
    String host,
    int port,
    String database,
    String user,
    Optional<Secret> password,
    List<String> tables,
    String tablePrefix,
    String slot,
    String publication,
    Duration heartbeatInterval,
    SnapshotMode snapshot)
    implements SourceConfig {
  /** The value of {@code type} that selects this source type. */
  public static final String TYPE = "postgres";

  public PostgresSourceConfig {
    requireNonNull(name, "name is null");
    requireNonNull(host, "host is null");
    requireNonNull(database, "database is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    requireNonNull(tables, "tables is null");
    requireNonNull(tablePrefix, "tablePrefix is null");
    requireNonNull(slot, "slot is null");
    requireNonNull(publication, "publication is null");
    requireNonNull(heartbeatInterval, "heartbeatInterval is null");
    requireNonNull(snapshot, "snapshot is null");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Invalid port for source " + name + ": " + port + " (must be 1 to 65535)");
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("Invalid tables for source " + name + ": none (list at least one)");
    }
    for (String table : tables) {
      if (table.indexOf('.') < 1 || table.indexOf('.') != table.lastIndexOf('.') || table.endsWith(".")) {
        throw new IllegalArgumentException("Invalid table for source " + name + ": " + table + " (use schema.table)");
      }
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException(
          "Invalid heartbeat interval for source " + name + ": " + heartbeatInterval + " (must be positive)");
    }
    tables = List.copyOf(tables);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The captured tables as table ids, in configuration order. */
  public List<TableId> tableIds() {
    return tables.stream()
        .map(table -> {
          int dot = table.indexOf('.');
          return new TableId(name, table.substring(0, dot), table.substring(dot + 1));
        })
        .toList();
  }

  @Override
  public Map<TableId, String> lakeTables() {
    Map<TableId, String> lakeTables = new LinkedHashMap<>();
    for (TableId id : tableIds()) {
      lakeTables.put(id, tablePrefix + id.name());
    }
    return Collections.unmodifiableMap(lakeTables);
  }
}
