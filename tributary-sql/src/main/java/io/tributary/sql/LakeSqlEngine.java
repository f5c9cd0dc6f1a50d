package io.tributary.sql;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQL over the lake: an embedded, in-memory DuckDB with one schema per Iceberg namespace and one view per
 * table ({@code SELECT * FROM silver.orders}). Each view reads the table's snapshot as of the last
 * {@link #refresh()}, with delete files applied. Not for concurrent use: methods are synchronized.
 */
public final class LakeSqlEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LakeSqlEngine.class);
  /** Tributary's own bookkeeping tables (checkpoints) are not part of the queryable lake. */
  static final String INTERNAL_NAMESPACE = "_tributary";
  private static final Pattern MISSING_TABLE =
      Pattern.compile("Table with name (?:\"([^\"]+)\"|(\\S+?)) does not exist");
  private static final String PENDING_RESULT_PREFIX =
      "Invalid Input Error: Attempting to execute an unsuccessful or closed pending query result";
  private static final int MAX_SQL_IN_MESSAGE = 100;

  private final Catalog catalog;
  private final AsOf asOf;
  private final SupportsNamespaces namespaces;
  private final Connection connection;
  /** The views in DuckDB, by {@code namespace.table}, with the table version each one reads. */
  private final Map<String, ViewState> built = new TreeMap<>();

  /** An engine over the current snapshots; {@link #refresh()} moves it to newer ones. */
  public LakeSqlEngine(Catalog catalog) {
    this(catalog, AsOf.current());
  }

  /**
   * An engine over the lake as of a moment or at one table's snapshot (time travel). As of a timestamp, each
   * table reads its last snapshot committed at or before it, and tables with none are absent. At a snapshot id,
   * the table that has the snapshot reads it and the others read their current snapshot.
   *
   * @throws QueryException if no table has the snapshot id
   */
  public LakeSqlEngine(Catalog catalog, AsOf asOf) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.asOf = requireNonNull(asOf, "asOf is null");
    if (!(catalog instanceof SupportsNamespaces supportsNamespaces)) {
      throw new IllegalArgumentException("Invalid catalog " + catalog.name()
          + ": it cannot list namespaces (use a catalog that implements SupportsNamespaces, like JdbcCatalog)");
    }
    this.namespaces = supportsNamespaces;
    try {
      this.connection = DriverManager.getConnection("jdbc:duckdb:");
    } catch (SQLException e) {
      throw new QueryException("Cannot start the SQL engine: " + e.getMessage(), e);
    }
    try {
      // Fixed so TIMESTAMPTZ arithmetic and text do not depend on the host.
      execute("SET TimeZone = 'UTC'", "Cannot set the time zone");
      refresh();
    } catch (RuntimeException e) {
      closeQuietly(e);
      throw e;
    }
  }

  /** Re-reads the catalog: new tables get views, views move to current snapshots, dropped tables go. */
  public synchronized void refresh() {
    long start = System.nanoTime();
    Set<String> seen = new TreeSet<>();
    Map<String, ViewState> changed = new LinkedHashMap<>();
    Set<String> schemas = new TreeSet<>();
    boolean snapshotFound = false;
    for (Namespace namespace : namespaces.listNamespaces()) {
      String schema = namespace.toString();
      if (schema.equals(INTERNAL_NAMESPACE)) {
        continue;
      }
      schemas.add(schema);
      for (TableIdentifier identifier : catalog.listTables(namespace)) {
        String name = schema + "." + identifier.name();
        Table table = catalog.loadTable(identifier);
        Optional<Optional<Snapshot>> version = version(table);
        if (version.isEmpty()) {
          continue;
        }
        Optional<Snapshot> snapshot = version.get();
        if (snapshot.isPresent() && asOf.snapshotId().equals(Optional.of(snapshot.get().snapshotId()))) {
          snapshotFound = true;
        }
        ViewState state = new ViewState(table.uuid(), snapshot.map(Snapshot::snapshotId),
            table.schema().schemaId(), "");
        ViewState current = built.get(name);
        if (current != null && current.sameVersion(state)) {
          seen.add(name);
          continue;
        }
        // Planning reads the manifests: done only when the snapshot or the schema moved.
        state = state.withSelect(new SnapshotViewSql(name, table, snapshot).select());
        changed.put(name, state);
        seen.add(name);
        LOG.debug("View {} reads snapshot {}", name, state.snapshotId().map(String::valueOf).orElse("none"));
      }
    }
    if (asOf.snapshotId().isPresent() && !snapshotFound) {
      throw new QueryException("Cannot read the lake at snapshot " + asOf.snapshotId().get()
          + ": no table has this snapshot (list a table's snapshots with its metadata, or give a timestamp)");
    }
    for (String schema : schemas) {
      execute("CREATE SCHEMA IF NOT EXISTS " + Sql.identifier(schema), "Cannot create schema " + schema);
    }
    for (Map.Entry<String, ViewState> view : changed.entrySet()) {
      execute("CREATE OR REPLACE VIEW " + viewName(view.getKey()) + " AS " + view.getValue().select(),
          "Cannot create view " + view.getKey());
      built.put(view.getKey(), view.getValue());
    }
    for (String stale : List.copyOf(built.keySet())) {
      if (!seen.contains(stale)) {
        execute("DROP VIEW IF EXISTS " + viewName(stale), "Cannot drop view " + stale);
        built.remove(stale);
      }
    }
    LOG.debug("SQL engine refreshed {} lake views ({} changed) in {} ms", built.size(), changed.size(),
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Which version of the lake this engine reads. */
  public AsOf asOf() {
    return asOf;
  }

  /**
   * The snapshot of {@code table} the engine reads: empty when the table did not exist at the time travel
   * moment (no view), an empty inner optional when it exists without data.
   */
  private Optional<Optional<Snapshot>> version(Table table) {
    if (asOf.timestamp().isPresent()) {
      Long id = SnapshotUtil.nullableSnapshotIdAsOfTime(table, asOf.timestamp().get().toEpochMilli());
      return id == null ? Optional.empty() : Optional.of(Optional.of(table.snapshot(id)));
    }
    if (asOf.snapshotId().isPresent() && table.snapshot(asOf.snapshotId().get()) != null) {
      return Optional.of(Optional.of(table.snapshot(asOf.snapshotId().get())));
    }
    return Optional.of(Optional.ofNullable(table.currentSnapshot()));
  }

  /** The lake tables that can be queried, as {@code namespace.table}, sorted. */
  public synchronized List<String> tables() {
    return List.copyOf(built.keySet());
  }

  /** Runs one SQL statement and reads its whole result. */
  public synchronized QueryResult query(String sql) {
    requireNonNull(sql, "sql is null");
    try (Statement statement = connection.createStatement()) {
      if (!statement.execute(sql)) {
        return new QueryResult(List.of(), List.of(), List.of());
      }
      try (ResultSet resultSet = statement.getResultSet()) {
        return read(resultSet);
      }
    } catch (SQLException e) {
      throw translate(sql, e);
    }
  }

  /**
   * Runs one SQL statement, reading at most {@code maxRows} + 1 rows (so the caller can tell a result was
   * cut) and cancelling it after {@code timeout} (whole seconds, rounded up).
   *
   * @throws QueryException if the statement fails or was cancelled
   */
  public synchronized QueryResult query(String sql, int maxRows, Duration timeout) {
    requireNonNull(sql, "sql is null");
    requireNonNull(timeout, "timeout is null");
    if (maxRows < 0) {
      throw new IllegalArgumentException("Invalid row limit: " + maxRows + " (must not be negative)");
    }
    try (Statement statement = connection.createStatement()) {
      statement.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
      if (!statement.execute(sql)) {
        return new QueryResult(List.of(), List.of(), List.of());
      }
      try (ResultSet resultSet = statement.getResultSet()) {
        return read(resultSet, (long) maxRows + 1);
      }
    } catch (SQLException e) {
      throw translate(sql, e);
    }
  }

  /**
   * Lets statements read files only under {@code directory} (the lake's own files), for SQL that users
   * type: no {@code read_csv('/etc/passwd')}, no {@code COPY ... TO}, no {@code ATTACH}, and no {@code SET}
   * that would undo it. Cannot be undone on this engine.
   */
  public synchronized void restrictFileAccess(Path directory) {
    requireNonNull(directory, "directory is null");
    String allowed = directory.toAbsolutePath().normalize().toString().replace("'", "''");
    execute("SET allowed_directories = ['" + allowed + "/']", "Cannot restrict file access to " + directory);
    execute("SET enable_external_access = false", "Cannot disable external access");
    execute("SET autoinstall_known_extensions = false", "Cannot disable extension installs");
    execute("SET lock_configuration = true", "Cannot lock the configuration");
  }

  /** The DuckDB connection holding the lake views, for callers that build on them (gold models). */
  public Connection connection() {
    return connection;
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new QueryException("Cannot close the SQL engine: " + e.getMessage(), e);
    }
  }

  private static QueryResult read(ResultSet resultSet) throws SQLException {
    return read(resultSet, Long.MAX_VALUE);
  }

  private static QueryResult read(ResultSet resultSet, long maxRows) throws SQLException {
    ResultSetMetaData metadata = resultSet.getMetaData();
    int count = metadata.getColumnCount();
    List<String> names = new ArrayList<>(count);
    List<String> types = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      names.add(metadata.getColumnLabel(i));
      types.add(metadata.getColumnTypeName(i));
    }
    List<List<Object>> rows = new ArrayList<>();
    while (rows.size() < maxRows && resultSet.next()) {
      List<Object> row = new ArrayList<>(count);
      for (int i = 1; i <= count; i++) {
        row.add(JdbcValues.read(resultSet, i, types.get(i - 1)));
      }
      rows.add(row);
    }
    return new QueryResult(names, types, rows);
  }

  private QueryException translate(String sql, SQLException e) {
    String message = duckDbMessage(e);
    Matcher missing = MISSING_TABLE.matcher(message);
    if (message.startsWith("Catalog Error") && missing.find()) {
      String name = missing.group(1) != null ? missing.group(1) : missing.group(2);
      String table = name.contains(".") ? name : qualifier(sql, name).map(schema -> schema + "." + name).orElse(name);
      // As of a moment, "does not exist" means "did not exist then": say so, or the user looks for a typo.
      String when = asOf.timestamp().map(time -> " as of " + time).orElse("");
      String known = built.isEmpty()
          ? (when.isEmpty() ? "the lake has no tables yet" : "the lake had no tables yet")
          : "tables: " + String.join(", ", built.keySet());
      return new QueryException("Cannot run query: table " + table + " does not exist" + when + " (" + known + ")", e);
    }
    return new QueryException("Cannot run query '" + firstLine(sql) + "': " + message, e);
  }

  private static String duckDbMessage(SQLException e) {
    String message = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
    int error = message.indexOf("\nError: ");
    if (message.startsWith(PENDING_RESULT_PREFIX) && error >= 0) {
      // The JDBC driver wraps the real error in a message about the failed pending result.
      return message.substring(error + "\nError: ".length());
    }
    return message;
  }

  /** DuckDB names a missing table without its schema; find how the query qualified it. */
  private static Optional<String> qualifier(String sql, String name) {
    Pattern reference = Pattern.compile(
        "(?:\"([^\"]+)\"|([A-Za-z_][A-Za-z0-9_]*))\\s*\\.\\s*(?:\"" + Pattern.quote(name) + "\"|"
            + Pattern.quote(name) + "(?![A-Za-z0-9_]))",
        Pattern.CASE_INSENSITIVE);
    Matcher matcher = reference.matcher(sql);
    if (!matcher.find()) {
      return Optional.empty();
    }
    return Optional.of(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
  }

  private static String firstLine(String sql) {
    String line = sql.strip().lines().findFirst().orElse("").strip();
    return line.length() > MAX_SQL_IN_MESSAGE ? line.substring(0, MAX_SQL_IN_MESSAGE) + "..." : line;
  }

  private static String viewName(String qualifiedName) {
    int dot = qualifiedName.lastIndexOf('.');
    return Sql.identifier(qualifiedName.substring(0, dot)) + "." + Sql.identifier(qualifiedName.substring(dot + 1));
  }

  private void execute(String sql, String what) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new QueryException(what + ": " + duckDbMessage(e), e);
    }
  }

  /** A table version (a dropped and re-created table has a new uuid) and the view's SELECT for it. */
  private record ViewState(UUID tableUuid, Optional<Long> snapshotId, int schemaId, String select) {
    boolean sameVersion(ViewState other) {
      return tableUuid.equals(other.tableUuid) && snapshotId.equals(other.snapshotId)
          && schemaId == other.schemaId;
    }

    ViewState withSelect(String newSelect) {
      return new ViewState(tableUuid, snapshotId, schemaId, newSelect);
    }
  }

  private void closeQuietly(RuntimeException failure) {
    try {
      connection.close();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }
}
