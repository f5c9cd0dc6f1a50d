package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.snapshot.SnapshotSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to capture from one PostgreSQL database.
 *
 * @param name the source's name in the configuration; names its engine and its lake checkpoint
 * @param tables the captured tables as {@code schema.table}
 * @param tablePrefix put before each table's name in the lake ({@code bronze.<prefix><table>})
 * @param slotName the logical replication slot; created when missing
 * @param publicationName the publication; created for the tables when missing
 * @param heartbeatInterval how often the source reports progress while the tables are idle
 * @param workDirectory where the source may keep files of its own
 * @param capture how changes are streamed
 * @param chunkedSnapshot how the initial snapshot is read by Tributary's chunked reader (parallel {@code COPY}s
 *     of page ranges at the slot's exported snapshot); empty to let Debezium read it
 */
public record PostgresSourceSettings(
    String name,
    String host,
    int port,
    String database,
    String user,
    Optional<String> password,
    List<String> tables,
    String tablePrefix,
    String slotName,
    String publicationName,
    Duration heartbeatInterval,
    SnapshotMode snapshotMode,
    Path workDirectory,
    PostgresCapture capture,
    Optional<SnapshotSettings> chunkedSnapshot) {
  /** How changes are streamed unless the configuration says otherwise. */
  public static final PostgresCapture DEFAULT_CAPTURE = PostgresCapture.PGOUTPUT;

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*");

  public PostgresSourceSettings {
    requireNonNull(name, "name is null");
    requireNonNull(host, "host is null");
    requireNonNull(database, "database is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    tables = List.copyOf(requireNonNull(tables, "tables is null"));
    requireNonNull(tablePrefix, "tablePrefix is null");
    requireNonNull(slotName, "slotName is null");
    requireNonNull(publicationName, "publicationName is null");
    requireNonNull(heartbeatInterval, "heartbeatInterval is null");
    requireNonNull(snapshotMode, "snapshotMode is null");
    requireNonNull(workDirectory, "workDirectory is null");
    requireNonNull(capture, "capture is null");
    requireNonNull(chunkedSnapshot, "chunkedSnapshot is null");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("Invalid port of source " + name + ": " + port + " (need 1 to 65535)");
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("Invalid source " + name + ": no tables to capture");
    }
    for (String table : tables) {
      if (!TABLE.matcher(table).matches()) {
        throw new IllegalArgumentException("Invalid table of source " + name + ": " + table + " (write schema.table)");
      }
    }
    if (!IDENTIFIER.matcher(slotName).matches()) {
      throw new IllegalArgumentException(
          "Invalid replication slot name of source " + name + ": " + slotName + " (lower-case letters, digits and _)");
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("Invalid heartbeat interval of source " + name + ": " + heartbeatInterval);
    }
  }

  /** Settings whose initial snapshot is read by Debezium. */
  public PostgresSourceSettings(String name, String host, int port, String database, String user, Optional<String> password,
      List<String> tables, String tablePrefix, String slotName, String publicationName, Duration heartbeatInterval,
      SnapshotMode snapshotMode, Path workDirectory, PostgresCapture capture) {
    this(name, host, port, database, user, password, tables, tablePrefix, slotName, publicationName, heartbeatInterval,
        snapshotMode, workDirectory, capture, Optional.empty());
  }

  /** Settings that stream with the {@link #DEFAULT_CAPTURE}. */
  public PostgresSourceSettings(String name, String host, int port, String database, String user, Optional<String> password,
      List<String> tables, String tablePrefix, String slotName, String publicationName, Duration heartbeatInterval,
      SnapshotMode snapshotMode, Path workDirectory) {
    this(name, host, port, database, user, password, tables, tablePrefix, slotName, publicationName, heartbeatInterval,
        snapshotMode, workDirectory, DEFAULT_CAPTURE);
  }

  /** The same settings streaming with {@code capture}. */
  public PostgresSourceSettings withCapture(PostgresCapture capture) {
    return new PostgresSourceSettings(name, host, port, database, user, password, tables, tablePrefix, slotName,
        publicationName, heartbeatInterval, snapshotMode, workDirectory, capture, chunkedSnapshot);
  }

  /** The same settings reading the initial snapshot with the chunked reader, or Debezium when empty. */
  public PostgresSourceSettings withChunkedSnapshot(Optional<SnapshotSettings> chunkedSnapshot) {
    return new PostgresSourceSettings(name, host, port, database, user, password, tables, tablePrefix, slotName,
        publicationName, heartbeatInterval, snapshotMode, workDirectory, capture, chunkedSnapshot);
  }

  /** Settings with the password left out, for messages. */
  @Override
  public String toString() {
    return "PostgresSourceSettings[" + name + " " + user + "@" + host + ":" + port + "/" + database + " " + tables + " "
        + capture.name().toLowerCase(java.util.Locale.ROOT) + "]";
  }
}
