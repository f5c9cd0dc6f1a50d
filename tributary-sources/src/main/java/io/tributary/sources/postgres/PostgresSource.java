package io.tributary.sources.postgres;

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
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one PostgreSQL database through logical replication (pgoutput): an initial snapshot, then every
 * committed change. Streaming is either Tributary's own pgoutput decoding on pgjdbc's replication stream
 * ({@link PostgresCapture#PGOUTPUT}, with Debezium reading the snapshot) or the Debezium embedded engine.
 *
 * <p>The engine's offsets are seeded from the lake and kept in memory only. The replication slot's
 * flushed position advances only as far as {@link #acknowledge} allows: records are handed to
 * Debezium's committer only once the lake holds them.
 */
public final class PostgresSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(PostgresSource.class);
  /** The prefix of the logical messages the source writes as heartbeats. */
  public static final String HEARTBEAT_PREFIX = "tributary-heartbeat";

  private final PostgresSourceSettings settings;
  private DebeziumCapture capture;
  private PgOutputCapture fastPath;

  public PostgresSource(PostgresSourceSettings settings) {
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
    PostgresPreflight preflight = new PostgresPreflight(settings);
    preflight.run(resumeAfter.isEmpty());
    Set<String> fullIdentity = preflight.tablesWithFullIdentity();
    RecordConverter converter = new RecordConverter(settings.name(), settings.tablePrefix(), "schema", fullIdentity::contains,
        sourceInfo -> sourceInfo.get("txId") == null ? 0 : ((Number) sourceInfo.get("txId")).longValue());
    try {
      Files.createDirectories(settings.workDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create work directory " + settings.workDirectory() + " of source " + settings.name(), e);
    }
    boolean snapshot = settings.snapshotMode() == SnapshotMode.INITIAL
        && (resumeAfter.isEmpty() || resumeAfter.get().inSnapshot());
    if (settings.capture() == PostgresCapture.PGOUTPUT) {
      Optional<PostgresSnapshotStep> step = snapshot
          ? Optional.of(new DebeziumSnapshotStep(settings.name(), converter, engineProperties()))
          : Optional.empty();
      fastPath = new PgOutputCapture(settings, sink, step);
      fastPath.start(resumeAfter);
    } else {
      capture = new DebeziumCapture(settings.name(), converter, new PostgresPositions());
      capture.start(engineProperties(), resumeAfter, sink);
    }
    log.info("Source {}: capturing {} from {}:{}/{} with {} ({})", settings.name(), settings.tables(), settings.host(),
        settings.port(), settings.database(), settings.capture() == PostgresCapture.PGOUTPUT ? "pgoutput" : "Debezium",
        resumeAfter.map(position -> "resuming after " + position.sortKey()).orElse(
            settings.snapshotMode() == SnapshotMode.INITIAL ? "initial snapshot first" : "no snapshot"));
  }

  @Override
  public void acknowledge(Position position) {
    requireNonNull(position, "position is null");
    if (capture != null) {
      capture.acknowledge(position);
    }
    if (fastPath != null) {
      fastPath.acknowledge(position);
    }
  }

  @Override
  public void close() {
    if (capture != null) {
      capture.close();
      log.info("Source {}: stopped", settings.name());
    }
    if (fastPath != null) {
      fastPath.close();
      log.info("Source {}: stopped", settings.name());
    }
  }

  private Properties engineProperties() {
    Properties properties = new Properties();
    properties.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    properties.setProperty("database.hostname", settings.host());
    properties.setProperty("database.port", Integer.toString(settings.port()));
    properties.setProperty("database.user", settings.user());
    settings.password().ifPresent(password -> properties.setProperty("database.password", password));
    properties.setProperty("database.dbname", settings.database());
    properties.setProperty("plugin.name", "pgoutput");
    properties.setProperty("slot.name", settings.slotName());
    properties.setProperty("publication.name", settings.publicationName());
    properties.setProperty("publication.autocreate.mode", "disabled");
    properties.setProperty("table.include.list",
        settings.tables().stream().map(table -> table.replace(".", "\\.")).collect(Collectors.joining(",")));
    properties.setProperty("snapshot.mode", settings.snapshotMode() == SnapshotMode.INITIAL ? "initial" : "no_data");
    properties.setProperty("decimal.handling.mode", "precise");
    properties.setProperty("binary.handling.mode", "bytes");
    properties.setProperty("time.precision.mode", "adaptive_time_microseconds");
    properties.setProperty("interval.handling.mode", "string");
    properties.setProperty("hstore.handling.mode", "json");
    // Types Debezium has no mapping for arrive as their text form instead of disappearing.
    properties.setProperty("include.unknown.datatypes", "true");
    properties.setProperty("column.propagate.source.type", ".*");
    properties.setProperty("unavailable.value.placeholder", RecordConverter.UNAVAILABLE_PLACEHOLDER);
    properties.setProperty("heartbeat.interval.ms", Long.toString(settings.heartbeatInterval().toMillis()));
    // While the captured tables are idle, the slot's position only moves with a transaction it decodes;
    // a transactional logical message is one, so the slot releases the WAL other tables write.
    properties.setProperty("heartbeat.action.query",
        "SELECT pg_logical_emit_message(true, '" + HEARTBEAT_PREFIX + "', now()::text)");
    properties.setProperty("tombstones.on.delete", "false");
    properties.setProperty("max.batch.size", "4096");
    properties.setProperty("max.queue.size", "16384");
    properties.setProperty("snapshot.fetch.size", "10000");
    properties.setProperty("slot.drop.on.stop", "false");
    // A lost connection (the server restarting, say) is retried without end; authentication and
    // other permanent errors still stop the source.
    properties.setProperty("errors.max.retries", "-1");
    properties.setProperty("errors.retry.delay.initial.ms", "1000");
    properties.setProperty("errors.retry.delay.max.ms", "30000");
    return properties;
  }
}
