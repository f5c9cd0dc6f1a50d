package io.tributary.sql.check;

import static java.util.Objects.requireNonNull;

import io.tributary.core.check.Bucket;
import io.tributary.core.check.CanonicalType;
import io.tributary.core.check.CheckQueries;
import io.tributary.core.check.CheckSide;
import io.tributary.core.check.CheckedColumn;
import io.tributary.core.check.RowDigest;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** The lake's side of a comparison: a silver table read by DuckDB through the lake's views. */
public final class LakeCheckSide implements CheckSide {
  private final LakeSqlEngine engine;
  private final String table;
  private final CheckQueries queries;

  /**
   * @param engine the engine reading the lake at the comparison's snapshot
   * @param table the view, such as {@code silver.orders}
   */
  public LakeCheckSide(LakeSqlEngine engine, String table, List<String> keyColumns, List<CheckedColumn> columns) {
    this.engine = requireNonNull(engine, "engine is null");
    this.table = requireNonNull(table, "table is null");
    this.queries = queries(relation(table), keyColumns, columns);
  }

  /** The canonical type of each column of a lake table that has one, by name, in schema order. */
  public static Map<String, Optional<CanonicalType>> columnTypes(Schema schema) {
    Map<String, Optional<CanonicalType>> types = new LinkedHashMap<>();
    for (Types.NestedField field : schema.columns()) {
      types.put(field.name(), canonical(field.type()));
    }
    return types;
  }

  /**
   * The key hashes of the keys {@code bronzeTable} holds changes of after {@code sortKey}: the keys
   * the lake may hold newer values of than the comparison point.
   */
  public static Set<String> keysChangedAfter(LakeSqlEngine engine, String bronzeTable, List<String> keyColumns,
      List<CheckedColumn> columns, String sortKey) {
    if (!engine.tables().contains(bronzeTable)) {
      return Set.of();
    }
    CheckQueries queries = queries(relation(bronzeTable), keyColumns, columns);
    String sql = queries.keyHashes(CheckQueries.quote("_position") + " > '" + sortKey.replace("'", "''") + "'");
    Set<String> hashes = new HashSet<>();
    synchronized (engine) {
      try (Statement statement = engine.connection().createStatement();
          ResultSet result = statement.executeQuery(sql)) {
        while (result.next()) {
          hashes.add(result.getString(1));
        }
      } catch (SQLException e) {
        throw new QueryException("Cannot read the keys " + bronzeTable + " changed since " + sortKey + ": "
            + e.getMessage(), e);
      }
    }
    return hashes;
  }

  @Override
  public Map<String, Bucket> buckets(List<String> prefixes, int length) {
    String sql = queries.buckets(prefixes, length);
    synchronized (engine) {
      try (Statement statement = engine.connection().createStatement();
          ResultSet result = statement.executeQuery(sql)) {
        return CheckQueries.readBuckets(result);
      } catch (SQLException e) {
        throw new QueryException("Cannot compute the hashes of " + table + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public List<RowDigest> rows(List<String> prefixes) {
    String sql = queries.rows(prefixes);
    synchronized (engine) {
      try (Statement statement = engine.connection().createStatement();
          ResultSet result = statement.executeQuery(sql)) {
        return queries.readRows(result);
      } catch (SQLException e) {
        throw new QueryException("Cannot read the rows of " + table + ": " + e.getMessage(), e);
      }
    }
  }

  private static String relation(String table) {
    int dot = table.indexOf('.');
    return CheckQueries.quote(table.substring(0, dot)) + "." + CheckQueries.quote(table.substring(dot + 1));
  }

  private static CheckQueries queries(String from, List<String> keyColumns, List<CheckedColumn> columns) {
    return new CheckQueries(from, keyColumns, columns, LakeCheckSide::expression,
        hex -> "CAST(('0x' || " + hex + ") AS BIGINT)");
  }

  static String expression(CheckedColumn column, String name) {
    return switch (column.type()) {
      case TEXT -> name;
      case CHAR -> "rtrim(" + name + ", ' ')";
      case NUMERIC_TEXT -> CheckQueries.withoutTrailingZeros(name);
      // DuckDB writes 335.0 and inf where PostgreSQL writes 335 and Infinity.
      case FLOAT -> "CASE WHEN isnan(" + name + ") THEN 'NaN' WHEN isinf(" + name + ") THEN CASE WHEN " + name
          + " > 0 THEN 'Infinity' ELSE '-Infinity' END ELSE regexp_replace(CAST(" + name
          + " AS VARCHAR), '\\.0$', '') END";
      case TIMESTAMP, TIMESTAMPTZ -> "CAST(epoch_us(" + name + ") AS VARCHAR)";
      case BINARY -> "lower(hex(" + name + "))";
      default -> "CAST(" + name + " AS VARCHAR)";
    };
  }

  private static Optional<CanonicalType> canonical(Type type) {
    return Optional.ofNullable(switch (type.typeId()) {
      case INTEGER, LONG -> CanonicalType.INTEGER;
      case DECIMAL -> CanonicalType.DECIMAL;
      case FLOAT, DOUBLE -> CanonicalType.FLOAT;
      case STRING -> CanonicalType.TEXT;
      case BOOLEAN -> CanonicalType.BOOLEAN;
      case DATE -> CanonicalType.DATE;
      case TIME -> CanonicalType.TIME;
      case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC()
          ? CanonicalType.TIMESTAMPTZ : CanonicalType.TIMESTAMP;
      case UUID -> CanonicalType.UUID;
      case BINARY, FIXED -> CanonicalType.BINARY;
      default -> null;
    });
  }
}
