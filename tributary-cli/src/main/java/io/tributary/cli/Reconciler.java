package io.tributary.cli;

import static java.util.Objects.requireNonNull;

import io.tributary.api.TableId;
import io.tributary.core.check.Bucket;
import io.tributary.core.check.CanonicalType;
import io.tributary.core.check.CheckOutcome;
import io.tributary.core.check.CheckSide;
import io.tributary.core.check.CheckedColumn;
import io.tributary.core.check.RowDigest;
import io.tributary.core.check.TableCheck;
import io.tributary.core.check.TableComparison;
import io.tributary.core.config.PostgresSourceConfig;
import io.tributary.core.config.ShapeConfig;
import io.tributary.core.config.SourceConfig;
import io.tributary.core.config.TributaryConfig;
import io.tributary.lake.Checkpoint;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.sources.postgres.PostgresSnapshotReader;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.check.LakeCheckSide;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares each configured source table with its silver table at one consistent point per source.
 *
 * <p>For a PostgreSQL source: a snapshot of the database at a new consistent point (see {@link
 * PostgresSnapshotReader}); then wait until the lake's checkpoint for the source has passed that point,
 * so silver holds every change the snapshot sees; then read silver as committed right then, and
 * bronze just after. Silver may hold changes made after the point too. Positions do not tell exactly
 * which side of the point a change near it lies on (a change carries the commit LSN of the transaction
 * before its own), so the boundary is the checkpoint read before the snapshot was taken: every change
 * at or below it is in the snapshot. A key that differs and that bronze shows changed after that
 * checkpoint is counted as rechecked instead of reported, and the next check compares it again. Every
 * other difference is real.
 */
