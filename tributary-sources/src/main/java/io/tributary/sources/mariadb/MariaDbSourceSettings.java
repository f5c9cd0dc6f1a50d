package io.tributary.sources.mariadb;

import static java.util.Objects.requireNonNull;

import io.tributary.sources.debezium.SnapshotMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to capture from one MariaDB or MySQL server.
 *
 * @param name the source's name in the configuration; names its engine and its lake checkpoint
 * @param server MariaDB or MySQL, which picks the Debezium connector
 * @param tables the captured tables as {@code database.table}
 * @param tablePrefix put before each table's name in the lake ({@code bronze.<prefix><table>})
 * @param serverId the replica server id the source reads the binlog as; unique among the server's replicas
 * @param workDirectory where the source keeps its schema history
 */
public record MariaDbSourceSettings(
    String name,
    BinlogServer server,
    String host,
    int port,
    String user,
    Optional<String> password,
    List<String> tables,
    String tablePrefix,
    long serverId,
    SnapshotMode snapshotMode,
    Path workDirectory) {
  private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*");

  public MariaDbSourceSettings {
    requireNonNull(name, "name is null");
    requireNonNull(server, "server is null");
    requireNonNull(host, "host is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    tables = List.copyOf(requireNonNull(tables, "tables is null"));
    requireNonNull(tablePrefix, "tablePrefix is null");
    requireNonNull(snapshotMode, "snapshotMode is null");
    requireNonNull(workDirectory, "workDirectory is null");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Invalid port of source " + name + ": " + port + " (need 1 to 65535)");
    }
    if (serverId < 1 || serverId > 4_294_967_295L) {
      throw new IllegalArgumentException("Invalid server id of source " + name + ": " + serverId + " (need 1 to 4294967295)");
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("Invalid source " + name + ": no tables to capture");
    }
    for (String table : tables) {
      if (!TABLE.matcher(table).matches()) {
        throw new IllegalArgumentException("Invalid table of source " + name + ": " + table + " (write database.table)");
      }
    }
  }

  /** The databases of the captured tables, in the order first named. */
  public List<String> databases() {
    return tables.stream().map(table -> table.substring(0, table.indexOf('.'))).distinct().toList();
  }

  /** Settings with the password left out, for messages. */
  @Override
  public String toString() {
    return "MariaDbSourceSettings[" + name + " " + server + " " + user + "@" + host + ":" + port + " " + tables + "]";
  }
}
