package io.tributary.core.shape;

import static java.util.Objects.requireNonNull;

import io.tributary.api.TableSchema;
import io.tributary.core.config.ShapeConfig;
import io.tributary.core.config.TableConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The shaping of every lake table of a pipeline: gives the {@link TableShaper} of a source schema,
 * built once per schema and kept while the schema stays the same.
 */
public final class Shaping {
  /** Shaping that keeps every table as its source has it. */
  public static final Shaping NONE = new Shaping(TableConfig::defaults, SqlExpressions.NONE);

  private static final int CACHED_SCHEMAS = 256;

  private final Function<String, TableConfig> tables;
  private final SqlExpressions expressions;
  private final Map<TableSchema, TableShaper> shapers = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<TableSchema, TableShaper> eldest) {
      return size() > CACHED_SCHEMAS;
    }
  };

  /**
   * @param tables the settings of a lake table by its name ({@code TributaryConfig::table})
   * @param expressions evaluates computed columns
   */
  public Shaping(Function<String, TableConfig> tables, SqlExpressions expressions) {
    this.tables = requireNonNull(tables, "tables is null");
    this.expressions = requireNonNull(expressions, "expressions is null");
  }

  /** The whole configuration of lake table {@code table}, shaping and history. */
  public TableConfig table(String table) {
    return tables.apply(requireNonNull(table, "table is null"));
  }

  /** The shaping configured for lake table {@code table}. */
  public ShapeConfig config(String table) {
    return tables.apply(requireNonNull(table, "table is null")).shape();
  }

  /**
   * The shaper of rows of {@code source} (its lake table is {@code source.table().name()}).
   *
   * @throws IllegalArgumentException if the table's shaping does not fit the source's columns,
   *     naming the table, the column and the configuration key
   */
  public synchronized TableShaper shaper(TableSchema source) {
    requireNonNull(source, "source is null");
    TableShaper shaper = shapers.get(source);
    if (shaper == null) {
      String table = source.table().name();
      shaper = new TableShaper(table, config(table), source, expressions);
      shapers.put(source, shaper);
    }
    return shaper;
  }
}
