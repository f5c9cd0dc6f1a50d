package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lake on a local directory: Iceberg tables in a JDBC catalog kept in SQLite inside the
 * directory ({@code catalog.db}), and the raw change files under {@code raw/}.
 *
 * <p>Several processes may open the same lake at once (a writer and a reader): SQLite runs in WAL
 * mode, so readers never wait for a committing writer, and waits up to 30 s for a lock instead of
 * failing.
 */
public final class Lake implements AutoCloseable {
  public static final String CATALOG_NAME = "tributary";
  public static final String BRONZE = "bronze";
  public static final String SILVER = "silver";
  /** The dead-letter tables: {@code errors.<table>} holds what could not reach {@code silver.<table>}. */
  public static final String ERRORS = "errors";
  public static final String HISTORY = "history";
  /** Tributary's own bookkeeping tables, such as {@code _tributary.checkpoints}. */
  public static final String SYSTEM = "_tributary";

  private static final Logger LOG = LoggerFactory.getLogger(Lake.class);
  private static final int OPEN_ATTEMPTS = 5;

  private final Path warehouse;
  private final JdbcCatalog catalog;

  private Lake(Path warehouse, JdbcCatalog catalog) {
    this.warehouse = warehouse;
    this.catalog = catalog;
  }

  /** Opens the lake in {@code warehouse}, creating the directory and the catalog if missing. */
  public static Lake open(Path warehouse) {
    requireNonNull(warehouse, "warehouse is null");
    Path directory = warehouse.toAbsolutePath().normalize();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create lake directory " + directory + ": " + e.getMessage(), e);
    }
    Map<String, String> properties = new HashMap<>();
    properties.put(CatalogProperties.URI, "jdbc:sqlite:" + directory.resolve("catalog.db"));
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, directory.toString());
    properties.put(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
    properties.put("jdbc.schema-version", "V1");
    // Passed to sqlite-jdbc as connection pragmas (the catalog strips the "jdbc." prefix).
    properties.put("jdbc.busy_timeout", "30000");
    properties.put("jdbc.journal_mode", "WAL");
    properties.put("jdbc.synchronous", "NORMAL");
    RuntimeException last = null;
    for (int attempt = 1; attempt <= OPEN_ATTEMPTS; attempt++) {
      JdbcCatalog catalog = new JdbcCatalog();
      try {
        catalog.initialize(CATALOG_NAME, properties);
        return new Lake(directory, catalog);
      } catch (UncheckedSQLException e) {
        // Two processes creating the catalog tables at the same moment: one of them loses the race.
        last = e;
        LOG.debug("Opening the catalog of lake {} failed (attempt {}), retrying", directory, attempt, e);
        closeQuietly(catalog);
        sleep(100L * attempt);
      }
    }
    throw new IllegalStateException("Cannot open the catalog of lake " + directory + ": " + last.getMessage()
        + " (check that " + directory.resolve("catalog.db") + " is a readable SQLite file)", last);
  }

  /** The Iceberg catalog; it also implements {@link org.apache.iceberg.catalog.SupportsNamespaces}. */
  public JdbcCatalog catalog() {
    return catalog;
  }

  public Path warehouse() {
    return warehouse;
  }

  /** Where raw change files live: {@code raw/<source>/<table>/capture_date=YYYY-MM-DD/*.jsonl}. */
  public Path rawDirectory() {
    return warehouse.resolve("raw");
  }

  /** Creates the namespace unless it exists; safe when another process creates it at the same time. */
  public void ensureNamespace(String name) {
    requireNonNull(name, "name is null");
    Namespace namespace = Namespace.of(name);
    if (catalog.namespaceExists(namespace)) {
      return;
    }
    try {
      catalog.createNamespace(namespace);
    } catch (AlreadyExistsException e) {
      // created concurrently: what we wanted
    }
  }

  @Override
  public void close() {
    closeQuietly(catalog);
  }

  @Override
  public String toString() {
    return "Lake[" + warehouse + "]";
  }

  private static void closeQuietly(JdbcCatalog catalog) {
    try {
      catalog.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the lake catalog failed", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while opening the lake", e);
    }
  }
}
