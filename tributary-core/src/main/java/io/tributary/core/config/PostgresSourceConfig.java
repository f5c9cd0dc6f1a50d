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
 * @param walWarning bytes of WAL retained by the slot above which a warning alert is raised
 * @param walCritical bytes of WAL retained by the slot at which {@code walPolicy} applies
 * @param walPolicy what happens at {@code walCritical}
 * @param capture how changes are streamed
 * @param snapshotReading how the initial snapshot is read
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
    SnapshotMode snapshot,
    long walWarning,
    long walCritical,
    WalPolicy walPolicy,
    CaptureMode capture,
    PostgresSnapshotConfig snapshotReading)
    implements SourceConfig {
  /** Default of {@code capture}. */
  public static final CaptureMode DEFAULT_CAPTURE = CaptureMode.PGOUTPUT;
  /** Default of {@code wal-warning}: 1 GB. */
  public static final long DEFAULT_WAL_WARNING = 1L << 30;
  /** Default of {@code wal-critical}: 10 GB. */
  public static final long DEFAULT_WAL_CRITICAL = 10L << 30;

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
    requireNonNull(walPolicy, "walPolicy is null");
    requireNonNull(capture, "capture is null");
    requireNonNull(snapshotReading, "snapshotReading is null");
    if (walWarning < 1 || walCritical < walWarning) {
      throw new IllegalArgumentException("Invalid WAL thresholds for source " + name + ": warning " + walWarning
          + " bytes, critical " + walCritical + " bytes (need 0 < wal-warning <= wal-critical)");
    }
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

  /** A source that reads its snapshot the default way. */
  public PostgresSourceConfig(String name, String host, int port, String database, String user,
      Optional<Secret> password, List<String> tables, String tablePrefix, String slot, String publication,
      Duration heartbeatInterval, SnapshotMode snapshot, long walWarning, long walCritical, WalPolicy walPolicy,
      CaptureMode capture) {
    this(name, host, port, database, user, password, tables, tablePrefix, slot, publication, heartbeatInterval,
        snapshot, walWarning, walCritical, walPolicy, capture, PostgresSnapshotConfig.DEFAULT);
  }

  /** A source streaming with the default {@code capture}. */
  public PostgresSourceConfig(String name, String host, int port, String database, String user,
      Optional<Secret> password, List<String> tables, String tablePrefix, String slot, String publication,
      Duration heartbeatInterval, SnapshotMode snapshot, long walWarning, long walCritical, WalPolicy walPolicy) {
    this(name, host, port, database, user, password, tables, tablePrefix, slot, publication, heartbeatInterval,
        snapshot, walWarning, walCritical, walPolicy, DEFAULT_CAPTURE);
  }

  /** A source with the default WAL thresholds and policy. */
  public PostgresSourceConfig(String name, String host, int port, String database, String user,
      Optional<Secret> password, List<String> tables, String tablePrefix, String slot, String publication,
      Duration heartbeatInterval, SnapshotMode snapshot) {
    this(name, host, port, database, user, password, tables, tablePrefix, slot, publication, heartbeatInterval,
        snapshot, DEFAULT_WAL_WARNING, DEFAULT_WAL_CRITICAL, WalPolicy.PAUSE_AND_ALERT);
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
