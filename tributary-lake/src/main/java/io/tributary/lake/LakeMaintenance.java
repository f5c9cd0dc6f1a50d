package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.core.config.MaintenanceConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upkeep of every table of a lake: compaction of small files and deletes, expiry of snapshots older than the
 * retention window, removal of orphan files. Each task commits optimistically beside the writers, so nothing
 * waits for it; a conflict gives up that table's compaction for the round and says so. Tributary's own tables
 * ({@code _tributary.*}) hold no data files and are left alone.
 */
public final class LakeMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(LakeMaintenance.class);

  private final Lake lake;
  private final MaintenanceConfig config;
  private final Clock clock;
  private final Compaction.BeforeCommit beforeCommit;

  public LakeMaintenance(Lake lake, MaintenanceConfig config) {
    this(lake, config, Clock.systemUTC(), table -> {});
  }

  LakeMaintenance(Lake lake, MaintenanceConfig config, Clock clock, Compaction.BeforeCommit beforeCommit) {
    this.lake = requireNonNull(lake, "lake is null");
    this.config = requireNonNull(config, "config is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.beforeCommit = requireNonNull(beforeCommit, "beforeCommit is null");
  }

  /** The tables maintenance looks after, {@code layer.table}, sorted. */
  public List<TableIdentifier> tables() {
    List<TableIdentifier> tables = new ArrayList<>();
    for (Namespace namespace : lake.catalog().listNamespaces()) {
      if (namespace.levels().length == 1 && !namespace.level(0).equals(Lake.SYSTEM)) {
        tables.addAll(lake.catalog().listTables(namespace));
      }
    }
    tables.sort((a, b) -> a.toString().compareTo(b.toString()));
    return tables;
  }

  /**
   * Runs every task on every table, or on {@code only} ({@code layer.table}); with {@code dryRun} it changes
   * nothing and reports what it would do. A failure on one table is reported and the others go on.
   *
   * @throws IllegalArgumentException if {@code only} names no table of the lake
   */
  public List<TableReport> run(Optional<String> only, boolean dryRun) {
    requireNonNull(only, "only is null");
    List<TableIdentifier> tables = tables();
    if (only.isPresent()) {
      TableIdentifier wanted = TableIdentifier.parse(only.get());
      if (!tables.contains(wanted)) {
        throw new IllegalArgumentException("Invalid table " + only.get() + ": the lake has no such table (tables: "
            + tables + ")");
      }
      tables = List.of(wanted);
    }
    List<TableReport> reports = new ArrayList<>();
    for (TableIdentifier identifier : tables) {
      reports.add(run(identifier, dryRun));
    }
    return reports;
  }

  private TableReport run(TableIdentifier identifier, boolean dryRun) {
    long started = System.nanoTime();
    Table table;
    try {
      table = lake.catalog().loadTable(identifier);
    } catch (NoSuchTableException e) {
      return TableReport.failed(identifier.toString(), "dropped while maintenance ran");
    }
    Instant now = clock.instant();
    try {
      Compaction.Result compaction = Compaction.compact(table, config, dryRun, beforeCommit);
      table.refresh();
      SnapshotExpiry.Result expiry =
          SnapshotExpiry.expire(table, config.snapshotRetention(), config.minSnapshots(), now, dryRun);
      OrphanFiles.Result orphans = OrphanFiles.remove(table, config.orphanAge(), now, dryRun);
      return new TableReport(identifier.toString(), compaction, expiry, orphans, Optional.empty(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (RuntimeException e) {
      LOG.warn("Maintenance of {} failed; the other tables go on", identifier, e);
      return TableReport.failed(identifier.toString(), e.toString());
    }
  }
}
