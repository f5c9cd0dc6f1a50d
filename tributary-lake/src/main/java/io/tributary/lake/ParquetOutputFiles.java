package io.tributary.lake;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.apache.iceberg.hadoop.HadoopOutputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * Output files for the lake's local Parquet files that carry one small Hadoop {@link Configuration}.
 *
 * <p>Iceberg's Parquet writer copies the Configuration of a {@link HadoopOutputFile} and creates a new one for
 * any other output file, which parses {@code core-default.xml} from the Hadoop jar again: a third of the CPU
 * of a small commit, which writes 3 to 5 Parquet files per table. The shared Configuration loads no default
 * resources at all (every key Parquet and the file system read has its default in code), so its copy for each
 * file holds a handful of entries instead of Hadoop's several hundred. The writes go through {@link NioFileSystem}, Hadoop's local file system without its {@code chmod}
 * process per file and without checksum side files: files are created the way {@link LocalFileIO} creates
 * them.
 *
 * <p>Thread-safe: the shared Configuration is only read (Iceberg copies it under its lock) and the file
 * system keeps no state of its own.
 */
final class ParquetOutputFiles {
  private final Configuration conf;
  private final NioFileSystem fileSystem;

  ParquetOutputFiles() {
    Configuration shared = new Configuration(false);
    shared.set("fs.defaultFS", "file:///");
    // Parquet opens its file by path through FileSystem.get: this class, never a cached one made elsewhere.
    shared.set("fs.file.impl", NioFileSystem.class.getName());
    shared.setBoolean("fs.file.impl.disable.cache", true);
    this.conf = shared;
    this.fileSystem = new NioFileSystem();
    try {
      fileSystem.initialize(URI.create("file:///"), shared);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the local file system for Parquet files: " + e.getMessage(), e);
    }
  }

  /**
   * The output file for {@code location} when it is a Parquet file whose location Hadoop's {@link Path} keeps
   * exactly as given (Iceberg records {@code location()} in the table); empty otherwise.
   */
  Optional<OutputFile> outputFile(String location) {
    if (!location.endsWith(".parquet")) {
      return Optional.empty();
    }
    Path path;
    try {
      path = new Path(location);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!path.toString().equals(location)) {
      return Optional.empty();
    }
    return Optional.of(HadoopOutputFile.fromPath(path, fileSystem, conf));
  }

  /**
   * Hadoop's local file system creating files through {@code java.nio}: {@link RawLocalFileSystem} sets the
   * permissions of each new file with a {@code chmod} process when Hadoop's native library is missing (it is,
   * here); files created here keep the process's umask, like every other file of the lake.
   */
  public static final class NioFileSystem extends RawLocalFileSystem {
    @Override
    public FSDataOutputStream create(Path file, boolean overwrite, int bufferSize, short replication,
        long blockSize, Progressable progress) throws IOException {
      java.nio.file.Path target = pathToFile(file).toPath();
      java.nio.file.Path parent = target.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      OutputStream out;
      try {
        out = overwrite
            ? Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)
            : Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException("File already exists: " + file);
      }
      return new FSDataOutputStream(new BufferedOutputStream(out, Math.max(bufferSize, 1 << 16)), statistics);
    }

    @Override
    public FSDataOutputStream create(Path file, FsPermission permission, boolean overwrite, int bufferSize,
        short replication, long blockSize, Progressable progress) throws IOException {
      return create(file, overwrite, bufferSize, replication, blockSize, progress);
    }
  }
}
