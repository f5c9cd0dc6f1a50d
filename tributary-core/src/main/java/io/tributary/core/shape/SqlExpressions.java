package io.tributary.core.shape;

import io.tributary.api.TableSchema;
import java.util.Map;

/**
 * Evaluates SQL expressions over rows of a table, for computed columns. The SQL engine implements
 * it (the DuckDB one in tributary-sql); the process that wires the pipeline passes it in.
 */
public interface SqlExpressions {

  /** For processes without a SQL engine: every expression is refused. */
  SqlExpressions NONE = (table, schema, expressions) -> {
    throw new IllegalArgumentException("Cannot compute columns " + expressions.keySet() + " of table " + table
        + ": this process has no SQL engine to evaluate tables." + table + ".computed (run it with the tributary "
        + "command, or remove computed)");
  };

  /**
   * Prepares {@code expressions} (result column name to SQL expression) over rows of {@code schema}.
   *
   * @param table the lake table name, for messages
   * @throws IllegalArgumentException if an expression does not compile, naming it and why
   */
  Compiled compile(String table, TableSchema schema, Map<String, String> expressions);

  /** Expressions ready to evaluate over rows of one schema. */
  interface Compiled {

    /** The result columns, in the order the expressions were given, with the types the engine derived. */
    java.util.List<io.tributary.api.Column> columns();

    /**
     * The values of the expressions for each row (source column name to value, Java values as on
     * {@link io.tributary.api.DataType.Kind}), in the order of {@code rows}: a row whose expression
     * fails gets a {@link Rejection} naming the computed column; the other rows are not affected.
     */
    java.util.List<ShapedRow> evaluate(java.util.List<Map<String, Object>> rows);
  }
}
