package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.api.spi.CommitSummary;
import io.tributary.api.spi.LakeWriter;
import io.tributary.core.config.TableConfig;
import io.tributary.core.fault.CrashPoints;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.shape.ShapedRow;
import io.tributary.core.shape.Shaping;
import io.tributary.core.shape.TableShaper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes change batches to raw, {@code bronze.<table>}, {@code silver.<table>} and {@code
 * history.<table>} and records the source checkpoint, following the exactly-once protocol of
 * decision 0001: every layer commit records the position of the last change it holds, and changes
 * at or below it are skipped when delivered again.
 *
 * <p>Silver and history hold rows shaped by the table's {@link TableShaper} (bronze keeps the
 * source's); a change whose shaping fails goes to {@code errors.<table>} instead, and silver and
 * history keep the key's previous version.
 */
public final class IcebergLakeWriter implements LakeWriter {
  static final String OP = "_op";
  static final String POSITION = "_position";
  static final String COMMIT_TS = "_commit_ts";
  static final String TXID = "_txid";
  static final String INGESTED_AT = "_ingested_at";
  private static final Set<String> BRONZE_COLUMNS = Set.of(OP, POSITION, COMMIT_TS, TXID, INGESTED_AT);
  private static final Set<String> SILVER_COLUMNS = Set.of(POSITION, COMMIT_TS);

  private static final Logger LOG = LoggerFactory.getLogger(IcebergLakeWriter.class);
  /** The estimated heap the history tails of all tables may take, unless told otherwise. */
  static final long HISTORY_TAILS_BYTES = PipelineSettings.DEFAULT_HISTORY_MEMORY;
  /** The heap the keys of every history table may take (see {@link HistoryKeys}): exact to about 6 million keys. */
  static final long HISTORY_KEYS_BYTES = 64L << 20;
  /** Threads writing raw, bronze, silver and history files of one batch at the same time. */
  private static final int WORKERS = 4;

  /** Called before each layer table commit; lets tests fail a commit at a chosen table. */
  @FunctionalInterface
  interface CommitHook {
    void beforeCommit(String layerTable);
  }

  private final Lake lake;
  private final Checkpoints checkpoints;
  private final RawWriter raw;
  private final CommitHook hook;
  private final Map<TableIdentifier, Table> tables = new HashMap<>();
  private final Set<TableId> bronzeOnlyLogged = new HashSet<>();
  private final Map<String, Position> committedCheckpoints = new HashMap<>();
  private final ErrorTables errors;
  private final Shaping shaping;
  /** The stored versions history needs of each key, kept between commits (see {@link HistoryTails}). */
  private final HistoryTails tails;
  /** Sources whose last {@link #recover} wiped their tables: they deliver their initial snapshot from its start. */
  private final Set<String> fromStart = new HashSet<>();
  /**
   * Silver tables holding only rows of the running initial snapshot, with the Iceberg snapshot after which that was
   * last known (see {@link #holdsOnlySnapshotRows}).
   */
  private final Map<TableIdentifier, Long> snapshotRowsOnly = new HashMap<>();
  /** Sources of {@link #fromStart} whose last change committed is a row of their initial snapshot. */
  private final Set<String> inSnapshotRows = new HashSet<>();
  /** Writes the files of a batch's layers side by side; created on first use. */
  private ExecutorService workers;
  /** Commits a batch's layer tables side by side; created on first use. */
  private ExecutorService committers;

  /** A writer whose silver tables hold the source's columns as they are. */
  public IcebergLakeWriter(Lake lake) {
    this(lake, Shaping.NONE);
  }

  /** A writer whose silver tables are shaped by {@code shaping}. */
  public IcebergLakeWriter(Lake lake, Shaping shaping) {
    this(lake, shaping, layerTable -> {});
  }

  /**
   * A writer whose silver tables are shaped by {@code shaping}, keeping history's tails in at most {@code
   * historyMemory} bytes of heap (estimated; {@code lake.history-memory}).
   */
  public IcebergLakeWriter(Lake lake, Shaping shaping, long historyMemory) {
    this(lake, shaping, layerTable -> {}, historyMemory);
  }

  IcebergLakeWriter(Lake lake, CommitHook hook) {
    this(lake, Shaping.NONE, hook);
  }

  IcebergLakeWriter(Lake lake, Shaping shaping, CommitHook hook) {
    this(lake, shaping, hook, HISTORY_TAILS_BYTES);
  }

  IcebergLakeWriter(Lake lake, Shaping shaping, CommitHook hook, long historyTailBytes) {
    this(lake, shaping, hook, historyTailBytes, HISTORY_KEYS_BYTES);
  }

  IcebergLakeWriter(Lake lake, Shaping shaping, CommitHook hook, long historyTailBytes, long historyKeyBytes) {
    this.lake = requireNonNull(lake, "lake is null");
    this.shaping = requireNonNull(shaping, "shaping is null");
    this.hook = requireNonNull(hook, "hook is null");
    this.checkpoints = new Checkpoints(lake);
    this.raw = new RawWriter(lake.rawDirectory());
    this.errors = new ErrorTables(lake);
    this.tails = new HistoryTails(historyTailBytes, historyKeyBytes);
  }

  /** What the writer keeps of history between commits: for tests. */
  HistoryTails historyTails() {
    return tails;
  }

  /** The last checkpoint recorded for {@code source}, read from the lake now. */
  public Optional<Position> checkpoint(String source) {
    return lastCheckpoint(source).map(Checkpoint::position);
  }

  /** The last checkpoint recorded for {@code source} with the time it was committed. */
  public Optional<Checkpoint> lastCheckpoint(String source) {
    return checkpoints.read(requireNonNull(source, "source is null"));
  }

  @Override
  public synchronized Optional<Position> recover(String source) {
    requireNonNull(source, "source is null");
    Optional<Checkpoint> checkpoint = checkpoints.read(source);
    if (checkpoint.isPresent() && !checkpoint.get().position().inSnapshot()) {
      committedCheckpoints.put(source, checkpoint.get().position());
      fromStart.remove(source);
      inSnapshotRows.remove(source);
      LOG.info("Source {} resumes after checkpoint {} committed at {}", source,
          checkpoint.get().position().sortKey(), checkpoint.get().committedAt());
      return Optional.of(checkpoint.get().position());
    }
    List<String> wiped = wipe(source);
    fromStart.add(source);
    inSnapshotRows.remove(source);
    LOG.info("Source {} starts from the beginning ({}); wiped {} lake tables {}", source,
        checkpoint.isPresent() ? "its checkpoint lies inside an unfinished snapshot" : "no checkpoint",
        wiped.size(), wiped);
    return Optional.empty();
  }

  @Override
  public synchronized CommitSummary commit(
      String source, List<ChangeEvent> events, List<DeadLetter> deadLetters, Position end) {
    requireNonNull(source, "source is null");
    requireNonNull(events, "events is null");
    requireNonNull(deadLetters, "deadLetters is null");
    requireNonNull(end, "end is null");
    long started = System.nanoTime();
    Instant ingestedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Map<String, Long> rows = new LinkedHashMap<>();
    List<String> snapshots = new ArrayList<>();
    ChangeEvent snapshotEnd = snapshotEnd(source, events);
    long skipped = write(source, events, deadLetters, ingestedAt, position -> ingestedAt, true, snapshotEnd, rows,
        snapshots);
    if (!events.isEmpty() && fromStart.contains(source)) {
      ChangeEvent lastChange = events.get(events.size() - 1);
      if (lastChange.operation() == Operation.READ && lastChange.position().inSnapshot()) {
        inSnapshotRows.add(source);
      } else {
        inSnapshotRows.remove(source);
      }
    }
    boolean recorded = recordCheckpoint(source, end);

    long millis = (System.nanoTime() - started) / 1_000_000;
    if (events.isEmpty() && deadLetters.isEmpty()) {
      LOG.debug("Source {} progressed to {} (checkpoint {})", source, end.sortKey(),
          recorded ? "recorded" : "unchanged");
    } else {
      LOG.info("Committed {} changes of source {} to {} tables in {} ms: rows {}, skipped {}, snapshots {}, "
          + "checkpoint {}", events.size(), source, events.stream().map(ChangeEvent::table).distinct().count(), millis, rows, skipped, snapshots, end.sortKey());
    }
    return new CommitSummary(rows, skipped);
  }

