package io.tributary.sources.mariadb;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.api.spi.Source;
import io.tributary.sources.debezium.DebeziumCapture;
import io.tributary.sources.debezium.RecordConverter;
import io.tributary.sources.debezium.SnapshotMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures tables of one MariaDB or MySQL server from its row-based binary log with the Debezium
 * embedded engine: an initial snapshot, then every committed change.
 *
 * <p>The engine's offsets are seeded from the lake and kept in memory only (decision 4). The
 * connector also keeps a schema history, the DDL it has seen with the binlog position of each, so it
 * can decode rows written before a later schema change. It lives in the source's work directory
 * ({@code <warehouse>/_work/<source>/schema-history.dat}); Debezium replays only the entries at or
 * before the offset it resumes from, so a history that ran ahead of the lake's last commit (a crash
 * after the DDL, before the commit) stays consistent with it. A source that starts over (nothing in
 * the lake) deletes it; a lost one is rebuilt from the tables' current definitions.
 */
public final class MariaDbSource implements Source {
  static final String SCHEMA_HISTORY_FILE = "schema-history.dat";
  private static final Logger log = LoggerFactory.getLogger(MariaDbSource.class);

  private final MariaDbSourceSettings settings;
  private DebeziumCapture capture;

  public MariaDbSource(MariaDbSourceSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public void start(Optional<Position> resumeAfter, ChangeSink sink) {
    requireNonNull(resumeAfter, "resumeAfter is null");
    requireNonNull(sink, "sink is null");
    new MariaDbPreflight(settings).run(resumeAfter.map(Position::resumeToken));
    Path history = settings.workDirectory().resolve(SCHEMA_HISTORY_FILE);
    boolean recoverHistory = false;
    try {
      Files.createDirectories(settings.workDirectory());
      if (resumeAfter.isEmpty()) {
        Files.deleteIfExists(history);
      } else if (!Files.exists(history)) {
        log.warn("Source {}: schema history {} is missing; rebuilding it from the tables' current definitions "
            + "(rows written before a later schema change may not decode)", settings.name(), history);
        recoverHistory = true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare work directory " + settings.workDirectory() + " of source " + settings.name(), e);
    }
    RecordConverter converter = new RecordConverter(settings.name(), settings.tablePrefix(), "db", table -> true,
        MariaDbSource::transactionId);
    capture = new DebeziumCapture(settings.name(), converter, new BinlogPositions(resumeAfter));
    capture.start(engineProperties(history, recoverHistory), resumeAfter, explainingHistoryMismatch(sink, history));
    log.info("Source {}: capturing {} from {} at {}:{} ({})", settings.name(), settings.tables(), settings.server().displayName(),
        settings.host(), settings.port(), resumeAfter.map(position -> "resuming after " + position.sortKey()).orElse(
            settings.snapshotMode() == SnapshotMode.INITIAL ? "initial snapshot first" : "no snapshot"));
  }

  @Override
  public void acknowledge(Position position) {
    requireNonNull(position, "position is null");
    // The server keeps its binlog by its own retention whatever a reader says; nothing to release.
    if (capture != null) {
      capture.acknowledge(position);
    }
  }

  @Override
  public void close() {
    if (capture != null) {
      capture.close();
      log.info("Source {}: stopped", settings.name());
    }
  }

  /**
   * Debezium stops when a row has more or fewer columns than the schema history says the table had
   * at that point of the binlog, and tells to restart it in recovery mode; here that means the history
   * was lost (and rebuilt from the tables' current definitions) or restored from an older copy while
   * the binlog still holds rows written before a later schema change. Say so, and what to do.
   */
  private ChangeSink explainingHistoryMismatch(ChangeSink sink, Path history) {
    return new ChangeSink() {
      @Override
      public void accept(io.tributary.api.ChangeEvent event) throws InterruptedException {
        sink.accept(event);
      }

      @Override
      public void reject(io.tributary.api.DeadLetter deadLetter) throws InterruptedException {
        sink.reject(deadLetter);
      }

      @Override
      public void progress(Position position) throws InterruptedException {
        sink.progress(position);
      }

      @Override
      public void failed(Throwable error) {
        String message = String.valueOf(error.getMessage());
        if (message.contains("internal schema size")) {
          sink.failed(new IllegalStateException("Cannot decode the binlog of source " + settings.name()
              + ": its rows do not match the table definitions in the schema history " + history
              + ", which was lost and rebuilt from the tables' current definitions, or restored from an older copy, "
              + "while the binlog still holds rows written before a later schema change (restore the history file "
              + "that was in use, or start a new lake, or remove the source's tables from it, to capture again from a "
              + "snapshot); " + message, error));
        } else {
          sink.failed(error);
        }
      }
    };
  }

  /** The sequence number of the change's GTID ({@code domain-server-sequence} or {@code uuid:sequence}), else 0. */
  static long transactionId(Struct sourceInfo) {
    Object gtid = sourceInfo.schema().field("gtid") == null ? null : sourceInfo.get("gtid");
    if (gtid == null) {
      return 0;
    }
    String text = gtid.toString();
    int separator = Math.max(text.lastIndexOf('-'), text.lastIndexOf(':'));
    try {
      return Long.parseLong(text.substring(separator + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private Properties engineProperties(Path history, boolean recoverHistory) {
    Properties properties = new Properties();
    properties.setProperty("connector.class", settings.server().connectorClass());
    properties.setProperty("database.hostname", settings.host());
    properties.setProperty("database.port", Integer.toString(settings.port()));
    properties.setProperty("database.user", settings.user());
    settings.password().ifPresent(password -> properties.setProperty("database.password", password));
    properties.setProperty("database.server.id", Long.toString(settings.serverId()));
    if (settings.server() == BinlogServer.MARIADB) {
      properties.setProperty("database.ssl.mode", "disable");
    }
    properties.setProperty("database.include.list", String.join(",", settings.databases()));
    properties.setProperty("table.include.list",
        settings.tables().stream().map(table -> table.replace(".", "\\.")).collect(Collectors.joining(",")));
    properties.setProperty("snapshot.mode", recoverHistory ? "recovery"
        : settings.snapshotMode() == SnapshotMode.INITIAL ? "initial" : "no_data");
    properties.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
    properties.setProperty("schema.history.internal.file.filename", history.toString());
    properties.setProperty("include.schema.changes", "false");
    properties.setProperty("decimal.handling.mode", "precise");
    properties.setProperty("bigint.unsigned.handling.mode", "precise");
    properties.setProperty("binary.handling.mode", "bytes");
    properties.setProperty("time.precision.mode", "adaptive_time_microseconds");
    properties.setProperty("column.propagate.source.type", ".*");
    // BOOL and BOOLEAN are TINYINT(1) on these servers: the lake gets booleans for them.
    properties.setProperty("converters", "boolean");
    properties.setProperty("boolean.type", "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter");
    // YEAR as a number: the driver's default turns it into a date and fails on YEAR 0000.
    properties.setProperty("driver.yearIsDateType", "false");
    properties.setProperty("tombstones.on.delete", "false");
    properties.setProperty("max.batch.size", "4096");
    properties.setProperty("max.queue.size", "16384");
    properties.setProperty("snapshot.fetch.size", "10000");
    properties.setProperty("connect.keep.alive", "true");
    // A lost connection (the server restarting, say) is retried without end; authentication and
    // other permanent errors still stop the source.
    properties.setProperty("errors.max.retries", "-1");
    properties.setProperty("errors.retry.delay.initial.ms", "1000");
    properties.setProperty("errors.retry.delay.max.ms", "30000");
    return properties;
  }
}
