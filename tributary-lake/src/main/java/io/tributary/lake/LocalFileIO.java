package io.tributary.lake;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Iceberg file IO on the local file system through {@code java.nio}. Hadoop's local file system,
 * without its native library, starts a {@code chmod} process for every file it creates, which
 * made each commit cost tens of milliseconds.
 *
 * <p>Locations are absolute paths or {@code file:} URIs. Files are not forced to disk: a killed
 * process leaves them in the page cache; only a machine crash can lose them. Parquet files are written
 * through {@link ParquetOutputFiles}, so that Iceberg's Parquet writer does not parse Hadoop's default
 * configuration again for each of them.
 */
public final class LocalFileIO implements SupportsPrefixOperations {
  private static final long serialVersionUID = 1L;

  private transient volatile ParquetOutputFiles parquetFiles;

  @Override
  public InputFile newInputFile(String location) {
    return new LocalInputFile(location);
  }

  @Override
  public OutputFile newOutputFile(String location) {
    return parquetFiles().outputFile(location).orElseGet(() -> new LocalOutputFile(location));
  }

  private ParquetOutputFiles parquetFiles() {
    ParquetOutputFiles files = parquetFiles;
    if (files == null) {
      synchronized (this) {
        files = parquetFiles;
        if (files == null) {
          files = new ParquetOutputFiles();
          parquetFiles = files;
        }
      }
    }
    return files;
  }

  @Override
  public void deleteFile(String location) {
    try {
      Files.deleteIfExists(path(location));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + location + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Iterable<FileInfo> listPrefix(String prefix) {
    Path root = path(prefix);
    if (!Files.exists(root)) {
      return List.of();
    }
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path file : (Iterable<Path>) paths::iterator) {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (attributes.isRegularFile()) {
          files.add(new FileInfo(file.toString(), attributes.size(), attributes.creationTime().toMillis()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + prefix + ": " + e.getMessage(), e);
    }
    return files;
  }

  @Override
  public void deletePrefix(String prefix) {
    Path root = path(prefix);
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path file : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + prefix + ": " + e.getMessage(), e);
    }
  }

  static Path path(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location));
    }
    return Path.of(location);
  }

  private static final class LocalInputFile implements InputFile {
    private final String location;
    private final Path path;

    LocalInputFile(String location) {
      this.location = location;
      this.path = path(location);
    }

    @Override
    public long getLength() {
      try {
        return Files.size(path);
      } catch (NoSuchFileException e) {
        throw new NotFoundException(e, "File does not exist: %s", location);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the size of " + location + ": " + e.getMessage(), e);
      }
    }

    @Override
    public SeekableInputStream newStream() {
      try {
        return new LocalInputStream(FileChannel.open(path, StandardOpenOption.READ));
      } catch (NoSuchFileException e) {
        throw new NotFoundException(e, "File does not exist: %s", location);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot open " + location + ": " + e.getMessage(), e);
      }
    }

    @Override
    public String location() {
      return location;
    }

    @Override
    public boolean exists() {
      return Files.exists(path);
    }

    @Override
    public String toString() {
      return location;
    }
  }

  private static final class LocalOutputFile implements OutputFile {
    private final String location;
    private final Path path;

    LocalOutputFile(String location) {
      this.location = location;
      this.path = path(location);
    }

    @Override
    public PositionOutputStream create() {
      return open(StandardOpenOption.CREATE_NEW);
    }

    @Override
    public PositionOutputStream createOrOverwrite() {
      return open(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private PositionOutputStream open(StandardOpenOption... options) {
      try {
        Path parent = path.getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        List<StandardOpenOption> all = new ArrayList<>(List.of(options));
        all.add(StandardOpenOption.WRITE);
        return new LocalOutputStream(Files.newOutputStream(path, all.toArray(StandardOpenOption[]::new)));
      } catch (FileAlreadyExistsException e) {
        throw new AlreadyExistsException(e, "File already exists: %s", location);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create " + location + ": " + e.getMessage(), e);
      }
    }

    @Override
    public String location() {
      return location;
    }

    @Override
    public InputFile toInputFile() {
      return new LocalInputFile(location);
    }

    @Override
    public String toString() {
      return location;
    }
  }

  private static final class LocalInputStream extends SeekableInputStream {
    private final FileChannel channel;
    private final byte[] single = new byte[1];

    LocalInputStream(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public long getPos() throws IOException {
      return channel.position();
    }

    @Override
    public void seek(long newPos) throws IOException {
      channel.position(newPos);
    }

    @Override
    public int read() throws IOException {
      int read = read(single, 0, 1);
      return read <= 0 ? -1 : single[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      return channel.read(ByteBuffer.wrap(buffer, offset, length));
    }

    @Override
    public long skip(long n) throws IOException {
      long size = channel.size();
      long position = channel.position();
      long skipped = Math.max(0, Math.min(n, size - position));
      channel.position(position + skipped);
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(0, channel.size() - channel.position()));
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  private static final class LocalOutputStream extends PositionOutputStream {
    private final OutputStream out;
    private long position;

    LocalOutputStream(OutputStream out) {
      this.out = new BufferedOutputStream(out, 1 << 16);
    }

    @Override
    public long getPos() {
      return position;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      position++;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
      out.write(buffer, offset, length);
      position += length;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
