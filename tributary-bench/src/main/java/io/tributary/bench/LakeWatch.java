package io.tributary.bench;

import static java.util.Objects.requireNonNull;

import io.tributary.lake.Checkpoint;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.lake.TablePositions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * Watches, from outside the Tributary process, how far the lake is: the rows bronze holds (its snapshot summary's
 * {@code total-records}: bronze only appends) and whether the checkpoint, which the writer records after bronze AND
 * silver of a batch are committed, covers bronze's last position.
 */
final class LakeWatch implements AutoCloseable {
  private final Path warehouse;
  private Lake lake;
  private Checkpoints checkpoints;

  LakeWatch(Path warehouse) {
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
  }

  private boolean open() {
    if (lake == null) {
      if (!Files.exists(warehouse.resolve("catalog.db"))) {
        return false;
      }
      lake = Lake.open(warehouse);
      checkpoints = new Checkpoints(lake);
    }
    return true;
  }

  /** Rows in {@code bronze.<table>} as committed now; 0 before the table exists. */
  long bronzeRows(String table) {
    return loadBronze(table).map(LakeWatch::totalRecords).orElse(0L);
  }

  /**
   * True once bronze holds at least {@code rows} rows of {@code table} and the checkpoint covers them (so silver
   * holds them too).
   */
  boolean caughtUp(String table, long rows) {
    Optional<Table> bronze = loadBronze(table);
    if (bronze.isEmpty() || totalRecords(bronze.get()) < rows) {
      return false;
    }
    Optional<String> position = TablePositions.recorded(bronze.get());
    Optional<Checkpoint> checkpoint = checkpoints.read(Bench.SOURCE);
    return position.isPresent() && checkpoint.isPresent() && !checkpoint.get().position().inSnapshot()
        && checkpoint.get().position().sortKey().compareTo(position.get()) >= 0;
  }

  /** A checkpoint exists and lies after the snapshot: the source streams. */
  boolean streaming() {
    if (!open()) {
      return false;
    }
    try {
      Optional<Checkpoint> checkpoint = checkpoints.read(Bench.SOURCE);
      return checkpoint.isPresent() && !checkpoint.get().position().inSnapshot();
    } catch (RuntimeException e) {
      return false;
    }
  }

  long dataFiles(String namespace, String table) {
    if (!open()) {
      return 0;
    }
    try {
      Table loaded = lake.catalog().loadTable(TableIdentifier.of(namespace, table));
      Snapshot snapshot = loaded.currentSnapshot();
      return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-data-files", "0"));
    } catch (NoSuchTableException e) {
      return 0;
    }
  }

  private Optional<Table> loadBronze(String table) {
    if (!open()) {
      return Optional.empty();
    }
    try {
      return Optional.of(lake.catalog().loadTable(TableIdentifier.of(Lake.BRONZE, table)));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  private static long totalRecords(Table table) {
    Snapshot snapshot = table.currentSnapshot();
    return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
  }

  @Override
  public void close() {
    if (lake != null) {
      lake.close();
    }
  }
}
