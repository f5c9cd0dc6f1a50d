package io.tributary.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.formats.ReadBuilder;
import org.apache.iceberg.types.Types;

/**
 * Reads the rows of the current snapshot of {@code history.<table>}, applying its equality deletes on {@code _sk}
 * itself: each delete file of the scan is read once, into one map of deleted surrogate keys and the newest data
 * sequence number that deleted each, and a row is dropped when its key was deleted at a sequence number above its
 * data file's (the rule of the Iceberg spec for equality deletes, as {@code SnapshotViewSql} applies it).
 *
 * <p>Iceberg's generic reader builds the set of equality-deleted rows again for every data file it opens, from every
 * delete file that applies to it; history gets one data file and one delete file per commit until compaction, so
 * reading a few keys cost data files times deletes. Here it costs data files plus deletes.
 *
 * <p>History writes only Parquet data files and equality deletes on {@code _sk}, and compaction rewrites data files
 * with the sequence number of the snapshot it started from (so deletes committed while it ran still apply to its
 * files). Any other delete file (position deletes, other equality columns, another format) makes the read go through
 * Iceberg's generic reader instead, which applies every kind.
 */
final class HistoryFiles {
  private HistoryFiles() {}

  /**
   * Hands the live rows of {@code history}'s current snapshot that may match {@code filter} to {@code consumer}, as
   * records of {@code projection} (which must hold {@code _sk}), until it returns false; returns whether every row
   * was handed over. Rows not matching {@code filter} may be handed over too.
   */
  static boolean scan(Table history, Expression filter, Schema projection, Predicate<Record> consumer) {
    Schema schema = history.schema();
    if (projection.findField(HistoryLayer.SK) == null) {
      throw new IllegalArgumentException("Invalid projection of " + history.name() + ": it must hold "
          + HistoryLayer.SK + " to apply deletes (" + projection.asStruct() + ")");
    }
    int skId = schema.findField(HistoryLayer.SK).fieldId();
    List<FileScanTask> tasks = new ArrayList<>();
    TableScan scan = history.newScan().filter(filter);
    try (CloseableIterable<FileScanTask> planned = scan.planFiles()) {
      planned.forEach(tasks::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot plan the read of " + history.name() + ": " + e.getMessage(), e);
    }
    Map<String, DeleteFile> deleteFiles = new HashMap<>();
    for (FileScanTask task : tasks) {
      if (task.file().format() != FileFormat.PARQUET) {
        return genericScan(history, filter, projection, consumer);
      }
      for (DeleteFile delete : task.deletes()) {
        if (delete.content() != FileContent.EQUALITY_DELETES || delete.format() != FileFormat.PARQUET
            || !List.of(skId).equals(delete.equalityFieldIds())) {
          return genericScan(history, filter, projection, consumer);
        }
        deleteFiles.putIfAbsent(delete.location(), delete);
      }
    }
    Map<String, Long> deleted = deleted(history, deleteFiles.values());
    for (FileScanTask task : tasks) {
      long sequence = sequence(task.file());
      try (CloseableIterable<Record> records = parquet(history, task.file(), projection, filter, task)) {
        for (Record record : records) {
          Long deletedAt = deleted.get((String) record.getField(HistoryLayer.SK));
          if (deletedAt != null && deletedAt > sequence) {
            continue;
          }
          if (!consumer.test(record)) {
            return false;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + task.file().location() + " of " + history.name() + ": "
            + e.getMessage(), e);
      }
    }
    return true;
  }

  /** Each surrogate key the delete files hold, with the newest data sequence number that deleted it. */
  private static Map<String, Long> deleted(Table history, Iterable<DeleteFile> deleteFiles) {
    Schema keyOnly = history.schema().select(HistoryLayer.SK);
    Map<String, Long> deleted = new HashMap<>();
    for (DeleteFile delete : deleteFiles) {
      long sequence = sequence(delete);
      try (CloseableIterable<Record> records = parquet(history, delete, keyOnly, null, null)) {
        for (Record record : records) {
          deleted.merge((String) record.get(0), sequence, Math::max);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read delete file " + delete.location() + " of " + history.name()
            + ": " + e.getMessage(), e);
      }
    }
    return deleted;
  }

  private static CloseableIterable<Record> parquet(Table history, ContentFile<?> file, Schema projection,
      Expression filter, FileScanTask task) {
    ReadBuilder<Record, Object> read = FormatModelRegistry.<Record, Object>readBuilder(FileFormat.PARQUET,
        Record.class, history.io().newInputFile(file.location(), file.fileSizeInBytes())).project(projection);
    if (task != null) {
      read = read.split(task.start(), task.length());
    }
    if (filter != null) {
      read = read.filter(filter);
    }
    return read.build();
  }

  /** Format v1 files carry no sequence number; they are all 0 and v1 has no delete files. */
  private static long sequence(ContentFile<?> file) {
    Long sequence = file.dataSequenceNumber();
    return sequence == null ? 0L : sequence;
  }

  private static boolean genericScan(Table history, Expression filter, Schema projection,
      Predicate<Record> consumer) {
    try (CloseableIterable<Record> records = IcebergGenerics.read(history).where(filter)
        .select(names(projection)).build()) {
      for (Record record : records) {
        if (!consumer.test(record)) {
          return false;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + history.name() + ": " + e.getMessage(), e);
    }
    return true;
  }

  private static List<String> names(Schema projection) {
    return projection.columns().stream().map(Types.NestedField::name).toList();
  }
}
