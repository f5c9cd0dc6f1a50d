package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.api.spi.Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one PostgreSQL database through logical replication (pgoutput) with the Debezium
 * embedded engine: an initial snapshot, then every committed change.
 *
 * <p>The engine's offsets are seeded from the lake and kept in memory only. The replication slot's
 * flushed position advances only as far as {@link #acknowledge} allows: records are handed to
 * Debezium's committer only once the lake holds them.
 */
public final class PostgresSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(PostgresSource.class);

  private final PostgresSourceSettings settings;
  private RecordConverter converter;
  private final Object commitLock = new Object();
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Position lastDelivered;
  private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
  private ExecutorService executor;

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
    converter = new RecordConverter(settings.name(), settings.tablePrefix(), preflight.tablesWithFullIdentity());
    resumeAfter.ifPresent(position -> lastDelivered = position);
    try {
      Files.createDirectories(settings.workDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create work directory " + settings.workDirectory() + " of source " + settings.name(), e);
    }
    engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
        .using(engineProperties(resumeAfter))
        .notifying((records, committer) -> {
          try {
            handleBatch(records, committer, sink);
          } catch (RuntimeException | Error e) {
            // The engine would retry or stall on its own; the pipeline must stop and say why.
            sink.failed(new IllegalStateException("Source " + settings.name() + " cannot convert a change: " + e.getMessage(), e));
            throw e;
          }
        })
        .using((success, message, error) -> {
          if (!success && !closed.get()) {
            sink.failed(new IllegalStateException("Source " + settings.name() + " stopped: " + message, error));
          }
        })
        .build();
    executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tributary-source-" + settings.name());
      thread.setDaemon(true);
      return thread;
    });
    executor.execute(engine);
    log.info("Source {}: capturing {} from {}:{}/{} ({})", settings.name(), settings.tables(), settings.host(), settings.port(),
        settings.database(), resumeAfter.map(position -> "resuming after " + position.sortKey()).orElse(
            settings.snapshotMode() == SnapshotMode.INITIAL ? "initial snapshot first" : "no snapshot"));
  }

  private void handleBatch(
      List<RecordChangeEvent<SourceRecord>> records,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
      ChangeSink sink) throws InterruptedException {
    for (RecordChangeEvent<SourceRecord> change : records) {
      SourceRecord record = change.record();
      if (RecordConverter.isHeartbeat(record)) {
        Position position = converter.position(record, true);
        if (lastDelivered != null && !position.isAfter(lastDelivered)) {
          position = new Position(lastDelivered.sortKey(), position.resumeToken(), position.inSnapshot());
        }
        remember(change, committer, position);
        sink.progress(position);
        continue;
      }
      Position position = converter.position(record, false);
      if (lastDelivered != null && !position.isAfter(lastDelivered)) {
        // Sent again after a restart: the lake has it.
        continue;
      }
      Optional<io.tributary.api.ChangeEvent> event = converter.convert(record, position);
      remember(change, committer, position);
      lastDelivered = position;
      if (event.isPresent()) {
        sink.accept(event.get());
      } else {
        sink.progress(position);
      }
    }
  }

  private void remember(
      RecordChangeEvent<SourceRecord> record,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
      Position position) {
    synchronized (commitLock) {
      pending.addLast(new Pending(record, committer, position));
    }
  }

  @Override
  public void acknowledge(Position position) {
    requireNonNull(position, "position is null");
    synchronized (commitLock) {
      Pending newest = null;
      while (!pending.isEmpty() && !pending.peekFirst().position().isAfter(position)) {
        newest = pending.pollFirst();
      }
      if (newest == null || closed.get()) {
        return;
      }
      try {
        newest.committer().markProcessed(newest.record());
        newest.committer().markBatchFinished();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // The slot keeps the data; the next acknowledgement moves it on.
        log.warn("Source {}: cannot confirm position {} to PostgreSQL yet: {}", settings.name(), position.sortKey(), e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (engine != null) {
        engine.close();
      }
    } catch (IOException e) {
      log.warn("Source {}: engine did not close cleanly: {}", settings.name(), e.getMessage());
    }
    if (executor != null) {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    log.info("Source {}: stopped", settings.name());
  }

  private Properties engineProperties(Optional<Position> resumeAfter) {
    Properties properties = new Properties();
    properties.setProperty(LakeOffsetStore.ENGINE_NAME, "tributary-" + settings.name());
    properties.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    properties.setProperty("offset.storage", LakeOffsetStore.class.getName());
    properties.setProperty("offset.flush.interval.ms", "0");
    properties.setProperty("offset.flush.timeout.ms", "10000");
    resumeAfter.ifPresent(position -> properties.setProperty(LakeOffsetStore.RESUME_OFFSET, position.resumeToken()));
    properties.setProperty(LakeOffsetStore.TOPIC_PREFIX, settings.name());
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

  private record Pending(
      RecordChangeEvent<SourceRecord> record,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
      Position position) {}
}
