package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Files dropped into a directory ({@code type: files}), each read once.
 *
 * @param name the source's name
 * @param table the lake table
 * @param columns declared column types
 * @param path the directory watched
 * @param format how the files are written
 * @param glob which file names are read (hidden files and names starting with {@code _} never are)
 * @param settleTime when present, a file is read only once its size and modification time have not
 *     changed for this long; when empty, files are expected to be renamed into place when complete
 * @param archive where read files are moved, when present; else they stay in place
 * @param pollInterval how often the directory is listed
 * @param csvDelimiter the CSV field separator
 * @param csvQuote the CSV quote character
 */
public record FilesSourceConfig(
    String name, String table, Map<String, CastType> columns, Path path, Format format, String glob,
    Optional<Duration> settleTime, Optional<Path> archive, Duration pollInterval, char csvDelimiter, char csvQuote)
    implements FeedSourceConfig {
  /** The value of {@code type} that selects this source type. */
  public static final String TYPE = "files";

  /** How the files are written. */
  public enum Format {
    /** Comma-separated values with a header line naming the columns. */
    CSV,
    /** One JSON object per line. */
    JSONL,
    /** Apache Parquet files. */
    PARQUET
  }

  public FilesSourceConfig {
    requireNonNull(name, "name is null");
    requireNonNull(table, "table is null");
    columns = Map.copyOf(requireNonNull(columns, "columns is null"));
    requireNonNull(path, "path is null");
    requireNonNull(format, "format is null");
    requireNonNull(glob, "glob is null");
    requireNonNull(settleTime, "settleTime is null");
    requireNonNull(archive, "archive is null");
    requireNonNull(pollInterval, "pollInterval is null");
    if (archive.isPresent() && archive.get().normalize().equals(path.normalize())) {
      throw new IllegalArgumentException("Invalid archive for source " + name + ": it is the watched directory "
          + path + " (archive to another directory)");
    }
    if (csvDelimiter == csvQuote) {
      throw new IllegalArgumentException("Invalid CSV settings for source " + name
          + ": the delimiter and the quote are both '" + csvDelimiter + "' (use different characters)");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }
}
