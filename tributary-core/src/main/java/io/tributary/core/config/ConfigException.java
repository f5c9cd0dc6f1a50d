package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A configuration file that cannot be used. The message names the file, the key (for example
 * {@code sources.bench.port}) and the 1-based line where the offending value sits, says what is
 * wrong and what to do; the same facts are available separately for tools that point at the line.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Path file;
  private final Optional<String> key;
  private final OptionalInt line;

  public ConfigException(String message, Path file, Optional<String> key, OptionalInt line) {
    super(requireNonNull(message, "message is null"));
    this.file = requireNonNull(file, "file is null");
    this.key = requireNonNull(key, "key is null");
    this.line = requireNonNull(line, "line is null");
  }

  public ConfigException(String message, Path file, Optional<String> key, OptionalInt line, Throwable cause) {
    this(message, file, key, line);
    initCause(requireNonNull(cause, "cause is null"));
  }

  /** The configuration file at fault. */
  public Path file() {
    return file;
  }

  /** The key path of the offending value, such as {@code sources.bench.port}, when one is known. */
  public Optional<String> key() {
    return key;
  }

  /** The 1-based line of the offending node, when one is known. */
  public OptionalInt line() {
    return line;
  }
}
