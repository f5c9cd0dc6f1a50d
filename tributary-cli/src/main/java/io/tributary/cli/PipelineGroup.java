package io.tributary.cli;

import static java.util.Objects.requireNonNull;

import io.tributary.api.TableSchema;
import io.tributary.api.spi.Source;
import io.tributary.core.config.BinlogSourceConfig;
import io.tributary.core.config.FeedSourceConfig;
import io.tributary.core.config.PostgresSnapshotConfig;
import io.tributary.core.config.PostgresSourceConfig;
import io.tributary.core.config.SourceConfig;
import io.tributary.core.config.TableConfig;
import io.tributary.core.config.TributaryConfig;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.core.pipeline.Pipeline;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.core.shape.Shaping;
import io.tributary.core.shape.SqlExpressions;
import io.tributary.core.pipeline.ReplicationSlotProbe;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.LakeLock;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.mariadb.BinlogServer;
import io.tributary.sources.mariadb.MariaDbSource;
import io.tributary.sources.mariadb.MariaDbSourceSettings;
import io.tributary.sources.feed.FeedSources;
import io.tributary.server.SourceInfo;
import io.tributary.sources.postgres.PostgresSlotProbe;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresCapture;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.sources.postgres.snapshot.SnapshotSettings;
import io.tributary.sql.DuckDbExpressions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** The pipelines of one process, one per source, all writing to one lake. The one place that wires them. */
final class PipelineGroup implements AutoCloseable {
  /** The UI polls and Prometheus scrapes; the database is asked about the slot at most this often. */
  private static final Duration SLOT_PROBE_MAX_AGE = Duration.ofSeconds(5);
  // Read without the group's lock: a pipeline's committer asks for the statuses (commit listeners of the
  // server) while close() or restart(), holding the lock, waits for that committer to finish.
  private final List<Pipeline> pipelines = new CopyOnWriteArrayList<>();
  private final List<IcebergLakeWriter> writers = new ArrayList<>();
  private final LazyExpressions expressions = new LazyExpressions();
  private final Lake lake;
  private final PipelineSettings settings;
  private final CommitListener listener;
  private final Shaping shaping;
  private final MetricsRegistry metrics;
  private final LakeLock lock;
  /** The history memory of each source's lake writer: {@code lake.history-memory} shared evenly by the sources. */
  private final long historyMemory;

  /**
   * @param tables the settings of each lake table ({@code TributaryConfig::table}): shaping of silver
   */
  PipelineGroup(Lake lake, List<Source> sources, PipelineSettings settings, CommitListener listener,
      Function<String, TableConfig> tables) {
    this(lake, sources, settings, listener, tables, new MetricsRegistry());
  }

  /**
   * @param tables the settings of each lake table ({@code TributaryConfig::table}): shaping of silver
   * @param metrics where the pipelines record their changes and commits
   */
  PipelineGroup(Lake lake, List<Source> sources, PipelineSettings settings, CommitListener listener,
      Function<String, TableConfig> tables, MetricsRegistry metrics) {
    this.lake = requireNonNull(lake, "lake is null");
    requireNonNull(tables, "tables is null");
    // held while the pipelines may write: keeps a replay of the lake out, and refuses a half-replayed lake
    this.lock = LakeLock.pipeline(lake.warehouse());
    this.settings = requireNonNull(settings, "settings is null");
    this.listener = requireNonNull(listener, "listener is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.shaping = new Shaping(tables, expressions);
    this.historyMemory = settings.historyMemory() / Math.max(1, sources.size());
    for (Source source : sources) {
      IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping, historyMemory);
      writers.add(writer);
      pipelines.add(new Pipeline(source, writer, settings, listener, metrics));
    }
  }

  /**
   * Stops the pipeline of {@code source}: it commits what it received and leaves its replication
   * slot in place. The others run on.
   */
  synchronized void pause(String source) {
    pipeline(source).close();
  }