final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  /** Differing ranges holding at most this many rows are compared row by row. */
  static final int LEAF_ROWS = 2_000;
  private static final Set<String> LAKE_COLUMNS = Set.of("_position", "_commit_ts");

  private final TributaryConfig config;
  private final Lake lake;
  private final Duration wait;

  Reconciler(TributaryConfig config, Lake lake, Duration wait) {
    this.config = requireNonNull(config, "config is null");
    this.lake = requireNonNull(lake, "lake is null");
    this.wait = requireNonNull(wait, "wait is null");
  }

  /**
   * The configured tables named by {@code names} ({@code schema.table}, a lake table name, or {@code
   * source:schema.table}); all when {@code names} is empty.
   *
   * @throws IllegalArgumentException naming a table that is not configured
   */
  Map<String, List<TableId>> select(List<String> names) {
    Map<String, List<TableId>> selected = new LinkedHashMap<>();
    List<String> known = new ArrayList<>();
    for (SourceConfig source : config.sources().values()) {
      for (Map.Entry<TableId, String> table : source.lakeTables().entrySet()) {
        known.add(table.getKey().qualifiedName());
      }
    }
    for (String name : names) {
      boolean found = false;
      for (SourceConfig source : config.sources().values()) {
        for (Map.Entry<TableId, String> table : source.lakeTables().entrySet()) {
          TableId id = table.getKey();
          if (name.equals(id.qualifiedName()) || name.equals(table.getValue()) || name.equals("silver." + table.getValue())
              || name.equals(id.toString())) {
            selected.computeIfAbsent(source.name(), ignored -> new ArrayList<>()).add(id);
            found = true;
          }
        }
      }
      if (!found) {
        throw new IllegalArgumentException("Cannot check table " + name + ": it is not a configured table of "
            + config.file() + " (configured: " + String.join(", ", known) + ")");
      }
    }
    if (names.isEmpty()) {
      // Only PostgreSQL sources can be read at a consistent point so far; the others are left out.
      for (SourceConfig source : config.sources().values()) {
        if (source instanceof PostgresSourceConfig) {
          selected.put(source.name(), List.copyOf(source.lakeTables().keySet()));
        } else {
          log.info("Check leaves out source {}: sources of type {} cannot be checked yet", source.name(), source.type());
        }
      }
    }
    return selected;
  }

  /** Checks the tables, source by source; a source that cannot be checked fails its tables. */
  List<TableCheck> check(Map<String, List<TableId>> tables) {
    List<TableCheck> results = new ArrayList<>();
    for (Map.Entry<String, List<TableId>> entry : tables.entrySet()) {
      SourceConfig source = config.sources().get(entry.getKey());
      if (source instanceof PostgresSourceConfig postgres) {
        results.addAll(checkPostgres(postgres, entry.getValue()));
      } else {
        Instant now = Instant.now();
        for (TableId id : entry.getValue()) {
          results.add(TableCheck.failed(source.name(), id.qualifiedName(), "silver." + source.lakeTables().get(id),
              "sources of type " + source.type() + " cannot be checked yet", now, Duration.ZERO));
        }
      }
    }
    return results;
  }

  private List<TableCheck> checkPostgres(PostgresSourceConfig source, List<TableId> tables) {
    long started = System.nanoTime();
    List<TableCheck> results = new ArrayList<>();
    Checkpoint before = new Checkpoints(lake).read(source.name())
        .filter(checkpoint -> !checkpoint.position().inSnapshot())
        .orElse(null);
    if (before == null) {
      Instant now = Instant.now();
      for (TableId id : tables) {
        results.add(TableCheck.failed(source.name(), id.qualifiedName(), "silver." + source.lakeTables().get(id),
            "the source has not finished its initial snapshot in the lake yet (check once it streams)", now,
            since(started)));
      }
      return results;
    }
    try (PostgresSnapshotReader reader = PostgresSnapshotReader.open(PipelineGroup.settings(config, source))) {
      reader.passPoint();
      awaitCheckpoint(source.name(), reader);
      // Silver first, bronze after: bronze then holds every change silver does, and maybe more.
      try (LakeSqlEngine silver = new LakeSqlEngine(lake.catalog());
          LakeSqlEngine bronze = new LakeSqlEngine(lake.catalog())) {
        for (TableId id : tables) {
          long tableStarted = System.nanoTime();
          String lakeName = source.lakeTables().get(id);
          try {
            results.add(checkTable(source, id, lakeName, reader, before, silver, bronze, tableStarted));
          } catch (RuntimeException e) {
            log.warn("Check of {} failed: {}", id, e.getMessage());
            results.add(TableCheck.failed(source.name(), id.qualifiedName(), "silver." + lakeName,
                Errors.describe(e), Instant.now(), since(tableStarted)));
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("Check of source {} failed: {}", source.name(), e.getMessage());
      for (TableId id : tables) {
        if (results.stream().noneMatch(result -> result.sourceTable().equals(id.qualifiedName()))) {
          results.add(TableCheck.failed(source.name(), id.qualifiedName(), "silver." + source.lakeTables().get(id),
              Errors.describe(e), Instant.now(), since(started)));
        }
      }
    }
    return results;
  }

  private void awaitCheckpoint(String source, PostgresSnapshotReader reader) {
    Checkpoints checkpoints = new Checkpoints(lake);
    Instant deadline = Instant.now().plus(wait);
    Optional<Checkpoint> checkpoint = Optional.empty();
    while (Instant.now().isBefore(deadline)) {
      checkpoint = checkpoints.read(source);
      if (checkpoint.isPresent() && !checkpoint.get().position().inSnapshot()
          && checkpoint.get().position().sortKey().compareTo(reader.sortKey()) >= 0) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the lake to reach the check's point", e);
      }
    }
    String at = checkpoint.map(found -> found.position().inSnapshot() ? "is still in its initial snapshot"
        : "is at position " + found.position().sortKey()).orElse("has no checkpoint");
    throw new IllegalStateException("Cannot check source " + source + ": the lake has not committed it up to LSN "
        + reader.pointText() + " within " + Progress.duration(wait) + "; its checkpoint " + at
        + " (check compares while the pipeline runs: start tributary run for this configuration, or give more time"
        + " with --wait)");
  }

  private TableCheck checkTable(PostgresSourceConfig source, TableId id, String lakeName, PostgresSnapshotReader reader,
      Checkpoint before, LakeSqlEngine silver, LakeSqlEngine bronze, long started) {
    String silverName = "silver." + lakeName;
    List<String> key = reader.primaryKey(id.qualifiedName());
    Map<String, Optional<CanonicalType>> sourceTypes = reader.columnTypes(id.qualifiedName());
    if (key.isEmpty()) {
      return TableCheck.failed(source.name(), id.qualifiedName(), silverName,
          "the table has no primary key, so it has no silver table (bronze only)", Instant.now(), since(started));
    }
    Optional<Table> table = silverTable(lakeName);
    Map<String, Optional<CanonicalType>> lakeTypes = table.map(found -> LakeCheckSide.columnTypes(found.schema()))
        .orElse(Map.of());
    List<CheckedColumn> columns = new ArrayList<>();
    List<String> notCompared = new ArrayList<>();
    ShapeConfig shape = config.table(lakeName).shape();
    for (Map.Entry<String, Optional<CanonicalType>> column : sourceTypes.entrySet()) {
      String name = column.getKey();
      if (shape.mask().contains(name)) {
        notCompared.add(name + ": masked in " + silverName);
        continue;
      }
      if (shape.cast().containsKey(name)) {
        notCompared.add(name + ": cast to " + shape.cast().get(name) + " in " + silverName);
        continue;
      }
      if (shape.rename().containsKey(name)) {
        notCompared.add(name + ": renamed to " + shape.rename().get(name) + " in " + silverName);
        continue;
      }
      if (table.isEmpty()) {
        column.getValue().ifPresent(type -> columns.add(new CheckedColumn(name, type)));
        continue;
      }
      if (!lakeTypes.containsKey(name)) {
        notCompared.add(name + ": not in " + silverName);
        continue;
      }
      Optional<CanonicalType> lakeType = lakeTypes.get(name);
      if (column.getValue().isEmpty()) {
        notCompared.add(name + ": its type keeps another text form in the lake");
        continue;
      }
      Optional<CanonicalType> common = lakeType.flatMap(type -> CanonicalType.common(column.getValue().get(), type));
      if (common.isEmpty()) {
        notCompared.add(name + ": " + lower(column.getValue().get()) + " in the source, "
            + lakeType.map(Reconciler::lower).orElse("a nested type") + " in the lake");
        continue;
      }
      columns.add(new CheckedColumn(name, common.get()));
    }
    for (String name : lakeTypes.keySet()) {
      if (!sourceTypes.containsKey(name) && !LAKE_COLUMNS.contains(name) && !shape.rename().containsValue(name)) {
        notCompared.add(name + ": only in " + silverName);
      }
    }
    for (String column : key) {
      if (columns.stream().noneMatch(compared -> compared.name().equals(column))) {
        return TableCheck.failed(source.name(), id.qualifiedName(), silverName, "key column " + column
            + " cannot be compared (" + String.join("; ", notCompared) + ")", Instant.now(), since(started));
      }
    }
    CheckSide sourceSide = reader.side(id.qualifiedName(), key, columns);
    CheckSide lakeSide = table.isPresent() && silver.tables().contains(silverName)
        ? new LakeCheckSide(silver, silverName, key, columns) : EMPTY;
    List<CheckedColumn> keyColumns = columns.stream().filter(column -> key.contains(column.name())).toList();
    Set<String> changedAfter = LakeCheckSide.keysChangedAfter(bronze, "bronze." + lakeName, key, keyColumns,
        before.position().sortKey());
    TableComparison.Result result = new TableComparison(sourceSide, lakeSide, key, columns, changedAfter, LEAF_ROWS).run();
    TableCheck check = new TableCheck(source.name(), id.qualifiedName(), silverName,
        result.equal() ? CheckOutcome.EQUAL : CheckOutcome.DIFFERENT, "LSN " + reader.pointText(),
        result.sourceRows(), result.lakeRows(), result.differences(), result.moreDifferences(), result.recheckedKeys(),
        columns.stream().map(CheckedColumn::name).toList(), notCompared, Instant.now(), since(started),
        Optional.empty());
    log.info("Check: {} ({} keys rechecked, {} ms)", check.summary(), check.recheckedKeys(), check.took().toMillis());
    return check;
  }

  private Optional<Table> silverTable(String lakeName) {
    try {
      return Optional.of(lake.catalog().loadTable(TableIdentifier.of(Lake.SILVER, lakeName)));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  private static String lower(CanonicalType type) {
    return type.name().toLowerCase(Locale.ROOT);
  }

  private static Duration since(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** The lake side of a table the lake does not hold yet. */
  private static final CheckSide EMPTY = new CheckSide() {
    @Override
    public Map<String, Bucket> buckets(List<String> prefixes, int length) {
      return Map.of();
    }

    @Override
    public List<RowDigest> rows(List<String> prefixes) {
      return List.of();
    }
  };
}