  /**
   * Writes changes read back from raw to bronze, silver and history as {@link #commit} does (same
   * preparation, shaping, skips and layer commits), without writing raw again or recording a
   * checkpoint: {@code tributary replay} rebuilds the layers below raw with it.
   *
   * @param ingestedAt when each change first reached the lake (from its raw file): bronze's
   *     {@code _ingested_at} and history's {@code _recorded_at}
   */
  public synchronized CommitSummary replay(String source, List<ChangeEvent> events,
      Function<Position, Instant> ingestedAt) {
    requireNonNull(source, "source is null");
    requireNonNull(events, "events is null");
    requireNonNull(ingestedAt, "ingestedAt is null");
    Map<String, Instant> times = new HashMap<>();
    Instant latest = Instant.EPOCH;
    for (ChangeEvent event : events) {
      Instant at = requireNonNull(ingestedAt.apply(event.position()), "ingestedAt of a change is null");
      times.put(event.position().sortKey(), at);
      latest = at.isAfter(latest) ? at : latest;
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    List<String> snapshots = new ArrayList<>();
    Instant batchTime = latest;
    long skipped = write(source, events, List.of(), batchTime, position -> times.getOrDefault(position, batchTime),
        false, null, rows, snapshots);
    LOG.debug("Replayed {} changes of source {}: rows {}, skipped {}", events.size(), source, rows, skipped);
    return new CommitSummary(rows, skipped);
  }

  /**
   * Deletes every row of bronze and silver (and history with {@code history}) of lake table {@code
   * table} of {@code source}; errors tables are kept, since they also hold records that never
   * reached raw. Returns the names of the layer tables emptied.
   */
  public synchronized List<String> clear(String source, String table, boolean history) {
    requireNonNull(source, "source is null");
    requireNonNull(table, "table is null");
    List<String> layers = history ? List.of(Lake.BRONZE, Lake.SILVER, Lake.HISTORY) : List.of(Lake.BRONZE, Lake.SILVER);
    return wipe(source, layers, table::equals);
  }

  /** Writes one batch to the layers; {@code ingestedAtOf} maps a position to when its change was ingested. */
  private long write(String source, List<ChangeEvent> events, List<DeadLetter> deadLetters, Instant ingestedAt,
      Function<String, Instant> ingestedAtOf, boolean toRaw, ChangeEvent snapshotEnd, Map<String, Long> rows,
      List<String> snapshots) {
    Map<TableId, List<ChangeEvent>> byTable = new LinkedHashMap<>();
    for (ChangeEvent event : events) {
      if (!event.table().source().equals(source)) {
        throw new IllegalArgumentException("Invalid batch of source " + source + ": it holds a change of "
            + event.table() + " at position " + event.position().sortKey() + " (a batch holds one source's changes)");
      }
      byTable.computeIfAbsent(event.table(), id -> new ArrayList<>()).add(event);
    }
    Map<TableId, List<DeadLetter>> lettersByTable = new LinkedHashMap<>();
    for (DeadLetter letter : deadLetters) {
      if (!letter.table().source().equals(source)) {
        throw new IllegalArgumentException("Invalid batch of source " + source + ": it holds a dead letter of "
            + letter.table() + " at position " + letter.position().sortKey() + " (a batch holds one source's records)");
      }
      lettersByTable.computeIfAbsent(letter.table(), id -> new ArrayList<>()).add(letter);
    }

    List<TableBatch> batches = new ArrayList<>(byTable.size());
    for (Map.Entry<TableId, List<ChangeEvent>> entry : byTable.entrySet()) {
      batches.add(prepare(source, entry.getKey(), entry.getValue(), snapshotEnd));
    }
    // Raw is the replayable record: it must hold the batch before any table does. It is written while the layers'
    // files are; nothing is committed before it is on disk. Each layer table records its own position (decision
    // 0001), so the layer tables' commits do not wait for each other: each starts once its files and raw are written.
    // What a commit needs of another comes first: errors before silver, bronze before a plan that reads the batch
    // from it. The checkpoint, committed by the caller after all of them, stays last.
    List<Future<?>> pending = new ArrayList<>();
    Set<Staged> attempted = Collections.synchronizedSet(
        Collections.newSetFromMap(new IdentityHashMap<>()));
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<Staged>> published = new ArrayList<>();
    Map<Future<Staged>, TableBatch> silverOf = new IdentityHashMap<>();
    long skipped = 0;
    try {
      Future<?> rawWritten = !toRaw ? CompletableFuture.completedFuture(null) : submit(pending, () -> {
        for (TableBatch batch : batches) {
          raw.write(source, batch.id.name(), ingestedAt, batch.rawChanges());
        }
        return null;
      });
      for (TableBatch batch : batches) {
        skipped += batch.skipped();
        boolean planned = batch.history != null || batch.sequenced();
        // Bronze needs no plan: its files are written while this thread plans.
        Future<Staged> bronze = submit(pending, () -> stageBronze(batch, ingestedAtOf));
        // A plan that needs no change of this batch in bronze is made now, so history is written beside bronze.
        Plan early = planned ? plan(batch, false) : null;
        Future<Staged> silver = batch.silver != null && (!batch.sequenced() || early != null)
            ? submit(pending, () -> stageSilver(batch, Optional.ofNullable(early)))
            : null;
        Future<Staged> history = batch.history != null && early != null
            ? submit(pending, () -> stageHistory(batch, early, ingestedAtOf))
            : null;
        Future<Staged> bronzeCommitted = publish(source, pending, rawWritten, bronze, attempted, stop);
        published.add(bronzeCommitted);
        // Dead letters before silver: a change silver skipped as held was then always recorded in errors too.
        List<DeadLetter> letters = new ArrayList<>(batch.rejected);
        letters.addAll(lettersByTable.getOrDefault(batch.id, List.of()));
        lettersByTable.remove(batch.id);
        if (!letters.isEmpty()) {
          await(rawWritten);
          commitErrors(source, batch.id, letters, ingestedAt, rows, snapshots);
        }
        // Otherwise history (and silver ordered by sequence-by) reads bronze, which must hold the batch first.
        Plan plan = early;
        if (planned && early == null) {
          await(bronzeCommitted);
          plan = plan(batch, true);
        }
        Plan late = plan;
        if (batch.silver != null && silver == null) {
          silver = submit(pending, () -> stageSilver(batch, Optional.ofNullable(late)));
        }
        if (batch.history != null && history == null && plan != null) {
          history = submit(pending, () -> stageHistory(batch, late, ingestedAtOf));
        }
        if (silver != null) {
          Future<Staged> committed = publish(source, pending, rawWritten, silver, attempted, stop);
          published.add(committed);
          silverOf.put(committed, batch);
        }
        if (history != null) {
          published.add(publish(source, pending, rawWritten, history, attempted, stop));
        }
      }
      for (Future<Staged> commit : published) {
        Staged staged = await(commit);
        recordCommit(staged, rows, snapshots);
        if (staged != null && silverOf.containsKey(commit)) {
          noteSilverCommit(silverOf.get(commit));
        }
      }
      await(rawWritten);
    } catch (RuntimeException | Error e) {
      stop.set(true);
      abandon(pending, attempted);
      throw e;
    }
    for (Map.Entry<TableId, List<DeadLetter>> entry : lettersByTable.entrySet()) {
      commitErrors(source, entry.getKey(), entry.getValue(), ingestedAt, rows, snapshots);
    }
    return skipped;
  }

  private <T> Future<T> submit(List<Future<?>> pending, Callable<T> task) {
    if (workers == null) {
      workers = pool("tributary-lake-writer-");
    }
    Future<T> future = workers.submit(task);
    pending.add(future);
    return future;
  }

  /**
   * Commits a layer table's files once they and raw are written, on a pool of its own: its task waits for the file
   * writers' tasks, which never wait for it. Once {@code stop} is set (another part failed) nothing more is
   * committed: the task returns null and leaves the files to {@link #abandon}.
   */
  private Future<Staged> publish(String source, List<Future<?>> pending, Future<?> rawWritten, Future<Staged> staged,
      Set<Staged> attempted, AtomicBoolean stop) {
    if (committers == null) {
      committers = pool("tributary-lake-commit-");
    }
    Future<Staged> future = committers.submit(() -> {
      await(rawWritten);
      Staged files = await(staged);
      if (files == null || stop.get()) {
        return null;
      }
      attempted.add(files);
      try {
        publish(source, files);
      } catch (RuntimeException | Error e) {
        stop.set(true);
        throw e;
      }
      return files;
    });
    pending.add(future);
    return future;
  }

  private static ExecutorService pool(String prefix) {
    AtomicInteger threads = new AtomicInteger();
    return Executors.newFixedThreadPool(WORKERS, runnable -> {
      Thread thread = new Thread(runnable, prefix + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** The result of a layer's task; its failure as thrown on the task's thread. */
  private static <T> T await(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot commit: interrupted while the lake files were written", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause.getMessage(), cause);
    }
  }

  /**
   * After a failure: waits for the layers' tasks, commits included, then removes the files they wrote that no commit
   * was tried with ({@code attempted}: a failed commit removes its own files, unless it may have succeeded).
   */
  private static void abandon(List<Future<?>> pending, Set<Staged> attempted) {
    List<Staged> written = new ArrayList<>();
    for (Future<?> future : pending) {
      try {
        if (future.get() instanceof Staged staged) {
          written.add(staged);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | RuntimeException e) {
        // that task failed too (its own files are removed by it) or the table cannot be read: orphans are harmless
      }
    }
    // Only now is every commit over: a file is removed only if no commit can still take it.
    for (Staged staged : written) {
      if (!attempted.contains(staged)) {
        LakeFiles.deleteQuietly(staged.table(), staged.files());
      }
    }
  }

  @Override
  public synchronized void close() {
    if (workers != null) {
      workers.shutdown();
      workers = null;
    }
    if (committers != null) {
      committers.shutdown();
      committers = null;
    }
    tables.clear();
    tails.clear();
    fromStart.clear();
    inSnapshotRows.clear();
    snapshotRowsOnly.clear();
    errors.forget();
    committedCheckpoints.clear();
  }

  // ---- preparing a table's part of the batch

  /** One table's changes in a batch, with UNAVAILABLE values resolved. */
  private static final class TableBatch {
    final TableId id;
    final TableSchema schema;
    final Table bronze;
    final Table silver;
    final Table history;
    final HistoryLayer historyLayer;
    final Optional<String> bronzePosition;
    final Optional<String> silverPosition;
    final Optional<String> historyPosition;
    final List<Resolved> changes;
    /** Every change is after the layer's recorded position (see {@link #isAfter(Resolved, Optional, boolean)}). */
    private final boolean bronzeTakesAll;
    private final boolean silverTakesAll;
    private final boolean historyTakesAll;
    /** The silver form of each change silver takes, by identity; rejected ones hold their reason. */
    final Map<Resolved, ShapedRow> shaped = new IdentityHashMap<>();
    /** The shaped key columns of silver. */
    List<String> silverKey = List.of();
    /** Changes whose shaping failed, as dead letters for {@code errors.<table>}. */
    final List<DeadLetter> rejected = new ArrayList<>();
    /**
     * Silver has no row of a key whose first change here is a row of the initial snapshot, so that row needs no
     * equality delete (see {@link IcebergLakeWriter#holdsOnlySnapshotRows}).
     */
    boolean snapshotRowsAreNew;
    /** The change of this batch ending the source's initial snapshot, if it is here (see {@link #snapshotEnd}). */
    ChangeEvent snapshotEnd;

    /** A row read by the source's initial snapshot: one still inside it, or the one ending it. */
    boolean isSnapshotRow(ChangeEvent event) {
      return event.operation() == Operation.READ && (event.position().inSnapshot() || event == snapshotEnd);
    }

    TableBatch(TableId id, TableSchema schema, Table bronze, Table silver, Table history, HistoryLayer historyLayer,
        List<Resolved> changes) {
      this.id = id;
      this.schema = schema;
      this.bronze = bronze;
      this.silver = silver;
      this.history = history;
      this.historyLayer = historyLayer;
      this.bronzePosition = TablePositions.recorded(bronze);
      this.silverPosition = silver == null ? Optional.empty() : TablePositions.recorded(silver);
      this.historyPosition = history == null ? Optional.empty() : TablePositions.recorded(history);
      this.changes = changes;
      String first = null;
      for (Resolved change : changes) {
        String position = change.event().position().sortKey();
        if (first == null || position.compareTo(first) < 0) {
          first = position;
        }
      }
      this.bronzeTakesAll = isAfter(first, bronzePosition);
      this.silverTakesAll = isAfter(first, silverPosition);
      this.historyTakesAll = isAfter(first, historyPosition);
    }

    /**
     * Whether a layer at {@code position} takes {@code change}. The layers ask this several times of every change
     * (positions of a few dozen characters that share their first ones): when the batch's first change is after the
     * layer's position ({@code all}), they all are, and nothing is compared.
     */
    private static boolean isAfter(Resolved change, Optional<String> position, boolean all) {
      return all || isAfter(change.event().position().sortKey(), position);
    }

    private static boolean isAfter(String sortKey, Optional<String> position) {
      return position.isEmpty() || (sortKey != null && sortKey.compareTo(position.get()) > 0);
    }

    boolean historyTakes(Resolved change) {
      return history != null && isAfter(change, historyPosition, historyTakesAll);
    }

    /** Silver follows a sequence-by column: its versions come from {@link Versions}, not arrival order. */
    boolean sequenced() {
      return historyLayer != null && historyLayer.sequenced();
    }

    /** History lacks changes bronze holds (it was just enabled, or a commit failed between them): build it again. */
    boolean historyBehindBronze() {
      return history != null && bronzePosition.isPresent()
          && (historyPosition.isEmpty() || historyPosition.get().compareTo(bronzePosition.get()) < 0);
    }

    boolean bronzeTakes(Resolved change) {
      return isAfter(change, bronzePosition, bronzeTakesAll);
    }

    boolean silverTakes(Resolved change) {
      return silver != null && isAfter(change, silverPosition, silverTakesAll);
    }

    /** Every change silver takes is a row of the source's initial snapshot. */
    boolean silverTakesSnapshotRowsOnly() {
      return changes.stream().filter(this::silverTakes).allMatch(change -> isSnapshotRow(change.event()));
    }

    long skipped() {
      return changes.stream()
          .filter(change -> !bronzeTakes(change) && !silverTakes(change) && !historyTakes(change))
          .count();
    }

    List<RawWriter.RawChange> rawChanges() {
      List<RawWriter.RawChange> result = new ArrayList<>(changes.size());
      for (Resolved change : changes) {
        ChangeEvent event = change.event();
        result.add(new RawWriter.RawChange(event.operation().code(), event.position().sortKey(),
            event.commitTime(), event.transactionId(), change.before(), change.after()));
      }
      return result;
    }
  }

  /** A change whose images hold no UNAVAILABLE values. */
  private record Resolved(
      ChangeEvent event, Optional<Map<String, Object>> before, Optional<Map<String, Object>> after) {
    Map<String, Object> image() {
      return after.or(() -> before).orElseThrow();
    }
  }

  private TableBatch prepare(String source, TableId id, List<ChangeEvent> events, ChangeEvent snapshotEnd) {
    List<TableSchema> schemas = new ArrayList<>();
    for (ChangeEvent event : events) {
      TableSchema schema = event.schema();
      TableSchema previous = schemas.isEmpty() ? null : schemas.get(schemas.size() - 1);
      if (schema != previous && !schema.equals(previous)) {
        schemas.add(schema);
      }
    }
    TableSchema latest = schemas.get(schemas.size() - 1);
    Table bronze = table(Lake.BRONZE, source, id, schemas);
    Table silver = null;
    Table history = null;
    HistoryLayer historyLayer = null;
    List<TableShaper> shapers = new ArrayList<>();
    if (latest.hasKey()) {
      for (TableSchema schema : schemas) {
        shapers.add(shaping.shaper(schema));
      }
      checkShape(id, Lake.SILVER, shapers.get(shapers.size() - 1));
      List<TableSchema> shapedSchemas = shapers.stream().map(TableShaper::schema).toList();
      silver = table(Lake.SILVER, source, id, shapedSchemas);
      String fingerprint = shapers.get(shapers.size() - 1).fingerprint();
      if (!fingerprint.equals(silver.properties().getOrDefault(LakeProperties.SHAPE, ""))) {
        silver.updateProperties().set(LakeProperties.SHAPE, fingerprint).commit();
      }
      TableConfig config = requireNonNull(shaping.table(id.name()), "configuration of " + id.name() + " is null");
      historyLayer = new HistoryLayer(id, latest, shapers.get(shapers.size() - 1), config);
      if (config.history().enabled()) {
        checkShape(id, Lake.HISTORY, shapers.get(shapers.size() - 1));
        history = table(Lake.HISTORY, source, id, shapedSchemas, historyLayer);
        if (!fingerprint.equals(history.properties().getOrDefault(LakeProperties.SHAPE, ""))) {
          history.updateProperties().set(LakeProperties.SHAPE, fingerprint).commit();
        }
      }
    } else if (bronzeOnlyLogged.add(id)) {
      LOG.info("Table {} has no key: it gets bronze.{} only, no silver or history table", id, id.name());
    }
    boolean shaped = shapers.stream().anyMatch(shaper -> !shaper.isIdentity());
    List<Resolved> changes = silver == null
        ? resolveWithoutKey(id, events)
        // Shaped silver no longer holds the source's values: the previous version comes from bronze then.
        : resolveByKey(id, latest.key(), shaped ? bronze : silver, shaped, events);
    TableBatch batch = new TableBatch(id, latest, bronze, silver, history, historyLayer, changes);
    batch.snapshotEnd = snapshotEnd;
    if (silver != null) {
      shape(batch);
      batch.snapshotRowsAreNew = shapers.stream().allMatch(TableShaper::keepsKeyValues)
          && holdsOnlySnapshotRows(source, id, silver);
    }
    return batch;
  }

  /**
   * The change of {@code events} ending the initial snapshot of {@code source}, or null: a database source marks
   * the snapshot's last row with a position no longer {@link Position#inSnapshot() inSnapshot}, so it is the
   * {@link Operation#READ} right after a row that is, in the stream since {@link #recover} wiped the source. A
   * feed's {@code r} events never follow such a row.
   */
  private ChangeEvent snapshotEnd(String source, List<ChangeEvent> events) {
    if (!fromStart.contains(source)) {
      return null;
    }
    boolean previousInSnapshot = inSnapshotRows.contains(source);
    for (ChangeEvent event : events) {
      boolean read = event.operation() == Operation.READ;
      if (previousInSnapshot && read && !event.position().inSnapshot()) {
        return event;
      }
      previousInSnapshot = read && event.position().inSnapshot();
    }
    return null;
  }

  /**
   * Whether {@code silver} holds no row but rows of the initial snapshot {@code source} is delivering now, each
   * committed once. Then a key whose first change in a batch is such a row has no row in silver yet, and its
   * equality delete, which would remove nothing, is left out: without it an initial snapshot writes half the
   * files, and queries apply no deletes to its rows until compaction.
   *
   * <p>Why this holds when it returns true:
   *
   * <ul>
   *   <li>{@link #recover} of this writer wiped every table of the source (no checkpoint, or one inside an
   *       unfinished snapshot): a snapshot always starts on empty tables, whether it is the first, the one after a
   *       crash mid-snapshot, or the one after a restart inside the snapshot. A source resumed from a checkpoint
   *       after its snapshot gets no exemption.
   *   <li>The table was empty then or since ({@code total-data-files} 0), and every commit to it after that either
   *       came from this writer holding only rows of the snapshot ({@link Operation#READ} changes with {@link
   *       Position#inSnapshot()}, or the one ending the snapshot, see {@link #snapshotEnd}; {@link
   *       #noteSilverCommit}), or is a compaction ({@code replace}, which keeps the rows). Any other commit (a
   *       streamed change, a wipe or {@link #clear}, another process) ends the exemption for the table until it is
   *       empty again.
   *   <li>The initial snapshot of a database (the chunked reader at one exported snapshot, Debezium's PostgreSQL
   *       or MariaDB snapshot in one transaction) reads each row once, and the lake skips positions it holds when
   *       a batch is delivered again. Feeds and {@link #replay} deliver no {@code inSnapshot} positions (a Kafka
   *       topic may hold a key's {@code r} event twice; raw may hold two runs of a snapshot): they always write
   *       deletes.
   *   <li>Silver's key values are the source's, renamed at most ({@link TableShaper#keepsKeyValues}; the Iceberg
   *       conversion is exact or refuses the value), so distinct rows of the snapshot have distinct silver keys.
   * </ul>
   *
   * <p>A key whose first change in a batch is streamed (an update of a row an earlier batch read) still gets its
   * delete; changes after the snapshot row in the same batch only replace the row written with it. History writes
   * no equality delete for a key it holds no version of, so the snapshot's rows need nothing there.
   */
  private boolean holdsOnlySnapshotRows(String source, TableId id, Table silver) {
    if (!fromStart.contains(source)) {
      return false;
    }
    Snapshot snapshot = silver.currentSnapshot();
    if (snapshot == null || "0".equals(snapshot.summary().get(SnapshotSummary.TOTAL_DATA_FILES_PROP))) {
      return true;
    }
    Long known = snapshotRowsOnly.get(TableIdentifier.of(Lake.SILVER, id.name()));
    while (known != null && snapshot != null && snapshot.snapshotId() != known) {
      if (!DataOperations.REPLACE.equals(snapshot.operation()) || snapshot.parentId() == null) {
        return false;
      }
      snapshot = silver.snapshot(snapshot.parentId());
    }
    return known != null && snapshot != null;
  }

  /** After a commit to silver: whether it still holds only rows of the running snapshot. */
  private void noteSilverCommit(TableBatch batch) {
    TableIdentifier identifier = TableIdentifier.of(Lake.SILVER, batch.id.name());
    if (batch.snapshotRowsAreNew && batch.silverTakesSnapshotRowsOnly()) {
      snapshotRowsOnly.put(identifier, batch.silver.currentSnapshot().snapshotId());
    } else {
      snapshotRowsOnly.remove(identifier);
    }
  }

  /** Shapes the changes silver or history takes, in batches per source schema; rejected ones become dead letters. */
  private void shape(TableBatch batch) {
    batch.silverKey = shaping.shaper(batch.schema).schema().key();
    Map<TableSchema, List<Resolved>> bySchema = new LinkedHashMap<>();
    for (Resolved change : batch.changes) {
      if (batch.silverTakes(change) || batch.historyTakes(change)) {
        bySchema.computeIfAbsent(change.event().schema(), schema -> new ArrayList<>()).add(change);
      }
    }
    for (Map.Entry<TableSchema, List<Resolved>> entry : bySchema.entrySet()) {
      TableShaper shaper = shaping.shaper(entry.getKey());
      List<Resolved> full = new ArrayList<>();
      for (Resolved change : entry.getValue()) {
        if (change.event().operation() == Operation.DELETE) {
          batch.shaped.put(change, shaper.shapeKey(change.before().orElseThrow()));
        } else {
          full.add(change);
        }
      }
      List<ShapedRow> rows = shaper.shape(full.stream().map(change -> change.after().orElseThrow()).toList());
      for (int i = 0; i < full.size(); i++) {
        batch.shaped.put(full.get(i), rows.get(i));
      }
    }
    for (Resolved change : batch.changes) {
      ShapedRow row = batch.shaped.get(change);
      if (row != null && row.isRejected()) {
        ChangeEvent event = change.event();
        Map<String, Object> key = new LinkedHashMap<>();
        for (String column : event.schema().key()) {
          key.put(column, change.image().get(column));
        }
        var rejection = row.rejection().get();
        batch.rejected.add(new DeadLetter(batch.id, key, event.position(),
            event.table().qualifiedName() + " " + event.operation().name().toLowerCase(java.util.Locale.ROOT)
                + " at position " + event.position().sortKey(),
            Optional.of(RawWriter.json(change.image())), Optional.of(rejection.column()), rejection.value(),
            rejection.reason()));
      }
    }
  }

  /** Refuses to write silver shaped otherwise than when it was built: its rows would mix two shapes. */
  private void checkShape(TableId id, String layer, TableShaper shaper) {
    TableIdentifier identifier = TableIdentifier.of(layer, id.name());
    Table silver = tables.get(identifier);
    if (silver == null) {
      if (!lake.catalog().tableExists(identifier)) {
        return;
      }
      silver = lake.catalog().loadTable(identifier);
      tables.put(identifier, silver);
    } else {
      silver.refresh();
    }
    String built = silver.properties().getOrDefault(LakeProperties.SHAPE, "");
    String wanted = shaper.fingerprint();
    if (built.equals(wanted)) {
      return;
    }
    if (silver.currentSnapshot() == null) {
      // nothing written yet: the configured shaping is taken below
      return;
    }
    throw new IllegalStateException("Cannot write changes of " + id + " to " + identifier + ": the shaping "
        + "configured in tables." + id.name() + " changed since the table was built (built with: "
        + (built.isEmpty() ? "no shaping" : built) + "; configured now: " + (wanted.isEmpty() ? "no shaping" : wanted)
        + "), and its rows would mix both (put the previous shaping back; to reshape the rows already in "
        + identifier + ", capture the source again into an empty lake directory)");
  }

  private Table table(String layer, String source, TableId id, List<TableSchema> schemas) {
    return table(layer, source, id, schemas, null);
  }

  private Table table(String layer, String source, TableId id, List<TableSchema> schemas, HistoryLayer history) {
    TableIdentifier identifier = TableIdentifier.of(layer, id.name());
    Table table = tables.get(identifier);
    if (table != null) {
      table.refresh();
    } else {
      try {
        table = lake.catalog().loadTable(identifier);
      } catch (NoSuchTableException e) {
        table = create(layer, source, id, schemas.get(0), identifier, history);
      }
      tables.put(identifier, table);
    }
    String owner = table.properties().get(LakeProperties.SOURCE);
    if (owner != null && !owner.equals(source)) {
      throw new IllegalStateException("Cannot write changes of " + id + " to " + identifier + ": the table holds "
          + "changes of source " + owner + " (" + table.properties().get(LakeProperties.SOURCE_TABLE)
          + "); lake table names must be unique across sources (rename one of the tables in the configuration)");
    }
    for (TableSchema schema : schemas) {
      evolve(table, identifier, schema);
    }
    if (history != null) {
      history.evolve(table);
    }
    return table;
  }

  private Table create(String layer, String source, TableId id, TableSchema schema, TableIdentifier identifier,
      HistoryLayer history) {
    lake.ensureNamespace(layer);
    AtomicInteger ids = new AtomicInteger();
    List<Types.NestedField> fields = new ArrayList<>();
    Set<Integer> identifierIds = new HashSet<>();
    boolean silver = layer.equals(Lake.SILVER);
    if (history != null) {
      fields.add(Types.NestedField.required(ids.incrementAndGet(), HistoryLayer.SK, Types.StringType.get()));
      identifierIds.add(ids.get());
    }
    for (Column column : schema.columns()) {
      int fieldId = ids.incrementAndGet();
      Type type = IcebergTypes.toIceberg(column.type(), ids);
      boolean key = silver && schema.key().contains(column.name());
      fields.add(key
          ? Types.NestedField.required(fieldId, column.name(), type)
          : Types.NestedField.optional(fieldId, column.name(), type));
      if (key) {
        identifierIds.add(fieldId);
      }
    }
    if (history != null) {
      fields.addAll(history.ownFields(ids));
    } else {
      if (!silver) {
        fields.add(Types.NestedField.required(ids.incrementAndGet(), OP, Types.StringType.get()));
      }
      fields.add(Types.NestedField.required(ids.incrementAndGet(), POSITION, Types.StringType.get()));
      fields.add(Types.NestedField.required(ids.incrementAndGet(), COMMIT_TS, Types.TimestampType.withZone()));
      if (!silver) {
        fields.add(Types.NestedField.required(ids.incrementAndGet(), TXID, Types.LongType.get()));
        fields.add(Types.NestedField.required(ids.incrementAndGet(), INGESTED_AT, Types.TimestampType.withZone()));
      }
    }
    Schema icebergSchema = new Schema(fields, identifierIds);
    // Silver and history are never partitioned: equality deletes only match inside a partition.
    PartitionSpec spec = silver || history != null
        ? PartitionSpec.unpartitioned()
        : PartitionSpec.builderFor(icebergSchema).day(INGESTED_AT).build();
    Map<String, String> properties = new HashMap<>();
    properties.put(TableProperties.FORMAT_VERSION, "2");
    properties.put(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
    properties.put(LakeProperties.METADATA_DELETE_AFTER_COMMIT, "true");
    properties.put(LakeProperties.METADATA_PREVIOUS_VERSIONS_MAX,
        Integer.toString(LakeProperties.METADATA_PREVIOUS_VERSIONS));
    properties.put(LakeProperties.SOURCE, source);
    properties.put(LakeProperties.SOURCE_TABLE, id.qualifiedName());
    try {
      Table table = lake.catalog().buildTable(identifier, icebergSchema)
          .withPartitionSpec(spec)
          .withProperties(properties)
          .create();
      LOG.info("Created lake table {} for {}", identifier, id);
      return table;
    } catch (AlreadyExistsException e) {
      return lake.catalog().loadTable(identifier);
    }
  }

  /** Adds new source columns to the lake table and applies widenings; refuses other type changes. */
  private static void evolve(Table table, TableIdentifier identifier, TableSchema schema) {
    Schema current = table.schema();
    UpdateSchema update = null;
    List<String> changes = new ArrayList<>();
    for (Column column : schema.columns()) {
      Type wanted = IcebergTypes.toIceberg(column.type());
      Types.NestedField field = current.findField(column.name());
      if (field == null) {
        update = update == null ? table.updateSchema() : update;
        update.addColumn(column.name(), wanted);
        changes.add("added " + column.name() + " " + wanted);
      } else if (IcebergTypes.sameType(field.type(), wanted) || IcebergTypes.canWiden(wanted, field.type())) {
        // same type, or the lake column is already wider than the source's: values fit
        continue;
      } else if (IcebergTypes.canWiden(field.type(), wanted)) {
        update = update == null ? table.updateSchema() : update;
        update.updateColumn(column.name(), wanted.asPrimitiveType());
        changes.add("widened " + column.name() + " from " + field.type() + " to " + wanted);
      } else {
        throw new IllegalStateException("Cannot write changes of " + schema.table() + " to " + identifier
            + ": column " + column.name() + " changed type from " + field.type() + " to " + wanted + " (source type "
            + column.type() + "), and Iceberg can only widen int to long, float to double and decimal precision "
            + "(give the new type a new column at the source and keep this one, or change the column back)");
      }
    }
    if (update != null) {
      update.commit();
      LOG.info("Evolved the schema of {}: {}", identifier, changes);
    }
  }

  // ---- UNAVAILABLE values

  private static List<Resolved> resolveWithoutKey(TableId id, List<ChangeEvent> events) {
    List<Resolved> result = new ArrayList<>(events.size());
    for (ChangeEvent event : events) {
      result.add(new Resolved(event,
          event.before().map(image -> fill(id, event, image, Optional.empty(), "(no key)")),
          event.after().map(image -> fill(id, event, image, Optional.empty(), "(no key)"))));
    }
    return result;
  }

  /**
   * Fills unavailable values from the key's previous version: in this batch, else in {@code lakeTable}
   * (silver when it holds the source's columns, bronze's last change of the key when silver is shaped).
   */
  private static List<Resolved> resolveByKey(
      TableId id, List<String> keyColumns, Table lakeTable, boolean fromBronze, List<ChangeEvent> events) {
    Schema schema = lakeTable.schema();
    Set<List<Object>> seen = new HashSet<>(capacity(events.size()));
    Set<List<Object>> lookup = new HashSet<>();
    for (ChangeEvent event : events) {
      List<Object> key = key(id, keyColumns, schema, event, event.row());
      if (seen.add(key) && hasUnavailable(event)) {
        lookup.add(key);
      }
    }
    Map<List<Object>, Map<String, Object>> lakeRows = lookup.isEmpty()
        ? Map.of()
        : readLatest(lakeTable, fromBronze, keyColumns, lookup);

    // The previous version of each key: from this batch once seen, else from silver; empty = deleted.
    Map<List<Object>, Optional<Map<String, Object>>> versions = new HashMap<>(capacity(events.size()));
    List<Resolved> result = new ArrayList<>(events.size());
    for (ChangeEvent event : events) {
      List<Object> key = key(id, keyColumns, schema, event, event.row());
      Optional<Map<String, Object>> previous = versions.containsKey(key)
          ? versions.get(key)
          : Optional.ofNullable(lakeRows.get(key));
      Resolved resolved = new Resolved(event,
          event.before().map(image -> fill(id, event, image, previous, key)),
          event.after().map(image -> fill(id, event, image, previous, key)));
      versions.put(key, resolved.after());
      result.add(resolved);
    }
    return result;
  }

  /** The initial capacity of a hash map or set that will hold {@code entries}: no resizing while it fills. */
  private static int capacity(int entries) {
    return (int) (entries / 0.75f) + 1;
  }

  private static boolean hasUnavailable(ChangeEvent event) {
    return event.before().map(image -> image.containsValue(ChangeEvent.UNAVAILABLE)).orElse(false)
        || event.after().map(image -> image.containsValue(ChangeEvent.UNAVAILABLE)).orElse(false);
  }

  private static Map<String, Object> fill(
      TableId id, ChangeEvent event, Map<String, Object> image, Optional<Map<String, Object>> previous, Object key) {
    if (!image.containsValue(ChangeEvent.UNAVAILABLE)) {
      return image;
    }
    Map<String, Object> filled = new LinkedHashMap<>(image);
    for (Map.Entry<String, Object> entry : filled.entrySet()) {
      if (entry.getValue() != ChangeEvent.UNAVAILABLE) {
        continue;
      }
      String column = entry.getKey();
      if (previous.isPresent() && previous.get().containsKey(column)) {
        entry.setValue(previous.get().get(column));
      } else {
        LOG.warn("Cannot resolve the unchanged value of column {} of {} for key {} at position {}: the lake holds "
            + "no earlier version of the row; writing NULL (set REPLICA IDENTITY FULL at the source to avoid this)",
            column, id, key, event.position().sortKey());
        entry.setValue(null);
      }
    }
    return filled;
  }

  /** The key of {@code image}, with values in the form silver's generic records hold them. */
  static List<Object> key(TableId id, List<String> keyColumns, Schema schema, ChangeEvent event,
      Map<String, Object> image) {
    List<Object> key = new ArrayList<>(keyColumns.size());
    for (String column : keyColumns) {
      Object value = image.get(column);
      if (value == null || value == ChangeEvent.UNAVAILABLE) {
        throw new IllegalStateException("Cannot write change of " + id + " at position " + event.position().sortKey()
            + ": key column " + column + " is " + (value == null ? "null" : "unavailable")
            + " (the source must send the key of every change)");
      }
      key.add(convert(id, "silver." + id.name(), column, value, schema.findField(column).type()));
    }
    return key;
  }

  private static Map<List<Object>, Map<String, Object>> readLatest(
      Table silver, boolean bronze, List<String> keyColumns, Set<List<Object>> keys) {
    Schema schema = silver.schema();
    Map<List<Object>, String> positions = new HashMap<>();
    String first = keyColumns.get(0);
    Type firstType = schema.findField(first).type();
    Set<Object> literals = new HashSet<>();
    for (List<Object> key : keys) {
      literals.add(IcebergTypes.toLiteral(key.get(0), firstType));
    }
    Map<List<Object>, Map<String, Object>> rows = new HashMap<>();
    try (CloseableIterable<Record> records =
        IcebergGenerics.read(silver).where(Expressions.in(first, literals.toArray())).build()) {
      for (Record record : records) {
        List<Object> key = new ArrayList<>(keyColumns.size());
        for (String column : keyColumns) {
          key.add(record.getField(column));
        }
        if (!keys.contains(key)) {
          continue;
        }
        if (bronze) {
          // bronze holds every change of the key: the one with the highest position is its last version
          String position = (String) record.getField(POSITION);
          String seen = positions.get(key);
          if (seen != null && seen.compareTo(position) > 0) {
            continue;
          }
          positions.put(key, position);
          if (Operation.DELETE.code().equals(record.getField(OP))) {
            rows.remove(key);
            continue;
          }
        }
        Map<String, Object> row = new HashMap<>();
        for (Types.NestedField field : schema.columns()) {
          if (!(bronze ? BRONZE_COLUMNS : SILVER_COLUMNS).contains(field.name())) {
            row.put(field.name(), record.getField(field.name()));
          }
        }
        rows.put(key, row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read " + silver.name() + " to resolve unchanged values: " + e.getMessage(), e);
    }
    return rows;
  }

  // ---- committing

  /** How a layer table's staged files are committed. */
  private enum Kind {
    /** new data files only (bronze, errors) */
    APPEND,
    /** data files and equality deletes (silver, history) */
    DELTA,
    /** every row replaced (history built again from bronze) */
    OVERWRITE
  }

  /**
   * One layer table's part of a batch: its files written, not committed yet.
   *
   * @param position the position of the last change the commit holds
   * @param versions for history, the versions of the keys the commit touches (see {@link HistoryTails})
   * @param snapshotRows every change written is a row read by a snapshot, op r (see {@link HistoryTails#committed})
   */
  private record Staged(Kind kind, Table table, String name, List<DataFile> data, List<DeleteFile> deletes,
      String position, long rows, Map<List<Object>, List<HistoryLayer.Row>> versions, boolean snapshotRows) {
    List<ContentFile<?>> files() {
      List<ContentFile<?>> files = new ArrayList<>(data);
      files.addAll(deletes);
      return files;
    }
  }

  /** What a field of a layer table holds: one of Tributary's own columns, or a source column. */
  private static int[] fieldKinds(List<Types.NestedField> fields) {
    int[] kinds = new int[fields.size()];
    for (int i = 0; i < kinds.length; i++) {
      kinds[i] = switch (fields.get(i).name()) {
        case OP -> 1;
        case POSITION -> 2;
        case COMMIT_TS -> 3;
        case TXID -> 4;
        case INGESTED_AT -> 5;
        default -> 0;
      };
    }
    return kinds;
  }

  private Staged stageBronze(TableBatch batch, Function<String, Instant> ingestedAt) {
    Table table = batch.bronze;
    String name = Lake.BRONZE + "." + batch.id.name();
    Schema schema = table.schema();
    List<Types.NestedField> fields = schema.columns();
    int[] kinds = fieldKinds(fields);
    GenericRecord template = GenericRecord.create(schema);
    List<Record> records = new ArrayList<>(batch.changes.size());
    UtcTimes commitTimes = new UtcTimes();
    UtcTimes ingestionTimes = new UtcTimes();
    String last = null;
    for (Resolved change : batch.changes) {
      if (!batch.bronzeTakes(change)) {
        continue;
      }
      ChangeEvent event = change.event();
      Map<String, Object> image = change.image();
      GenericRecord record = template.copy();
      String position = event.position().sortKey();
      for (int i = 0; i < kinds.length; i++) {
        Object value = switch (kinds[i]) {
          case 1 -> event.operation().code();
          case 2 -> position;
          case 3 -> commitTimes.of(event.commitTime());
          case 4 -> event.transactionId();
          case 5 -> ingestionTimes.of(ingestedAt.apply(position));
          default -> {
            Types.NestedField field = fields.get(i);
            yield convert(batch.id, name, field.name(), image.get(field.name()), field.type());
          }
        };
        record.set(i, value);
      }
      records.add(record);
      last = position;
    }
    if (records.isEmpty()) {
      return null;
    }
    List<DataFile> files = LakeFiles.writeData(table, records);
    return new Staged(Kind.APPEND, table, name, files, List.of(), last, records.size(), null, false);
  }

  /** Commits staged files with the position they hold; touches nothing but their table. */
  private void publish(String source, Staged staged) {
    Table table = staged.table();
    SnapshotUpdate<?> update;
    switch (staged.kind()) {
      case APPEND -> {
        AppendFiles append = table.newAppend();
        staged.data().forEach(append::appendFile);
        update = append;
      }
      case DELTA -> {
        RowDelta delta = table.newRowDelta();
        staged.data().forEach(delta::addRows);
        staged.deletes().forEach(delta::addDeletes);
        update = delta;
      }
      default -> {
        OverwriteFiles overwrite = table.newOverwrite().overwriteByRowFilter(Expressions.alwaysTrue());
        staged.data().forEach(overwrite::addFile);
        update = overwrite;
      }
    }
    commit(source, staged.name(), table, update, staged.position(), staged.files());
  }

  /** Records a published commit in the history tails, {@code rows} and {@code snapshots}. */
  private void recordCommit(Staged staged, Map<String, Long> rows, List<String> snapshots) {
    if (staged == null) {
      return;
    }
    Table table = staged.table();
    if (staged.kind() == Kind.OVERWRITE) {
      tails.forget(table.name());
    } else if (staged.versions() != null) {
      tails.committed(table, staged.versions(), staged.snapshotRows());
    }
    rows.put(staged.name(), staged.rows());
    snapshots.add(staged.name() + "@" + table.currentSnapshot().snapshotId());
  }

  /** A row of silver: the values of the key's current version, with the change that made it. */
  private record SilverRow(Map<String, Object> image, String position, OffsetDateTime commitTime) {}

  private Staged stageSilver(TableBatch batch, Optional<Plan> plan) {
    Table table = batch.silver;
    String name = Lake.SILVER + "." + batch.id.name();
    Schema schema = table.schema();
    List<String> keyColumns = batch.silverKey;
    List<String> sourceKey = batch.schema.key();
    // last version per key (shaped); empty = the key's last change deletes it
    Map<List<Object>, Optional<SilverRow>> latest = new LinkedHashMap<>(capacity(batch.changes.size()));
    // keys silver holds no row of (see holdsOnlySnapshotRows): their rows need no equality delete
    Set<List<Object>> unseen = new HashSet<>(batch.snapshotRowsAreNew ? capacity(batch.changes.size()) : 16);
    UtcTimes commitTimes = new UtcTimes();
    String last = null;
    for (Resolved change : batch.changes) {
      if (!batch.silverTakes(change)) {
        continue;
      }
      ChangeEvent event = change.event();
      last = event.position().sortKey();
      ShapedRow shaped = batch.shaped.get(change);
      if (shaped.isRejected()) {
        // in errors.<table> now; silver keeps the key's previous version
        continue;
      }
      List<Object> key = key(batch.id, keyColumns, schema, event, shaped.row());
      if (batch.snapshotRowsAreNew && batch.isSnapshotRow(event) && !latest.containsKey(key)) {
        unseen.add(key);
      }
      if (event.operation() == Operation.DELETE) {
        latest.put(key, Optional.empty());
      } else {
        if (event.operation() == Operation.UPDATE && change.before().isPresent()
            && sourceKey.stream().allMatch(column -> change.before().get().get(column) != null)) {
          ShapedRow oldKey = shaping.shaper(event.schema()).shapeKey(change.before().get());
          if (!oldKey.isRejected()) {
            List<Object> old = key(batch.id, keyColumns, schema, event, oldKey.row());
            if (!old.equals(key)) {
              latest.put(old, Optional.empty());
            }
          }
        }
        latest.put(key, Optional.of(new SilverRow(shaped.row(), event.position().sortKey(),
            commitTimes.of(event.commitTime()))));
      }
    }
    if (latest.isEmpty()) {
      return null;
    }
    if (batch.sequenced()) {
      // The key's state is its newest version by sequence-by, whatever arrived last.
      latest.replaceAll((key, row) -> plan.orElseThrow().current(key));
    }

    Schema keySchema = schema.select(keyColumns);
    GenericRecord keyTemplate = GenericRecord.create(keySchema);
    List<Record> deletes = new ArrayList<>(latest.size());
    GenericRecord template = GenericRecord.create(schema);
    List<Types.NestedField> fields = schema.columns();
    int[] kinds = fieldKinds(fields);
    List<Record> records = new ArrayList<>(latest.size());
    for (Map.Entry<List<Object>, Optional<SilverRow>> entry : latest.entrySet()) {
      if (!unseen.contains(entry.getKey())) {
        GenericRecord keyRecord = keyTemplate.copy();
        for (int i = 0; i < keyColumns.size(); i++) {
          keyRecord.setField(keyColumns.get(i), entry.getKey().get(i));
        }
        deletes.add(keyRecord);
      }
      if (entry.getValue().isEmpty()) {
        continue;
      }
      SilverRow row = entry.getValue().get();
      GenericRecord record = template.copy();
      for (int i = 0; i < kinds.length; i++) {
        Object value = switch (kinds[i]) {
          case 2 -> row.position();
          case 3 -> row.commitTime();
          default -> {
            Types.NestedField field = fields.get(i);
            yield convert(batch.id, name, field.name(), row.image().get(field.name()), field.type());
          }
        };
        record.set(i, value);
      }
      records.add(record);
    }

    List<DataFile> dataFiles = LakeFiles.writeData(table, records);
    List<DeleteFile> deleteFiles;
    try {
      deleteFiles = LakeFiles.writeEqualityDeletes(table, keyColumns, deletes);
    } catch (RuntimeException e) {
      LakeFiles.deleteQuietly(table, dataFiles);
      throw e;
    }
    return new Staged(Kind.DELTA, table, name, dataFiles, deleteFiles, last, latest.size(), null, false);
  }

  /** Appends the dead letters of one table that {@code errors.<table>} does not hold yet. */
  private void commitErrors(String source, TableId id, List<DeadLetter> letters, Instant recordedAt,
      Map<String, Long> rows, List<String> snapshots) {
    if (letters == null || letters.isEmpty()) {
      return;
    }
    Table table = errors.table(source, id);
    String name = Lake.ERRORS + "." + id.name();
    List<DeadLetter> ordered = new ArrayList<>(letters);
    ordered.sort(java.util.Comparator.comparing(DeadLetter::position));
    List<Record> records = ErrorTables.records(table, ordered, recordedAt);
    if (records.isEmpty()) {
      return;
    }
    String last = ordered.get(ordered.size() - 1).position().sortKey();
    List<DataFile> files = LakeFiles.writeData(table, records);
    AppendFiles append = table.newAppend();
    files.forEach(append::appendFile);
    commit(source, name, table, append, last, files);
    rows.put(name, (long) records.size());
    snapshots.add(name + "@" + table.currentSnapshot().snapshotId());
    LOG.warn("{} records of {} did not reach silver and went to {} (query it for their reasons)",
        records.size(), id, name);
  }

  // ---- history

  /**
   * The versions of the keys a batch touches, before anything of them is written to history.
   *
   * @param rebuild history is built again from bronze: {@code versions} holds every key
   * @param stored the rows history holds now of the touched keys (empty on a rebuild)
   * @param commitTimes the commit time of each position the versions name
   */
  private record Plan(boolean rebuild, Map<List<Object>, List<HistoryLayer.Row>> stored,
      Map<List<Object>, List<Versions.Version>> versions, Map<String, OffsetDateTime> commitTimes,
      Map<List<Object>, List<Versions.Change>> changes) {

    /** The positions of the key's changes by the surrogate key a version they open would get. */
    Map<String, String> openings(String name, List<Object> key) {
      Map<String, String> openings = new HashMap<>();
      for (Versions.Change change : changes.getOrDefault(key, List.of())) {
        openings.put(Versions.surrogateKey(name, key, change.position()), change.position());
      }
      return openings;
    }

    /** The key's current state: its open version, or empty when it has none. */
    Optional<SilverRow> current(List<Object> key) {
      List<Versions.Version> keyVersions = versions.get(key);
      if (keyVersions == null) {
        throw new IllegalStateException("Cannot find the versions of key " + key + " (this is a bug)");
      }
      return keyVersions.stream().filter(Versions.Version::current).findFirst()
          .map(version -> new SilverRow(version.values(), version.position(), commitTimes.get(version.position())));
    }
  }

  /**
   * The plan of a batch; null when {@code bronzeCommitted} is false and the plan must read the batch's changes from
   * bronze (history is built again, or a key's changes do not continue its stored versions).
   */
  private Plan plan(TableBatch batch, boolean bronzeCommitted) {
    HistoryLayer layer = batch.historyLayer;
    Table target = batch.history != null ? batch.history : batch.silver;
    String name = (batch.history != null ? Lake.HISTORY : Lake.SILVER) + "." + batch.id.name();
    Schema schema = target.schema();
    List<String> keyColumns = batch.silverKey;
    List<String> sourceKey = batch.schema.key();
    Set<String> tracked = layer.tracked();
    Map<String, OffsetDateTime> commitTimes = new HashMap<>(capacity(batch.changes.size()));
    Map<List<Object>, List<Versions.Version>> versions = new LinkedHashMap<>(capacity(batch.changes.size()));
    if (batch.historyBehindBronze()) {
      if (!bronzeCommitted) {
        return null;
      }
      Map<List<Object>, List<Versions.Change>> all = layer.readBronze(batch.bronze, null, schema, name, commitTimes);
      all.forEach((key, changes) -> versions.put(key, Versions.fold(name, key, List.of(), changes, tracked)));
      return new Plan(true, Map.of(), versions, commitTimes, all);
    }

    Map<List<Object>, List<Versions.Change>> changes = new LinkedHashMap<>(capacity(batch.changes.size()));
    for (Resolved change : batch.changes) {
      if (batch.history != null ? !batch.historyTakes(change) : !batch.silverTakes(change)) {
        continue;
      }
      ChangeEvent event = change.event();
      String position = event.position().sortKey();
      ShapedRow shaped = batch.shaped.get(change);
      if (shaped.isRejected()) {
        // in errors.<table>: history keeps the key's previous version, as silver does
        continue;
      }
      commitTimes.put(position, HistoryLayer.asOffsetDateTime(event.commitTime()));
      List<Object> key = key(batch.id, keyColumns, schema, event, shaped.row());
      if (event.operation() == Operation.UPDATE && change.before().isPresent()
          && sourceKey.stream().allMatch(column -> change.before().get().get(column) != null)) {
        ShapedRow oldKey = shaping.shaper(event.schema()).shapeKey(change.before().get());
        if (!oldKey.isRejected()) {
          List<Object> old = key(batch.id, keyColumns, schema, event, oldKey.row());
          if (!old.equals(key)) {
            changes.computeIfAbsent(old, k -> new ArrayList<>()).add(layer.change(Operation.DELETE,
                change.before().get(), oldKey.row(), position, event.transactionId(), event.commitTime(), schema,
                name));
          }
        }
      }
      changes.computeIfAbsent(key, k -> new ArrayList<>()).add(layer.change(event.operation(), change.image(),
          shaped.row(), position, event.transactionId(), event.commitTime(), schema, name));
    }
    changes.values().forEach(list -> list.sort(Versions.ORDER));

    // The stored versions of the touched keys: their tails from memory, the others read from history.
    Map<List<Object>, List<HistoryLayer.Row>> stored = new HashMap<>();
    Set<List<Object>> fromTails = new HashSet<>();
    if (batch.history != null) {
      HistoryTails.Lookup lookup = tails.lookup(batch.history, layer, changes.keySet());
      stored.putAll(lookup.tails());
      fromTails.addAll(lookup.tails().keySet());
      long started = System.nanoTime();
      Map<List<Object>, List<HistoryLayer.Row>> read = layer.read(batch.history, lookup.unknown());
      tails.read(lookup.unknown().size(), read.size());
      if (!lookup.unknown().isEmpty()) {
        LOG.debug("Read the stored versions of {} keys of {} from the table in {} ms ({} of them held there); the "
            + "history tails hold {} keys, {} bytes estimated", lookup.unknown().size(), name,
            (System.nanoTime() - started) / 1_000_000, read.size(), tails.size(), tails.bytes());
      }
      stored.putAll(read);
    }
    Set<List<Object>> refold = new HashSet<>();
    for (Map.Entry<List<Object>, List<Versions.Change>> entry : changes.entrySet()) {
      List<HistoryLayer.Row> rows = stored.getOrDefault(entry.getKey(), List.of());
      List<Versions.Version> keyVersions = rows.stream().map(HistoryLayer.Row::version).toList();
      if (batch.history == null || !Versions.continues(keyVersions, entry.getValue())) {
        refold.add(entry.getKey());
      } else {
        rows.forEach(row -> commitTimes.put(row.version().position(), row.commitTime()));
        versions.put(entry.getKey(), Versions.fold(name, entry.getKey(), keyVersions, entry.getValue(), tracked));
      }
    }
    if (!refold.isEmpty() && !bronzeCommitted) {
      return null;
    }
    if (batch.history != null) {
      // A key folded again replaces all its stored versions: a tail is not enough.
      Set<List<Object>> partial = new HashSet<>(refold);
      partial.retainAll(fromTails);
      partial.forEach(stored::remove);
      stored.putAll(layer.read(batch.history, partial));
      for (List<Object> key : refold) {
        stored.getOrDefault(key, List.of()).forEach(row -> commitTimes.put(row.version().position(), row.commitTime()));
      }
    }
    // A late change, or one continuing a stored transaction: fold the key again from all its changes in bronze.
    Map<List<Object>, List<Versions.Change>> all = layer.readBronze(batch.bronze, refold, schema, name, commitTimes);
    for (List<Object> key : refold) {
      List<Versions.Change> keyChanges = all.getOrDefault(key, changes.get(key));
      versions.put(key, Versions.fold(name, key, List.of(), keyChanges, tracked));
    }
    if (!refold.isEmpty()) {
      LOG.debug("Folded {} keys of {} again from bronze (late or split changes)", refold.size(), name);
    }
    return new Plan(false, stored, versions, commitTimes, changes);
  }

  private Staged stageHistory(TableBatch batch, Plan plan, Function<String, Instant> ingestedAt) {
    Table table = batch.history;
    String name = Lake.HISTORY + "." + batch.id.name();
    Schema schema = table.schema();
    String last = null;
    for (Resolved change : batch.changes) {
      if (batch.historyTakes(change)) {
        last = change.event().position().sortKey();
      }
    }
    HistoryLayer.Records builder = batch.historyLayer.records(schema, name);
    if (plan.rebuild()) {
      List<Record> records = new ArrayList<>();
      for (Map.Entry<List<Object>, List<Versions.Version>> entry : plan.versions().entrySet()) {
        Map<String, String> openings = plan.openings(name, entry.getKey());
        for (Versions.Version version : entry.getValue()) {
          OffsetDateTime now = recordedAt(ingestedAt, openings.getOrDefault(version.sk(), version.position()));
          records.add(builder.record(row(plan, version, now)));
        }
      }
      List<DataFile> files = LakeFiles.writeData(table, records);
      String position = TablePositions.recorded(batch.bronze).orElse(last);
      LOG.info("Building {} from bronze.{}: {} versions of {} keys, up to position {}", name, batch.id.name(),
          records.size(), plan.versions().size(), position);
      return new Staged(Kind.OVERWRITE, table, name, files, List.of(), position, records.size(), null, false);
    }
    if (last == null) {
      return null;
    }

    GenericRecord skTemplate = GenericRecord.create(schema.select(HistoryLayer.SK));
    List<Record> deletes = new ArrayList<>();
    List<Record> records = new ArrayList<>();
    Map<List<Object>, List<HistoryLayer.Row>> written = new HashMap<>(capacity(plan.versions().size()));
    for (Map.Entry<List<Object>, List<Versions.Version>> entry : plan.versions().entrySet()) {
      // A new key (every snapshot row) has no stored rows: no maps for them
      List<HistoryLayer.Row> storedRows = plan.stored().getOrDefault(entry.getKey(), List.of());
      Map<String, HistoryLayer.Row> stored = storedRows.isEmpty() ? Map.of() : new HashMap<>();
      for (HistoryLayer.Row row : storedRows) {
        stored.put(row.version().sk(), row);
      }
      Set<String> kept = storedRows.isEmpty() ? Set.of() : new HashSet<>();
      Map<String, String> openings = null;
      List<Versions.Change> keyChanges = plan.changes().getOrDefault(entry.getKey(), List.of());
      List<HistoryLayer.Row> keyRows = new ArrayList<>(entry.getValue().size());
      written.put(entry.getKey(), keyRows);
      for (Versions.Version version : entry.getValue()) {
        HistoryLayer.Row previous = stored.get(version.sk());
        if (previous != null && previous.version().equals(version)) {
          kept.add(version.sk());
          keyRows.add(previous);
          continue;
        }
        // A new version is recorded when the change that opened it was ingested.
        OffsetDateTime recordedAt;
        if (previous != null) {
          recordedAt = previous.recordedAt();
        } else if (keyChanges.size() == 1 && keyChanges.get(0).position().equals(version.position())) {
          // The key's one change made the version, opened it or not: no surrogate keys to compare (a snapshot row)
          recordedAt = recordedAt(ingestedAt, version.position());
        } else {
          if (openings == null) {
            openings = plan.openings(name, entry.getKey());
          }
          recordedAt = recordedAt(ingestedAt, openings.getOrDefault(version.sk(), version.position()));
        }
        HistoryLayer.Row row = new HistoryLayer.Row(version, recordedAt, plan.commitTimes().get(version.position()));
        keyRows.add(row);
        records.add(builder.record(row));
      }
      for (String sk : stored.keySet()) {
        if (!kept.contains(sk)) {
          GenericRecord delete = skTemplate.copy();
          delete.set(0, sk);
          deletes.add(delete);
        }
      }
    }
    List<DataFile> dataFiles = LakeFiles.writeData(table, records);
    List<DeleteFile> deleteFiles;
    try {
      deleteFiles = LakeFiles.writeEqualityDeletes(table, List.of(HistoryLayer.SK), deletes);
    } catch (RuntimeException e) {
      LakeFiles.deleteQuietly(table, dataFiles);
      throw e;
    }
    boolean snapshotRows = batch.changes.stream().filter(batch::historyTakes)
        .allMatch(change -> change.event().operation() == Operation.READ);
    return new Staged(Kind.DELTA, table, name, dataFiles, deleteFiles, last, records.size(), written, snapshotRows);
  }

  private static OffsetDateTime recordedAt(Function<String, Instant> ingestedAt, String position) {
    return IcebergTypes.utc(ingestedAt.apply(position));
  }

  private static HistoryLayer.Row row(Plan plan, Versions.Version version, OffsetDateTime recordedAt) {
    return new HistoryLayer.Row(version, recordedAt, plan.commitTimes().get(version.position()));
  }

  private void commit(String source, String name, Table table, SnapshotUpdate<?> update, String position,
      List<? extends ContentFile<?>> written) {
    update.set(LakeProperties.POSITION, position);
    update.set(LakeProperties.SOURCE, source);
    try {
      CrashPoints.reach(CrashPoints.BEFORE_COMMIT);
      hook.beforeCommit(name);
      update.commit();
    } catch (CommitStateUnknownException e) {
      // the commit may have succeeded: its files must stay
      throw e;
    } catch (RuntimeException e) {
      LakeFiles.deleteQuietly(table, written);
      throw e;
    }
    CrashPoints.reach(CrashPoints.AFTER_COMMIT);
  }

  static Object convert(TableId id, String layerTable, String column, Object value, Type type) {
    try {
      return IcebergTypes.toIcebergValue(value, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("Cannot write a change of " + id + " to " + layerTable + ": column " + column
          + ": " + e.getMessage() + " (the source delivered a value that does not match the column type)", e);
    }
  }

  // ---- checkpoints and wipes

  private boolean recordCheckpoint(String source, Position end) {
    Position committed = committedCheckpoints.computeIfAbsent(source,
        name -> checkpoints.read(name).map(Checkpoint::position).orElse(null));
    if (end.equals(committed)) {
      return false;
    }
    checkpoints.write(source, new Checkpoint(end, Instant.now()));
    committedCheckpoints.put(source, end);
    CrashPoints.reach(CrashPoints.AFTER_CHECKPOINT);
    return true;
  }

  /** Deletes every row of the source's lake tables, keeping the tables; returns their names. */
  private List<String> wipe(String source) {
    committedCheckpoints.remove(source);
    return wipe(source, List.of(Lake.BRONZE, Lake.SILVER, Lake.HISTORY, Lake.ERRORS), name -> true);
  }

  /** Deletes every row of the source's tables in {@code layers} whose lake name {@code chosen} accepts. */
  private List<String> wipe(String source, List<String> layers, java.util.function.Predicate<String> chosen) {
    tails.clear();
    List<String> wiped = new ArrayList<>();
    for (String layer : layers) {
      Namespace namespace = Namespace.of(layer);
      if (!lake.catalog().namespaceExists(namespace)) {
        continue;
      }
      for (TableIdentifier identifier : lake.catalog().listTables(namespace)) {
        if (!chosen.test(identifier.name())) {
          continue;
        }
        Table table = tables.get(identifier);
        if (table == null) {
          table = lake.catalog().loadTable(identifier);
          tables.put(identifier, table);
        } else {
          table.refresh();
        }
        if (!source.equals(table.properties().get(LakeProperties.SOURCE))
            || table.currentSnapshot() == null
            || TablePositions.recorded(table).isEmpty()) {
          continue;
        }
        snapshotRowsOnly.remove(identifier);
        table.newDelete()
            .deleteFromRowFilter(Expressions.alwaysTrue())
            .set(LakeProperties.POSITION, "")
            .set(LakeProperties.SOURCE, source)
            .commit();
        wiped.add(identifier.toString());
      }
    }
    return wiped;
  }
}