  /** Replaces the pipeline of {@code source} by a new one reading from {@code replacement}, and starts it. */
  synchronized void restart(String source, Source replacement) {
    int index = pipelines.indexOf(pipeline(source));
    pipelines.get(index).close();
    writers.get(index).close();
    IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping, historyMemory);
    Pipeline pipeline = new Pipeline(replacement, writer, settings, listener, metrics);
    writers.set(index, writer);
    pipelines.set(index, pipeline);
    pipeline.start();
  }

  private Pipeline pipeline(String source) {
    return pipelines.stream().filter(pipeline -> pipeline.name().equals(source)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Invalid source " + source + ": no pipeline runs it"));
  }

  static List<Source> sources(TributaryConfig config) {
    List<Source> sources = new ArrayList<>();
    for (SourceConfig source : config.sources().values()) {
      if (source instanceof PostgresSourceConfig postgres) {
        sources.add(new PostgresSource(settings(config, postgres)));
      } else if (source instanceof BinlogSourceConfig binlog) {
        sources.add(new MariaDbSource(new MariaDbSourceSettings(binlog.name(),
            binlog.flavor() == BinlogSourceConfig.Flavor.MYSQL ? BinlogServer.MYSQL : BinlogServer.MARIADB,
            binlog.host(), binlog.port(), binlog.user(), binlog.password().map(secret -> secret.reveal()), binlog.tables(),
            binlog.tablePrefix(), binlog.serverId(),
            binlog.snapshot() == io.tributary.core.config.SnapshotMode.NEVER ? SnapshotMode.NEVER : SnapshotMode.INITIAL,
            config.lake().warehouse().resolve("_work").resolve(binlog.name()))));
      } else if (source instanceof FeedSourceConfig feed) {
        sources.add(FeedSources.create(feed, config.table(feed.table()), config.lake().warehouse().resolve("_work").resolve(feed.name())));
      } else {
        throw new IllegalArgumentException("Cannot run source " + source.name() + ": type " + source.type() + " has no runner yet");
      }
    }
    return sources;
  }

  /** The sources as the HTTP server shows them; PostgreSQL sources with a probe of their replication slot. */
  static List<SourceInfo> sourceInfos(TributaryConfig config) {
    List<SourceInfo> sources = new ArrayList<>();
    for (SourceConfig source : config.sources().values()) {
      if (source instanceof PostgresSourceConfig postgres) {
        sources.add(sourceInfo(settings(config, postgres)));
      } else if (source instanceof BinlogSourceConfig binlog) {
        sources.add(new SourceInfo(binlog.name(), binlog.type(), binlog.tables(), Optional.empty(),
            ReplicationSlotProbe.NONE));
      } else {
        sources.add(new SourceInfo(source.name(), source.type(), List.of(), Optional.empty(), ReplicationSlotProbe.NONE));
      }
    }
    return sources;
  }

  static SourceInfo sourceInfo(PostgresSourceSettings settings) {
    return new SourceInfo(settings.name(), "postgres", settings.tables(), Optional.of(settings.slotName()),
        new PostgresSlotProbe(settings, SLOT_PROBE_MAX_AGE));
  }

  /** How the PostgreSQL source {@code postgres} of {@code config} connects and captures. */
  static PostgresSourceSettings settings(TributaryConfig config, PostgresSourceConfig postgres) {
    Path work = config.lake().warehouse().resolve("_work");
    return new PostgresSourceSettings(
        postgres.name(), postgres.host(), postgres.port(), postgres.database(), postgres.user(),
        postgres.password().map(secret -> secret.reveal()), postgres.tables(), postgres.tablePrefix(),
        postgres.slot(), postgres.publication(), postgres.heartbeatInterval(),
        postgres.snapshot() == io.tributary.core.config.SnapshotMode.NEVER ? SnapshotMode.NEVER : SnapshotMode.INITIAL,
        work.resolve(postgres.name()),
        postgres.capture() == io.tributary.core.config.CaptureMode.DEBEZIUM ? PostgresCapture.DEBEZIUM : PostgresCapture.PGOUTPUT,
        postgres.snapshotReading().reader() == PostgresSnapshotConfig.Reader.DEBEZIUM ? Optional.empty()
            : Optional.of(new SnapshotSettings(postgres.snapshotReading().threads(), postgres.snapshotReading().chunkRows(),
                postgres.snapshotReading().bufferBytes())));
  }

  synchronized void start() {
    for (Pipeline pipeline : pipelines) {
      pipeline.start();
    }
  }

  List<PipelineStatus> statuses() {
    return pipelines.stream().map(Pipeline::status).toList();
  }

  /** The first failure of any pipeline, once one has failed. */
  Optional<Throwable> failure() {
    for (Pipeline pipeline : pipelines) {
      if (pipeline.state() == PipelineState.FAILED && pipeline.failure().isPresent()) {
        return pipeline.failure();
      }
    }
    return Optional.empty();
  }

  /** Blocks until a pipeline fails or the thread is interrupted; returns the failure. */
  Throwable awaitFailure(Duration poll) throws InterruptedException {
    while (true) {
      Optional<Throwable> failure = failure();
      if (failure.isPresent()) {
        return failure.get();
      }
      Thread.sleep(poll.toMillis());
    }
  }

  @Override
  public synchronized void close() {
    for (Pipeline pipeline : pipelines) {
      pipeline.close();
    }
    for (IcebergLakeWriter writer : writers) {
      writer.close();
    }
    expressions.close();
    lock.close();
  }

  /** DuckDB for computed columns, started by the first table that has some. */
  static final class LazyExpressions implements SqlExpressions, AutoCloseable {
    private DuckDbExpressions duckDb;

    @Override
    public synchronized Compiled compile(String table, TableSchema schema, Map<String, String> computed) {
      if (duckDb == null) {
        duckDb = new DuckDbExpressions();
      }
      return duckDb.compile(table, schema, computed);
    }

    @Override
    public synchronized void close() {
      if (duckDb != null) {
        duckDb.close();
        duckDb = null;
      }
    }
  }
}
