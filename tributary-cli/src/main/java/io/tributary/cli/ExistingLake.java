package io.tributary.cli;

import io.tributary.lake.Lake;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a lake for the commands that only read one. {@link Lake#open} creates a missing catalog,
 * which would leave a stray catalog in whatever directory a mistyped {@code --lake} names.
 */
final class ExistingLake {
  /** The catalog file {@link Lake#open} keeps inside the warehouse. */
  private static final String CATALOG_FILE = "catalog.db";

  private ExistingLake() {}

  /** Opens the lake in {@code directory}; {@code action} says what for ("query", "show status of"). */
  static Lake open(Path directory, String action) {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("Cannot " + action + " lake " + directory
          + ": no such directory (give the warehouse with --lake DIR)");
    }
    if (!Files.isRegularFile(directory.resolve(CATALOG_FILE))) {
      throw new IllegalArgumentException("Cannot " + action + " lake " + directory + ": it has no "
          + CATALOG_FILE + ", so it holds no lake (give the warehouse with --lake DIR: the directory with "
          + CATALOG_FILE + " in it)");
    }
    return Lake.open(directory);
  }
}
