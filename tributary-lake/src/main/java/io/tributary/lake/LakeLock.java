package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps pipelines and a replay of one lake apart, across processes: {@code <warehouse>/_work/lake.lock}.
 *
 * <p>Each pipeline process holds a lock on one byte of the file (at a random offset, so several
 * pipelines, in one process or several, never exclude each other); a replay locks the whole file, so
 * it gets its lock only when no pipeline holds one, and no pipeline starts while it holds it. The
 * operating system drops a killed process's locks, so a crash never leaves the lake locked.
 *
 * <p>A replay also leaves {@code <warehouse>/_work/replay-unfinished} while it rebuilds tables: a
 * replay cut short leaves it behind, and pipelines refuse to start until a replay finishes.
 */
public final class LakeLock implements AutoCloseable {
  static final String LOCK_FILE = "lake.lock";
  static final String REPLAY_MARKER = "replay-unfinished";

  private final FileChannel channel;
  private final FileLock lock;

  private LakeLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * The lock a pipeline writing {@code warehouse} holds while it runs.
   *
   * @throws IllegalStateException if a replay runs on the lake or one was cut short
   */
  public static LakeLock pipeline(Path warehouse) {
    requireNonNull(warehouse, "warehouse is null");
    Optional<String> unfinished = unfinishedReplay(warehouse);
    if (unfinished.isPresent()) {
      throw new IllegalStateException("Cannot write lake " + warehouse + ": a replay of tables " + unfinished.get()
          + " did not finish, so they hold only part of raw (run `tributary replay --lake " + warehouse
          + "` again to finish it, then start the pipeline)");
    }
    long offset = 1 + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE / 2);
    FileChannel channel = open(warehouse);
    FileLock lock;
    try {
      lock = channel.tryLock(offset, 1, true);
    } catch (IOException | OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      closeQuietly(channel);
      throw new IllegalStateException("Cannot write lake " + warehouse + ": tributary replay is rebuilding its "
          + "tables (wait for it to finish, then start the pipeline)");
    }
    return new LakeLock(channel, lock);
  }

  /**
   * The lock a replay of {@code warehouse} holds.
   *
   * @throws IllegalStateException if a pipeline (or another replay) has the lake open for writing
   */
  static LakeLock replay(Path warehouse) {
    requireNonNull(warehouse, "warehouse is null");
    FileChannel channel = open(warehouse);
    FileLock lock;
    try {
      lock = channel.tryLock(0, Long.MAX_VALUE, false);
    } catch (IOException | OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      closeQuietly(channel);
      throw new IllegalStateException("Cannot replay lake " + warehouse + ": a pipeline (tributary run or demo) or "
          + "another replay is writing it (stop it first: a replay rebuilds tables the pipeline writes; it "
          + "resumes from its checkpoint afterwards)");
    }
    return new LakeLock(channel, lock);
  }

  /** The tables of a replay that started and did not finish, if any. */
  public static Optional<String> unfinishedReplay(Path warehouse) {
    Path marker = work(warehouse).resolve(REPLAY_MARKER);
    if (!Files.exists(marker)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(marker, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return Optional.of("(unreadable " + marker + ")");
    }
  }

  /** Records that a replay of {@code tables} begins (beside those of an unfinished one); forced to disk. */
  static void markReplay(Path warehouse, List<String> tables) {
    java.util.SortedSet<String> all = new java.util.TreeSet<>(unfinishedTables(warehouse));
    all.addAll(tables);
    writeMarker(warehouse, all);
  }

  /** Records that the replay of {@code tables} finished; the marker goes once no table is left in it. */
  static void replayFinished(Path warehouse, List<String> tables) {
    java.util.SortedSet<String> left = new java.util.TreeSet<>(unfinishedTables(warehouse));
    left.removeAll(tables);
    writeMarker(warehouse, left);
  }

  private static List<String> unfinishedTables(Path warehouse) {
    return unfinishedReplay(warehouse)
        .map(text -> java.util.Arrays.stream(text.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList())
        .orElse(List.of());
  }

  private static void writeMarker(Path warehouse, java.util.SortedSet<String> tables) {
    Path marker = work(warehouse).resolve(REPLAY_MARKER);
    try {
      if (tables.isEmpty()) {
        Files.deleteIfExists(marker);
        return;
      }
      Files.createDirectories(marker.getParent());
      try (FileChannel file = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        file.write(java.nio.ByteBuffer.wrap(String.join(", ", tables).getBytes(StandardCharsets.UTF_8)));
        file.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + marker + ": " + e.getMessage()
          + " (check permissions of " + marker.getParent() + ")", e);
    }
  }

  private static Path work(Path warehouse) {
    return warehouse.resolve("_work");
  }

  private static FileChannel open(Path warehouse) {
    Path file = work(warehouse).resolve(LOCK_FILE);
    try {
      Files.createDirectories(file.getParent());
      return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open lock file " + file + ": " + e.getMessage()
          + " (check permissions of " + file.getParent() + ")", e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing held
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it as well
    }
    closeQuietly(channel);
  }
}
