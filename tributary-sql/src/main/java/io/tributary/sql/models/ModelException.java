package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * A model file that cannot be used: a cycle, an unknown table, invalid SQL or an invalid setting. The
 * message names the file and the 1-based line; both are also available for tools that point at the line.
 */
public final class ModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Path file;
  private final OptionalInt line;

  public ModelException(String message, Path file, OptionalInt line) {
    super(requireNonNull(message, "message is null"));
    this.file = requireNonNull(file, "file is null");
    this.line = requireNonNull(line, "line is null");
  }

  public ModelException(String message, Path file, OptionalInt line, Throwable cause) {
    this(message, file, line);
    initCause(requireNonNull(cause, "cause is null"));
  }

  /** An error at {@code line} of {@code file}: the message starts with both. */
  static ModelException at(Path file, int line, String problem) {
    return new ModelException(file + ", line " + line + ": " + problem, file, OptionalInt.of(line));
  }

  static ModelException at(Path file, int line, String problem, Throwable cause) {
    return new ModelException(file + ", line " + line + ": " + problem, file, OptionalInt.of(line), cause);
  }

  public Path file() {
    return file;
  }

  public OptionalInt line() {
    return line;
  }
}
