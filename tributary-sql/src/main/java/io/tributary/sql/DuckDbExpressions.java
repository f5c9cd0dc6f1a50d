package io.tributary.sql;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.TableSchema;
import io.tributary.core.shape.Rejection;
import io.tributary.core.shape.ShapedRow;
import io.tributary.core.shape.SqlExpressions;
import io.tributary.lake.IcebergTypes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Computed columns evaluated by an embedded, in-memory DuckDB: each batch of rows is appended, as
 * text, to a table of the source's columns (a view casts them back to their types), and one query
 * evaluates every expression over it.
 * When that query fails, the batch is split in halves until the failing rows are found; each of
 * them is rejected with DuckDB's message, the others keep their values.
 *
 * <p>Columns of list and binary types are not offered to expressions.
 */
public final class DuckDbExpressions implements SqlExpressions, AutoCloseable {
  private static final String ROW = "_row";
  private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+),(\\d+)\\)");
  private static final Set<DataType.Kind> NOT_OFFERED = EnumSet.of(DataType.Kind.LIST, DataType.Kind.BINARY);
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

  private final Connection connection;
  private int tables;

  public DuckDbExpressions() {
    try {
      this.connection = DriverManager.getConnection("jdbc:duckdb:");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot start DuckDB to compute columns: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Compiled compile(String table, TableSchema schema, Map<String, String> expressions) {
    requireNonNull(table, "table is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(expressions, "expressions is null");
    List<Column> inputs = schema.columns().stream().filter(column -> !NOT_OFFERED.contains(column.type().kind())).toList();
    int number = ++tables;
    String text = "computed_text_" + number;
    String input = "computed_input_" + number;
    execute(inputs.stream().map(column -> Sql.identifier(column.name()) + " VARCHAR")
        .collect(Collectors.joining(", ", "CREATE TABLE " + text + " (" + ROW + " INTEGER, ", ")")),
        "Cannot prepare computed columns of table " + table);
    execute(inputs.stream()
        .map(column -> "CAST(" + Sql.identifier(column.name()) + " AS " + duckDbType(column.type()) + ") AS "
            + Sql.identifier(column.name()))
        .collect(Collectors.joining(", ", "CREATE VIEW " + input + " AS SELECT " + ROW + ", ", " FROM " + text)),
        "Cannot prepare computed columns of table " + table);
    List<Column> columns = new ArrayList<>();
    List<String> selects = new ArrayList<>();
    for (Map.Entry<String, String> expression : expressions.entrySet()) {
      String select = "(" + expression.getValue() + ")";
      DataType type;
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT " + ROW + ", " + select + " FROM " + input)) {
        ResultSetMetaData metadata = statement.getMetaData();
        Optional<DataType> mapped = dataType(metadata.getColumnTypeName(2));
        if (mapped.isEmpty()) {
          select = "CAST(" + select + " AS VARCHAR)";
        }
        type = mapped.orElse(DataType.of(DataType.Kind.STRING));
      } catch (SQLException e) {
        throw new IllegalArgumentException("Cannot compute column " + expression.getKey() + " of table " + table
            + ": its expression " + expression.getValue() + " does not compile: " + firstLine(e.getMessage())
            + " (correct tables." + table + ".computed." + expression.getKey() + "; it reads the source columns "
            + inputs.stream().map(Column::name).collect(Collectors.joining(", ")) + ")", e);
      }
      columns.add(new Column(expression.getKey(), type, true));
      selects.add(select);
    }
    return new DuckDbCompiled(table, text, input, inputs, List.copyOf(columns), List.copyOf(selects));
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // closing an in-memory database loses nothing
    }
  }

  private final class DuckDbCompiled implements Compiled {
    private final String table;
    private final String text;
    private final String input;
    private final List<Column> inputs;
    private final List<Column> columns;
    private final List<String> selects;

    DuckDbCompiled(String table, String text, String input, List<Column> inputs, List<Column> columns,
        List<String> selects) {
      this.table = table;
      this.text = text;
      this.input = input;
      this.inputs = inputs;
      this.columns = columns;
      this.selects = selects;
    }

    @Override
    public List<Column> columns() {
      return columns;
    }

    @Override
    public List<ShapedRow> evaluate(List<Map<String, Object>> rows) {
      synchronized (DuckDbExpressions.this) {
        if (rows.isEmpty()) {
          return List.of();
        }
        load(rows);
        ShapedRow[] result = new ShapedRow[rows.size()];
        evaluate(0, rows.size() - 1, result);
        execute("DELETE FROM " + text, "Cannot clear computed columns of table " + table);
        return List.of(result);
      }
    }

    private void load(List<Map<String, Object>> rows) {
      execute("DELETE FROM " + text, "Cannot clear computed columns of table " + table);
      try (DuckDBAppender appender = connection.unwrap(DuckDBConnection.class)
          .createAppender(DuckDBConnection.DEFAULT_SCHEMA, text)) {
        for (int i = 0; i < rows.size(); i++) {
          appender.beginRow().append(i);
          Map<String, Object> row = rows.get(i);
          for (Column column : inputs) {
            String value = text(row.get(column.name()));
            if (value == null) {
              appender.appendNull();
            } else {
              appender.append(value);
            }
          }
          appender.endRow();
        }
      } catch (SQLException e) {
        throw new IllegalStateException("Cannot load rows of table " + table + " to compute its columns: "
            + firstLine(e.getMessage()) + " (a value did not fit its source column's type)", e);
      }
    }

    /** Evaluates rows {@code from..to}; on failure, halves the range until the failing rows are single. */
    private void evaluate(int from, int to, ShapedRow[] result) {
      String query = "SELECT " + ROW + ", " + String.join(", ", selects) + " FROM " + input
          + " WHERE " + ROW + " BETWEEN " + from + " AND " + to + " ORDER BY " + ROW;
      try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(query)) {
        while (rows.next()) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (int c = 0; c < columns.size(); c++) {
            values.put(columns.get(c).name(), read(rows, c + 2, columns.get(c).type()));
          }
          result[rows.getInt(1)] = ShapedRow.of(values);
        }
      } catch (SQLException e) {
        if (from == to) {
          result[from] = ShapedRow.rejected(failure(from, e));
          return;
        }
        int middle = from + (to - from) / 2;
        evaluate(from, middle, result);
        evaluate(middle + 1, to, result);
      }
    }

    /** Which expression fails for row {@code row}, and why. */
    private Rejection failure(int row, SQLException whole) {
      for (int c = 0; c < selects.size(); c++) {
        String query = "SELECT " + selects.get(c) + " FROM " + input + " WHERE " + ROW + " = " + row;
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(query)) {
          while (rows.next()) {
            read(rows, 1, columns.get(c).type());
          }
        } catch (SQLException e) {
          return rejection(columns.get(c).name(), e);
        }
      }
      return rejection(columns.get(0).name(), whole);
    }

    private Rejection rejection(String column, SQLException e) {
      return new Rejection(column, Optional.empty(), "Cannot compute column " + column + " of table " + table
          + ": " + firstLine(e.getMessage()) + " (correct the row at the source, or make tables." + table
          + ".computed." + column + " handle it, e.g. with TRY(...) or CASE)");
    }
  }

  private void execute(String sql, String what) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(what + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static String duckDbType(DataType type) {
    return DuckDbTypes.of(IcebergTypes.toIceberg(type));
  }

  /** The text DuckDB casts back to the column's type. */
  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof LocalDateTime time) {
      return TIMESTAMP.format(time);
    }
    if (value instanceof OffsetDateTime time) {
      return TIMESTAMP.format(time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()) + "+00";
    }
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return "\\x" + HexFormat.of().formatHex(bytes);
    }
    return value.toString();
  }

  /** The Tributary type of a DuckDB result type; empty for types computed columns hold as text. */
  private static Optional<DataType> dataType(String duckDbType) {
    Matcher decimal = DECIMAL.matcher(duckDbType);
    if (decimal.matches()) {
      return Optional.of(DataType.decimal(Integer.parseInt(decimal.group(1)), Integer.parseInt(decimal.group(2))));
    }
    return Optional.ofNullable(switch (duckDbType) {
      case "BOOLEAN" -> DataType.of(DataType.Kind.BOOLEAN);
      case "TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT" -> DataType.of(DataType.Kind.INT32);
      case "BIGINT", "UINTEGER" -> DataType.of(DataType.Kind.INT64);
      case "FLOAT" -> DataType.of(DataType.Kind.FLOAT32);
      case "DOUBLE" -> DataType.of(DataType.Kind.FLOAT64);
      case "HUGEINT", "UBIGINT" -> DataType.decimal(38, 0);
      case "VARCHAR" -> DataType.of(DataType.Kind.STRING);
      case "DATE" -> DataType.of(DataType.Kind.DATE);
      case "TIME" -> DataType.of(DataType.Kind.TIME);
      case "TIMESTAMP" -> DataType.of(DataType.Kind.TIMESTAMP);
      case "TIMESTAMP WITH TIME ZONE" -> DataType.of(DataType.Kind.TIMESTAMPTZ);
      case "UUID" -> DataType.of(DataType.Kind.UUID);
      default -> null;
    });
  }

  private static Object read(ResultSet rows, int column, DataType type) throws SQLException {
    Object value = rows.getObject(column);
    if (value == null) {
      return null;
    }
    return switch (type.kind()) {
      case BOOLEAN -> rows.getBoolean(column);
      case INT16, INT32 -> ((Number) value).intValue();
      case INT64 -> ((Number) value).longValue();
      case FLOAT32 -> ((Number) value).floatValue();
      case FLOAT64 -> ((Number) value).doubleValue();
      case DECIMAL -> new BigDecimal(value.toString()).setScale(type.scale(), RoundingMode.HALF_UP);
      case DATE -> rows.getObject(column, LocalDate.class);
      case TIME -> rows.getObject(column, LocalTime.class);
      case TIMESTAMP -> rows.getObject(column, LocalDateTime.class);
      case TIMESTAMPTZ -> rows.getObject(column, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC);
      case UUID -> value instanceof UUID uuid ? uuid : UUID.fromString(value.toString());
      default -> rows.getString(column);
    };
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
