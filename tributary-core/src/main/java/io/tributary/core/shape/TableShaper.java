package io.tributary.core.shape;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.TableSchema;
import io.tributary.core.config.CastType;
import io.tributary.core.config.ShapeConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Shapes the rows of one source table for silver and history, as its {@code tables.<name>} entry
 * says: columns are cast, then masked, then renamed; dropped columns are left out; computed columns
 * come last, evaluated over the source row as it arrived (before any cast, mask or drop).
 *
 * <p>Built for one source schema ({@link Shaping#shaper}); when the source's columns change, a new
 * one is built. Its construction checks the configuration against the source's columns, so a
 * shaper that exists can shape every row of its schema; a row whose value does not cast, or whose
 * computed expression fails, is rejected with the reason instead.
 *
 * <p>Masks are the hex SHA-256 of the salt followed by the value's text: the same value always
 * gives the same mask, so joins on masked columns still match; nulls stay null.
 */
public final class TableShaper {
  private final String table;
  private final ShapeConfig config;
  private final TableSchema source;
  private final TableSchema schema;
  private final List<Step> steps;
  private final Optional<SqlExpressions.Compiled> computed;
  private final MessageDigest salted;

  /** What happens to one source column that silver keeps. */
  private record Step(String column, String target, Optional<CastType> cast, boolean mask) {}

  TableShaper(String table, ShapeConfig config, TableSchema source, SqlExpressions expressions) {
    this.table = requireNonNull(table, "table is null");
    this.config = requireNonNull(config, "config is null");
    this.source = requireNonNull(source, "source is null");
    requireNonNull(expressions, "expressions is null");
    check("rename", config.rename().keySet());
    check("cast", config.cast().keySet());
    check("drop", config.drop());
    check("mask", config.mask());
    for (String dropped : config.drop()) {
      for (Map.Entry<String, Boolean> other : Map.of(
          "rename", config.rename().containsKey(dropped),
          "cast", config.cast().containsKey(dropped),
          "mask", config.mask().contains(dropped)).entrySet()) {
        if (other.getValue()) {
          throw new IllegalArgumentException("Cannot shape table " + table + ": column " + dropped + " is in "
              + key("drop") + " and in " + key(other.getKey()) + " (a dropped column is not kept at all: remove it "
              + "from one of them)");
        }
      }
      if (source.key().contains(dropped)) {
        throw new IllegalArgumentException("Cannot shape table " + table + ": " + key("drop") + " drops key column "
            + dropped + " of " + source.table() + ", and silver and history need the key (remove it from "
            + key("drop") + "; mask it to hide its values)");
      }
    }

    Map<String, String> origins = new HashMap<>();
    List<Step> kept = new ArrayList<>();
    List<Column> columns = new ArrayList<>();
    for (Column column : source.columns()) {
      if (config.drop().contains(column.name())) {
        continue;
      }
      String target = config.rename().getOrDefault(column.name(), column.name());
      claim(origins, target, config.rename().containsKey(column.name())
          ? key("rename") + "." + column.name() : "source column " + column.name());
      Optional<CastType> cast = Optional.ofNullable(config.cast().get(column.name()));
      boolean mask = config.mask().contains(column.name());
      DataType type = mask ? DataType.of(DataType.Kind.STRING) : cast.map(Casts::type).orElse(column.type());
      kept.add(new Step(column.name(), target, cast, mask));
      columns.add(new Column(target, type, column.nullable()));
    }
    if (config.computed().isEmpty()) {
      computed = Optional.empty();
    } else {
      for (String name : config.computed().keySet()) {
        claim(origins, name, key("computed") + "." + name);
      }
      SqlExpressions.Compiled compiled = expressions.compile(table, source, config.computed());
      for (Column column : compiled.columns()) {
        columns.add(new Column(column.name(), column.type(), true));
      }
      computed = Optional.of(compiled);
    }
    List<String> key = source.key().stream().map(column -> config.rename().getOrDefault(column, column)).toList();
    this.steps = List.copyOf(kept);
    this.schema = new TableSchema(source.table(), columns, key);
    this.salted = config.maskSalt().map(salt -> {
      MessageDigest digest = sha256();
      digest.update(salt.reveal().getBytes(StandardCharsets.UTF_8));
      return digest;
    }).orElse(null);
  }

  /** The lake table name this shaper is for. */
  public String table() {
    return table;
  }

  /** The source schema it shapes. */
  public TableSchema source() {
    return source;
  }

  /**
   * The schema of silver and history: kept columns under their new names and types (masked ones
   * as text), computed ones last, the key under its new names.
   */
  public TableSchema schema() {
    return schema;
  }

  /** Whether rows come out as they went in. */
  public boolean isIdentity() {
    return config.isIdentity();
  }

  /**
   * Whether the key columns come out with the values they went in with (renamed at most, neither
   * cast nor masked): rows with distinct source keys then have distinct keys in silver.
   */
  public boolean keepsKeyValues() {
    return steps.stream()
        .filter(step -> source.key().contains(step.column()))
        .allMatch(step -> step.cast().isEmpty() && !step.mask());
  }

  /** The shaped name of source column {@code column}; empty when it is dropped. */
  public Optional<String> target(String column) {
    return steps.stream().filter(step -> step.column().equals(column)).map(Step::target).findFirst();
  }

  /**
   * Shapes full rows of the source schema (an insert's or update's after image), in order. A row
   * without one of the source columns is shaped as if it held null there. Rows must hold no
   * {@link ChangeEvent#UNAVAILABLE} values: fill them from the previous version first.
   *
   * @throws IllegalArgumentException if a row a shaping changes holds {@link ChangeEvent#UNAVAILABLE}
   */
  public List<ShapedRow> shape(List<Map<String, Object>> rows) {
    requireNonNull(rows, "rows is null");
    if (config.isIdentity()) {
      // the common case: every table without a tables entry
      return rows.stream().map(ShapedRow::of).toList();
    }
    List<ShapedRow> result = new ArrayList<>(rows.size());
    List<Map<String, Object>> toCompute = new ArrayList<>();
    List<Integer> computedIndex = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      ShapedRow shaped = columns(row, false);
      result.add(shaped);
      if (computed.isPresent() && !shaped.isRejected()) {
        toCompute.add(row);
        computedIndex.add(result.size() - 1);
      }
    }
    if (computed.isPresent() && !toCompute.isEmpty()) {
      List<ShapedRow> values = computed.get().evaluate(toCompute);
      for (int i = 0; i < values.size(); i++) {
        int index = computedIndex.get(i);
        ShapedRow value = values.get(i);
        if (value.isRejected()) {
          result.set(index, value);
        } else {
          Map<String, Object> merged = new LinkedHashMap<>(result.get(index).row());
          merged.putAll(value.row());
          result.set(index, ShapedRow.of(merged));
        }
      }
    }
    return result;
  }

  /** Shapes one full row; see {@link #shape(List)}. */
  public ShapedRow shape(Map<String, Object> row) {
    return shape(List.of(row)).get(0);
  }

  /**
   * Shapes only the key columns of {@code row} (a delete's before image, which may hold the key
   * alone): the result holds the shaped key and nothing else.
   */
  public ShapedRow shapeKey(Map<String, Object> row) {
    return columns(row, true);
  }

  /**
   * A description of the configured shaping, the same for the same configuration and salt: stored
   * with a shaped table to notice when the configuration changes. Holds no secret (the salt enters
   * only as the mask of an empty value, which masked columns show anyway).
   */
  public String fingerprint() {
    return fingerprint(config);
  }

  /** {@link #fingerprint()} of {@code config}; empty text for a shaping that changes nothing. */
  public static String fingerprint(ShapeConfig config) {
    if (config.isIdentity()) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    text.append("rename").append(new TreeMap<>(config.rename()));
    text.append(" cast").append(new TreeMap<>(config.cast().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().toString()))));
    text.append(" drop").append(config.drop().stream().sorted().toList());
    text.append(" mask").append(config.mask().stream().sorted().toList());
    text.append(" computed").append(new TreeMap<>(config.computed()));
    config.maskSalt().ifPresent(salt -> {
      MessageDigest digest = sha256();
      digest.update(salt.reveal().getBytes(StandardCharsets.UTF_8));
      text.append(" salt ").append(HexFormat.of().formatHex(digest.digest()), 0, 12);
    });
    return text.toString();
  }

  @Override
  public String toString() {
    return "TableShaper[" + table + ": " + fingerprint() + "]";
  }

  private ShapedRow columns(Map<String, Object> row, boolean keyOnly) {
    requireNonNull(row, "row is null");
    Map<String, Object> shaped = new LinkedHashMap<>();
    for (Step step : steps) {
      if (keyOnly && !source.key().contains(step.column())) {
        continue;
      }
      Object value = row.get(step.column());
      if (value == ChangeEvent.UNAVAILABLE) {
        throw new IllegalArgumentException("Cannot shape a row of table " + table + ": column " + step.column()
            + " is unavailable (fill unchanged values from the previous version before shaping)");
      }
      if (step.cast().isPresent()) {
        try {
          value = Casts.cast(value, step.cast().get());
        } catch (IllegalArgumentException e) {
          return ShapedRow.rejected(new Rejection(step.column(), Optional.of(Casts.text(value)),
              "Cannot cast column " + step.column() + " of table " + table + " to " + step.cast().get() + ": "
                  + e.getMessage() + " (" + key("cast") + "." + step.column() + "; fix the value at the source or "
                  + "change the cast)"));
        }
      }
      if (step.mask() && value != null) {
        value = mask(value);
      }
      shaped.put(step.target(), value);
    }
    return ShapedRow.of(shaped);
  }

  private String mask(Object value) {
    MessageDigest digest;
    try {
      digest = (MessageDigest) salted.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("Cannot mask values: SHA-256 digests cannot be copied on this JVM", e);
    }
    return HexFormat.of().formatHex(digest.digest(Casts.text(value).getBytes(StandardCharsets.UTF_8)));
  }

  private void check(String what, Iterable<String> columns) {
    for (String column : columns) {
      if (source.column(column).isEmpty()) {
        throw new IllegalArgumentException("Cannot shape table " + table + ": " + key(what) + " names column "
            + column + ", which " + source.table() + " does not have (its columns: "
            + source.columns().stream().map(Column::name).collect(Collectors.joining(", "))
            + "; correct the name in " + key(what) + " or remove it)");
      }
    }
  }

  private void claim(Map<String, String> origins, String name, String origin) {
    if (name.startsWith("_") && !source.column(name).isPresent()) {
      throw new IllegalArgumentException("Cannot shape table " + table + ": " + origin + " names a column " + name
          + ", and names starting with _ are Tributary's own columns (choose a name without the leading _)");
    }
    String previous = origins.putIfAbsent(name, origin);
    if (previous != null) {
      throw new IllegalArgumentException("Cannot shape table " + table + ": " + origin + " and " + previous
          + " would both be column " + name + " in silver (give one of them another name)");
    }
  }

  private String key(String what) {
    return "tables." + table + "." + what;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot mask values: this JVM has no SHA-256", e);
    }
  }
}
