package io.tributary.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The demo's example models, shipped with the CLI and written beside the demo's lake. */
final class DemoModels {
  private static final String RESOURCES = "/io/tributary/cli/demo-models/";
  private static final List<String> FILES = List.of(
      "revenue_by_city_day.sql", "revenue_by_city_day.yml", "client_orders.sql", "client_orders.yml",
      "clients_moved_by_month.sql", "clients_moved_by_month.yml");

  private DemoModels() {}

  /** Writes the example models into {@code directory} (replacing older copies) and returns it. */
  static Path install(Path directory) {
    try {
      Files.createDirectories(directory);
      for (String file : FILES) {
        try (InputStream in = DemoModels.class.getResourceAsStream(RESOURCES + file)) {
          if (in == null) {
            throw new IllegalStateException("Cannot find the demo model " + file + " in the CLI's resources (rebuild Tributary)");
          }
          Files.copy(in, directory.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the demo models to " + directory, e);
    }
  }
}
