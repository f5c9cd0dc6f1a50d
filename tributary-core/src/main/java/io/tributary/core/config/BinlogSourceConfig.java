package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import io.tributary.api.TableId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A MariaDB ({@code type: mariadb}) or MySQL ({@code type: mysql}) source, captured from the
 * server's row-based binary log.
 *
 * @param name the source's name
 * @param flavor which server it is, which picks the Debezium connector
 * @param host the server's host name or address
 * @param port the server's port
 * @param user the user to connect as
 * @param password the user's password, if the server asks for one
 * @param tables the captured tables, each as {@code database.table}
 * @param tablePrefix put before each table name to form its lake table name
 * @param serverId the replica server id the source reads the binlog as
 * @param snapshot whether existing rows are copied first
 */
public record BinlogSourceConfig(
    String name,
    Flavor flavor,
    String host,
    int port,
    String user,
    Optional<Secret> password,
    List<String> tables,
    String tablePrefix,
    int serverId,
    SnapshotMode snapshot)
    implements SourceConfig {

  /** The server a binlog source reads from. */
  public enum Flavor {
    MARIADB,
    MYSQL;

    /** The value of {@code type} that selects it. */
    public String typeName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public BinlogSourceConfig {
    requireNonNull(name, "name is null");
    requireNonNull(flavor, "flavor is null");
    requireNonNull(host, "host is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    requireNonNull(tables, "tables is null");
    requireNonNull(tablePrefix, "tablePrefix is null");
    requireNonNull(snapshot, "snapshot is null");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Invalid port for source " + name + ": " + port + " (must be 1 to 65535)");
    }
    if (serverId < 1) {
      throw new IllegalArgumentException("Invalid server id for source " + name + ": " + serverId + " (must be positive)");
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("Invalid tables for source " + name + ": none (list at least one)");
    }
    for (String table : tables) {
      if (table.indexOf('.') < 1 || table.indexOf('.') != table.lastIndexOf('.') || table.endsWith(".")) {
        throw new IllegalArgumentException("Invalid table for source " + name + ": " + table + " (use database.table)");
      }
    }
    tables = List.copyOf(tables);
  }

  @Override
  public String type() {
    return flavor.typeName();
  }

  /** The captured tables as table ids (the database as schema), in configuration order. */
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
