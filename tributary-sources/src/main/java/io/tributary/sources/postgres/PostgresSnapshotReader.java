package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import io.tributary.core.check.Bucket;
import io.tributary.core.check.CanonicalType;
import io.tributary.core.check.CheckQueries;
import io.tributary.core.check.CheckSide;
import io.tributary.core.check.CheckedColumn;
import io.tributary.core.check.RowDigest;
import io.tributary.sources.postgres.snapshot.ExportedSnapshot;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read of a PostgreSQL database at one exact point of its change stream, for comparing it with the
 * lake.
 *
 * <p>A temporary logical replication slot is created with {@code EXPORT_SNAPSHOT}: PostgreSQL returns
 * the slot's consistent point, an LSN, and a snapshot that sees exactly the transactions committed
 * before it, which the slot would not send. A {@code REPEATABLE READ} transaction imports that
 * snapshot, and the slot is dropped at once (it holds no WAL afterwards). A change belongs to the
 * snapshot exactly when its transaction's commit LSN is below the consistent point, which is how the
 * source's positions ({@code 1:<commit LSN>...}) sort: everything below {@link #sortKey()} is in the
 * snapshot, nothing at or above it is.
 */
public final class PostgresSnapshotReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresSnapshotReader.class);
  /** The prefix of the logical messages that make an idle source's position move past the point. */
  public static final String MESSAGE_PREFIX = "tributary";

  private final PostgresSourceSettings settings;
  private final Connection connection;
  private final long consistentPoint;

  private PostgresSnapshotReader(PostgresSourceSettings settings, Connection connection, long consistentPoint) {
    this.settings = settings;
    this.connection = connection;
    this.consistentPoint = consistentPoint;
  }

  /** Opens a snapshot of the source's database at a new consistent point. */
  public static PostgresSnapshotReader open(PostgresSourceSettings settings) {
    requireNonNull(settings, "settings is null");
    String slot = "tributary_check_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    Connection reader = null;
    try (Connection replication = connect(settings, true)) {
      // A temporary slot: closing the replication connection drops it; the imported snapshot stays.
      ExportedSnapshot exported = ExportedSnapshot.create(replication, slot, true);
      reader = connect(settings, false);
      reader.setAutoCommit(false);
      reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      reader.setReadOnly(true);
      try (Statement statement = reader.createStatement()) {
        statement.execute("SET TRANSACTION SNAPSHOT '" + exported.snapshotName().replace("'", "''") + "'");
        statement.execute("SET LOCAL TimeZone = 'UTC'");
        statement.execute("SET LOCAL DateStyle = 'ISO'");
        statement.execute("SET LOCAL extra_float_digits = 1");
      }
      log.info("Source {}: reading a snapshot at LSN {} for a check", settings.name(), exported.consistentPointText());
      return new PostgresSnapshotReader(settings, reader, exported.consistentPoint());
    } catch (SQLException e) {
      closeQuietly(reader);
      throw new IllegalStateException("Cannot open a consistent snapshot of source " + settings.name() + " at "
          + settings.host() + ":" + settings.port() + "/" + settings.database() + ": " + e.getMessage()
          + " (the user needs the REPLICATION attribute and a free replication slot: see docs/operations.md)", e);
    }
  }

  /** The consistent point's LSN. */
  public long consistentPoint() {
    return consistentPoint;
  }

  /** The position every change in the snapshot sorts below and every later change at or above. */
  public String sortKey() {
    return "1:" + String.format(Locale.ROOT, "%016x", consistentPoint);
  }

  /** The consistent point as PostgreSQL writes an LSN ({@code 0/1A2B3C}). */
  public String pointText() {
    return LogSequenceNumber.valueOf(consistentPoint).asString();
  }

  /**
   * Writes a transactional logical message after the point, so a running source whose tables are idle
   * still receives a transaction past it and records a position beyond it.
   */
  public void passPoint() {
    try (Connection other = connect(settings, false);
        Statement statement = other.createStatement()) {
      statement.execute("SELECT pg_logical_emit_message(true, '" + MESSAGE_PREFIX + "', 'check')");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot write a logical message to source " + settings.name() + ": "
          + e.getMessage(), e);
    }
  }

  /** The table's primary key columns in key order; empty when it has none. */
  public List<String> primaryKey(String table) {
    String sql = """
        SELECT a.attname FROM pg_index i
        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY k.n""";
    List<String> key = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, regclass(table));
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          key.add(result.getString(1));
        }
      }
      return key;
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read the key of " + table + " in source " + settings.name() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * The canonical type of each column of {@code table}, in column order; empty for types whose text the
   * lake keeps in another form (intervals, arrays), which cannot be compared.
   */
  public Map<String, Optional<CanonicalType>> columnTypes(String table) {
    String sql = """
        SELECT a.attname, t.typname, t.typcategory, a.atttypmod, bt.typname
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
        WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""";
    Map<String, Optional<CanonicalType>> types = new LinkedHashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, regclass(table));
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          String type = result.getString(5) != null ? result.getString(5) : result.getString(2);
          types.put(result.getString(1), canonical(type, result.getString(3), result.getInt(4)));
        }
      }
      if (types.isEmpty()) {
        throw new IllegalStateException("Cannot compare " + table + " of source " + settings.name()
            + ": the table has no columns");
      }
      return types;
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read the columns of " + table + " in source " + settings.name() + ": "
          + e.getMessage() + " (check that it exists and the user may read it)", e);
    }
  }

  /** The side of a comparison that reads {@code table} in the snapshot. */
  public CheckSide side(String table, List<String> keyColumns, List<CheckedColumn> columns) {
    CheckQueries queries = new CheckQueries(relation(table), keyColumns, columns, PostgresSnapshotReader::expression,
        hex -> "('x0' || " + hex + ")::bit(64)::bigint");
    return new CheckSide() {
      @Override
      public Map<String, Bucket> buckets(List<String> prefixes, int length) {
        try (Statement statement = connection.createStatement();
            ResultSet result = statement.executeQuery(queries.buckets(prefixes, length))) {
          return CheckQueries.readBuckets(result);
        } catch (SQLException e) {
          throw new IllegalStateException("Cannot compute the hashes of " + table + " in source " + settings.name()
              + ": " + e.getMessage(), e);
        }
      }

      @Override
      public List<RowDigest> rows(List<String> prefixes) {
        try (Statement statement = connection.createStatement();
            ResultSet result = statement.executeQuery(queries.rows(prefixes))) {
          return queries.readRows(result);
        } catch (SQLException e) {
          throw new IllegalStateException("Cannot read the rows of " + table + " in source " + settings.name()
              + ": " + e.getMessage(), e);
        }
      }
    };
  }

  @Override
  public void close() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      log.debug("Source {}: ending the check's snapshot failed", settings.name(), e);
    }
    closeQuietly(connection);
  }

  static String expression(CheckedColumn column, String name) {
    return switch (column.type()) {
      case TEXT, CHAR -> name + "::text";
      case NUMERIC_TEXT -> CheckQueries.withoutTrailingZeros(name + "::text");
      case TIMESTAMP, TIMESTAMPTZ -> "(extract(epoch FROM " + name + ") * 1000000)::numeric(30, 0)::text";
      case BINARY -> "encode(" + name + ", 'hex')";
      default -> name + "::text";
    };
  }

  private static Optional<CanonicalType> canonical(String type, String category, int typmod) {
    if ("A".equals(category)) {
      return Optional.empty();
    }
    return Optional.ofNullable(switch (type) {
      case "int2", "int4", "int8", "oid" -> CanonicalType.INTEGER;
      // Without a precision the lake keeps numeric as text, so no digit is lost.
      case "numeric" -> typmod < 0 ? CanonicalType.NUMERIC_TEXT : CanonicalType.DECIMAL;
      case "float4", "float8" -> CanonicalType.FLOAT;
      case "bpchar" -> CanonicalType.CHAR;
      case "bool" -> CanonicalType.BOOLEAN;
      case "date" -> CanonicalType.DATE;
      case "time" -> CanonicalType.TIME;
      case "timestamp" -> CanonicalType.TIMESTAMP;
      case "timestamptz" -> CanonicalType.TIMESTAMPTZ;
      case "uuid" -> CanonicalType.UUID;
      case "bytea" -> CanonicalType.BINARY;
      // The lake keeps intervals in ISO 8601 form and time with time zone, money and bit strings in
      // forms PostgreSQL's text output does not reproduce.
      case "interval", "timetz", "money", "bit", "varbit" -> null;
      default -> CanonicalType.TEXT;
    });
  }

  private static String relation(String table) {
    int dot = table.indexOf('.');
    return CheckQueries.quote(table.substring(0, dot)) + "." + CheckQueries.quote(table.substring(dot + 1));
  }

  private static String regclass(String table) {
    return relation(table);
  }

  private static Connection connect(PostgresSourceSettings settings, boolean replication) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", settings.user());
    settings.password().ifPresent(password -> properties.setProperty("password", password));
    properties.setProperty("ApplicationName", "tributary-" + settings.name() + "-check");
    properties.setProperty("connectTimeout", "10");
    if (replication) {
      properties.setProperty("replication", "database");
      properties.setProperty("assumeMinServerVersion", "10");
      properties.setProperty("preferQueryMode", "simple");
    }
    String url = "jdbc:postgresql://" + settings.host() + ":" + settings.port() + "/" + settings.database();
    return DriverManager.getConnection(url, properties);
  }

  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("Closing a check connection failed", e);
    }
  }
}
