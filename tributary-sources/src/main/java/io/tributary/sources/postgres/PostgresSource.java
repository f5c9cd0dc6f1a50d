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
 * ({@link PostgresCapture#PGOUTPUT}) or the Debezium embedded engine.
 *
 * <p>The initial snapshot is read by Tributary's {@link ChunkedSnapshotStep} when {@link
 * PostgresSourceSettings#chunkedSnapshot()} is set, else by Debezium. The chunked step creates the slot
 * with an exported snapshot and delivers the rows; streaming then starts at the slot's consistent point, on either
 * path (the Debezium engine without a snapshot, resuming from an offset that holds only that LSN).
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
  private final Object lock = new Object();
  private DebeziumCapture capture;
  private PgOutputCapture fastPath;
  private ChunkedSnapshotStep chunkedSnapshot;
  private Thread snapshotThread;
  private boolean closed;

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
    boolean chunked = settings.chunkedSnapshot().isPresent();
    if (settings.capture() == PostgresCapture.PGOUTPUT) {
      Optional<PostgresSnapshotStep> step = !snapshot ? Optional.empty()
          : Optional.of(chunked ? new ChunkedSnapshotStep(settings, settings.chunkedSnapshot().get())
              : new DebeziumSnapshotStep(settings.name(), converter, engineProperties()));
      fastPath = new PgOutputCapture(settings, sink, step);
      fastPath.start(resumeAfter);
    } else if (chunked && snapshot) {
      ChunkedSnapshotStep step = new ChunkedSnapshotStep(settings, settings.chunkedSnapshot().get());
      Thread thread = new Thread(() -> snapshotThenStream(step, converter, sink), "tributary-source-" + settings.name());
      thread.setDaemon(true);
      synchronized (lock) {
        chunkedSnapshot = step;
        snapshotThread = thread;
      }
      thread.start();
    } else {
      stream(converter, resumeAfter, sink);
    }
    log.info("Source {}: capturing {} from {}:{}/{} with {} ({})", settings.name(), settings.tables(), settings.host(),
        settings.port(), settings.database(), settings.capture() == PostgresCapture.PGOUTPUT ? "pgoutput" : "Debezium",
        resumeAfter.map(position -> "resuming after " + position.sortKey()).orElse(
            settings.snapshotMode() == SnapshotMode.INITIAL ? "initial snapshot first" : "no snapshot"));
  }

  /** Starts the Debezium engine; it takes no snapshot of its own when the chunked reader takes them. */
  private void stream(RecordConverter converter, Optional<Position> resumeAfter, ChangeSink sink) {
    Properties properties = engineProperties();
    if (settings.chunkedSnapshot().isPresent()) {
      properties.setProperty("snapshot.mode", "no_data");
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      capture = new DebeziumCapture(settings.name(), converter, new PostgresPositions());
      capture.start(properties, resumeAfter, sink);
    }
  }

  private void snapshotThenStream(ChunkedSnapshotStep step, RecordConverter converter, ChangeSink sink) {
    try {
      step.run(Optional.empty(), sink);
      stream(converter, step.lastPosition(), sink);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      synchronized (lock) {
        if (closed) {
          return;
        }
      }
      sink.failed(new IllegalStateException("Source " + settings.name() + " stopped: " + e.getMessage(), e));
    }
  }

  @Override
  public void acknowledge(Position position) {
    requireNonNull(position, "position is null");
    DebeziumCapture current;
    synchronized (lock) {
      current = capture;
    }
    if (current != null) {
      current.acknowledge(position);
    }
    if (fastPath != null) {
      fastPath.acknowledge(position);
    }
  }

  @Override
  public void close() {
    Thread snapshot;
    DebeziumCapture current;
    synchronized (lock) {
      closed = true;
      snapshot = snapshotThread;
      current = capture;
    }
    if (snapshot != null) {
      chunkedSnapshot.close();
      snapshot.interrupt();
      try {
        snapshot.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (current != null) {
      current.close();
    }
    if (current != null || snapshot != null) {
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
