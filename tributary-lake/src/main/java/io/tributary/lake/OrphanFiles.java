package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the files under a table's directory that no live snapshot references (through its manifest list,
 * manifests, data and delete files) and that no metadata file names, once they are older than a safety age: a
 * younger unreferenced file may belong to a commit being written.
 */
final class OrphanFiles {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanFiles.class);

  private OrphanFiles() {}

  /** What an orphan removal did, or would do in a dry run. */
  record Result(int filesRemoved, long bytesRemoved) {}

  static Result remove(Table table, Duration olderThan, Instant now, boolean dryRun) {
    requireNonNull(olderThan, "olderThan is null");
    requireNonNull(now, "now is null");
    Path root = local(table.location());
    if (!Files.isDirectory(root)) {
      return new Result(0, 0);
    }
    // The files to keep are listed after those on disk: a file committed in between is then in both lists.
    List<Path> candidates = new ArrayList<>();
    Instant cutoff = now.minus(olderThan);
    try (Stream<Path> paths = Files.walk(root)) {
      paths.forEach(path -> {
        try {
          BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
          if (attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
            candidates.add(path.toAbsolutePath().normalize());
          }
        } catch (NoSuchFileException e) {
          // deleted meanwhile
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalStateException("Cannot list the files of table " + table.name() + " under " + root + ": "
          + e.getMessage() + " (check the permissions of the lake directory)", e);
    }
    if (candidates.isEmpty()) {
      return new Result(0, 0);
    }
    table.refresh();
    Set<Path> referenced = referenced(table);
    int removed = 0;
    long bytes = 0;
    for (Path candidate : candidates) {
      if (referenced.contains(candidate)) {
        continue;
      }
      try {
        long size = Files.size(candidate);
        if (!dryRun) {
          Files.deleteIfExists(candidate);
          LOG.debug("Removed orphan file {} of {}", candidate, table.name());
        }
        removed++;
        bytes += size;
      } catch (NoSuchFileException e) {
        // deleted meanwhile
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot remove orphan file " + candidate + " of table " + table.name() + ": "
            + e.getMessage(), e);
      }
    }
    if (removed > 0 && !dryRun) {
      LOG.info("Removed {} orphan files ({} bytes) of {}", removed, bytes, table.name());
    }
    return new Result(removed, bytes);
  }

  /** Every file the table's metadata reaches: metadata files, manifest lists, manifests, data and delete files. */
  private static Set<Path> referenced(Table table) {
    Set<Path> files = new HashSet<>();
    ReachableFileUtil.metadataFileLocations(table, false).forEach(location -> files.add(local(location)));
    ReachableFileUtil.manifestListLocations(table).forEach(location -> files.add(local(location)));
    ReachableFileUtil.statisticsFilesLocations(table).forEach(location -> files.add(local(location)));
    Set<String> manifests = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      for (ManifestFile manifest : snapshot.allManifests(table.io())) {
        if (!manifests.add(manifest.path())) {
          continue;
        }
        files.add(local(manifest.path()));
        try (CloseableIterable<? extends ContentFile<?>> entries = switch (manifest.content()) {
          case DATA -> ManifestFiles.read(manifest, table.io(), table.specs());
          case DELETES -> ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs());
        }) {
          for (ContentFile<?> file : entries) {
            files.add(local(file.location()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot read manifest " + manifest.path() + " of table " + table.name()
              + ": " + e.getMessage(), e);
        }
      }
    }
    return files;
  }

  private static Path local(String location) {
    String path = location.startsWith("file://") ? location.substring("file://".length())
        : location.startsWith("file:") ? location.substring("file:".length()) : location;
    return Path.of(path).toAbsolutePath().normalize();
  }
}
