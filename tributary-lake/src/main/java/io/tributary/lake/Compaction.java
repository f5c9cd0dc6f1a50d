package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.core.config.MaintenanceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.PartitionUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the small data files of a table, and the data files that delete files apply to, into fewer and larger
 * files holding the merged rows, and drops the delete files that no longer apply to anything.
 *
 * <p>Works per partition on the snapshot current when it starts ({@code S}). The new files get S's data sequence
 * number, so delete files committed after S by a concurrent writer still apply to them, and the commit validates
 * from S: it fails, and the round is given up, only if a concurrent commit removed a rewritten file or added
 * position deletes to one. The rewrite does not record a source position ({@link LakeProperties#POSITION}): its
 * parent may be a newer writer commit than S, so the position is read from the last snapshot that records one (see
 * {@link TablePositions}); the other {@code tributary.*} entries of S's summary are carried over.
 */
final class Compaction {
  /** Snapshot summary: which maintenance task made the snapshot. */
  static final String MAINTENANCE = "tributary.maintenance";

  private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);

  /** Called after the new files are written and before the commit; lets tests commit concurrently. */
  @FunctionalInterface
  interface BeforeCommit {
    void run(Table table);
  }

  private Compaction() {}

  /** What a compaction of one table did, or would do in a dry run. */
  record Result(int dataFilesBefore, int deleteFilesBefore, int dataFilesRewritten, int deleteFilesRemoved,
      int dataFilesWritten, long bytesRewritten, long bytesWritten, boolean committed, Optional<String> skipped) {
    Result {
      requireNonNull(skipped, "skipped is null");
    }

    static Result nothing(int dataFiles, int deleteFiles, String why) {
      return new Result(dataFiles, deleteFiles, 0, 0, 0, 0, 0, false, Optional.of(why));
    }

    int dataFilesAfter() {
      return committed ? dataFilesBefore - dataFilesRewritten + dataFilesWritten : dataFilesBefore;
    }

    int deleteFilesAfter() {
      return committed ? deleteFilesBefore - deleteFilesRemoved : deleteFilesBefore;
    }
  }

  /** The data files of one partition, each with the delete files that apply to it. */
  private static final class Group {
    final PartitionSpec spec;
    final List<FileScanTask> tasks = new ArrayList<>();

    Group(PartitionSpec spec) {
      this.spec = spec;
    }
  }

  static Result compact(Table table, MaintenanceConfig config, boolean dryRun, BeforeCommit beforeCommit) {
    Snapshot start = table.currentSnapshot();
    if (start == null) {
      return Result.nothing(0, 0, "no snapshot");
    }
    Map<String, Group> groups = new LinkedHashMap<>();
    Map<String, DeleteFile> deleteFiles = new LinkedHashMap<>();
    Map<String, Set<String>> deleteTargets = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(start.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        PartitionSpec spec = table.specs().get(file.specId());
        String key = file.specId() + "/" + spec.partitionToPath(file.partition());
        groups.computeIfAbsent(key, ignored -> new Group(spec)).tasks.add(task);
        for (DeleteFile delete : task.deletes()) {
          deleteTargets.computeIfAbsent(delete.location(), ignored -> new HashSet<>()).add(file.location());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the files of table " + table.name() + ": " + e.getMessage(), e);
    }
    for (DeleteFile delete : liveDeleteFiles(table, start)) {
      deleteFiles.put(delete.location(), delete);
    }
    int dataFilesBefore = groups.values().stream().mapToInt(group -> group.tasks.size()).sum();
    int deleteFilesBefore = deleteFiles.size();

    // Which data files to rewrite: per partition, the small ones and those with deletes, if there are enough.
    long small = config.smallFileBytes();
    List<Group> rewrites = new ArrayList<>();
    Set<String> rewritten = new HashSet<>();
    for (Group group : groups.values()) {
      Group chosen = new Group(group.spec);
      Set<String> deletes = new HashSet<>();
      for (FileScanTask task : group.tasks) {
        if (task.file().fileSizeInBytes() < small || !task.deletes().isEmpty()) {
          chosen.tasks.add(task);
          task.deletes().forEach(delete -> deletes.add(delete.location()));
        }
      }
      boolean worth = chosen.tasks.size() + deletes.size() >= config.minInputFiles()
          && (chosen.tasks.size() > 1 || !deletes.isEmpty());
      if (worth) {
        rewrites.add(chosen);
        chosen.tasks.forEach(task -> rewritten.add(task.file().location()));
      }
    }
    // A delete file goes when every data file it applies to is rewritten, or it applies to none (planning matched
    // it to no data file by sequence number, partition and column bounds): no row of a later file can match it.
    List<DeleteFile> removable = new ArrayList<>();
    for (DeleteFile delete : deleteFiles.values()) {
      Set<String> targets = deleteTargets.getOrDefault(delete.location(), Set.of());
      if (rewritten.containsAll(targets)) {
        removable.add(delete);
      }
    }
    if (rewrites.isEmpty() && removable.size() < config.minInputFiles()) {
      return Result.nothing(dataFilesBefore, deleteFilesBefore, "fewer than " + config.minInputFiles()
          + " small or deleted-from files in any partition");
    }
    List<DataFile> replaced = new ArrayList<>();
    rewrites.forEach(group -> group.tasks.forEach(task -> replaced.add(task.file())));
    long bytesRewritten = replaced.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    if (dryRun) {
      return new Result(dataFilesBefore, deleteFilesBefore, replaced.size(), removable.size(), 0, bytesRewritten, 0,
          false, Optional.empty());
    }

    List<DataFile> written = new ArrayList<>();
    try {
      for (Group group : rewrites) {
        try (CloseableIterable<Record> rows = mergedRows(table, group.tasks)) {
          written.addAll(LakeFiles.writeData(table, group.spec, group.tasks.get(0).file().partition(),
              config.targetFileSizeBytes(), rows));
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read the rows of table " + table.name() + " to compact: "
              + e.getMessage(), e);
        }
      }
    } catch (RuntimeException e) {
      LakeFiles.deleteQuietly(table, written);
      throw e;
    }

    RewriteFiles rewrite = table.newRewrite()
        .validateFromSnapshot(start.snapshotId())
        .dataSequenceNumber(start.sequenceNumber());
    replaced.forEach(rewrite::deleteFile);
    removable.forEach(rewrite::deleteFile);
    written.forEach(rewrite::addFile);
    start.summary().forEach((key, value) -> {
      if (key.startsWith("tributary.") && !key.equals(LakeProperties.POSITION) && !key.equals(MAINTENANCE)) {
        rewrite.set(key, value);
      }
    });
    rewrite.set(MAINTENANCE, "compaction");
    long bytesWritten = written.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    try {
      beforeCommit.run(table);
      rewrite.commit();
    } catch (CommitStateUnknownException e) {
      // it may have been committed: its files must stay
      throw e;
    } catch (ValidationException | CommitFailedException e) {
      LakeFiles.deleteQuietly(table, written);
      LOG.info("Compaction of {} gave up this round: {}", table.name(), e.getMessage());
      return new Result(dataFilesBefore, deleteFilesBefore, replaced.size(), removable.size(), written.size(),
          bytesRewritten, bytesWritten, false,
          Optional.of("a concurrent commit conflicts (" + e.getMessage() + "); tried again next round"));
    } catch (RuntimeException e) {
      LakeFiles.deleteQuietly(table, written);
      throw e;
    }
    LOG.info("Compacted {}: {} data files ({} bytes) and {} delete files into {} data files ({} bytes), snapshot {}",
        table.name(), replaced.size(), bytesRewritten, removable.size(), written.size(), bytesWritten,
        table.currentSnapshot().snapshotId());
    return new Result(dataFilesBefore, deleteFilesBefore, replaced.size(), removable.size(), written.size(),
        bytesRewritten, bytesWritten, true, Optional.empty());
  }

  /** Every delete file live in {@code snapshot}, whether or not planning matched it to a data file. */
  private static List<DeleteFile> liveDeleteFiles(Table table, Snapshot snapshot) {
    List<DeleteFile> files = new ArrayList<>();
    for (ManifestFile manifest : snapshot.deleteManifests(table.io())) {
      try (ManifestReader<DeleteFile> reader = ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
        for (DeleteFile file : reader) {
          files.add(file.copyWithoutStats());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read delete manifest " + manifest.path() + " of table " + table.name()
            + ": " + e.getMessage(), e);
      }
    }
    return files;
  }

  /** The rows of {@code tasks}' data files with their deletes applied, in the table's current schema. */
  private static CloseableIterable<Record> mergedRows(Table table, List<FileScanTask> tasks) {
    List<CloseableIterable<Record>> parts = new ArrayList<>(tasks.size());
    for (FileScanTask task : tasks) {
      parts.add(mergedRows(table, task));
    }
    return CloseableIterable.concat(parts);
  }

  private static CloseableIterable<Record> mergedRows(Table table, FileScanTask task) {
    Schema schema = table.schema();
    GenericDeleteFilter deletes = new GenericDeleteFilter(table.io(), task, schema, schema);
    Schema read = deletes.requiredSchema();
    Map<Integer, ?> constants = PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant);
    CloseableIterable<Record> records = FormatModelRegistry.<Record, Object>readBuilder(task.file().format(),
            Record.class, table.io().newInputFile(task.file().location()))
        .project(read)
        .idToConstant(constants)
        .build();
    CloseableIterable<Record> merged = deletes.filter(records);
    if (read.columns().size() == schema.columns().size()) {
      return merged;
    }
    // Reading position deletes adds the row position column after the table's columns: leave it out.
    int columns = schema.columns().size();
    return CloseableIterable.transform(merged, record -> {
      GenericRecord row = GenericRecord.create(schema);
      for (int i = 0; i < columns; i++) {
        row.set(i, record.get(i));
      }
      return row;
    });
  }
}
