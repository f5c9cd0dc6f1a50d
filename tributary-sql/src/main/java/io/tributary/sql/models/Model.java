package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One SQL model: {@code models/<name>.sql}, a SELECT whose result becomes {@code gold.<name>}.
 *
 * @param sql the file's text, comments included so DuckDB's line numbers are the file's; no trailing semicolon
 * @param uniqueKey the columns identifying a row; required for {@link Materialization#INCREMENTAL}
 * @param references the tables the SQL reads, as {@code namespace.table}
 * @param incrementalBy for an incremental model recomputed by key: each silver table it reads (as
 *     {@code silver.table}) and the columns of that table giving the model's unique key, in unique-key order;
 *     empty to recompute the whole query every run
 */
public record Model(
    String name,
    Path file,
    String sql,
    Materialization materialization,
    List<String> uniqueKey,
    List<ModelTest> tests,
    RefreshPolicy refresh,
    Set<String> references,
    Map<String, List<String>> incrementalBy) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  public static final String GOLD = "gold";
  static final String SILVER = "silver";

  public Model {
    requireNonNull(name, "name is null");
    requireNonNull(file, "file is null");
    requireNonNull(sql, "sql is null");
    requireNonNull(materialization, "materialization is null");
    uniqueKey = List.copyOf(requireNonNull(uniqueKey, "uniqueKey is null"));
    tests = List.copyOf(requireNonNull(tests, "tests is null"));
    requireNonNull(refresh, "refresh is null");
    references = Set.copyOf(new TreeSet<>(requireNonNull(references, "references is null")));
    Map<String, List<String>> byTable = new TreeMap<>();
    requireNonNull(incrementalBy, "incrementalBy is null").forEach((table, columns) -> byTable.put(table,
        List.copyOf(columns)));
    incrementalBy = Collections.unmodifiableMap(byTable);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid model name '" + name + "' (file " + file
          + "): use letters, digits and underscores, not starting with a digit");
    }
    if (materialization == Materialization.INCREMENTAL && uniqueKey.isEmpty()) {
      throw new IllegalArgumentException("Invalid model " + name + ": incremental materialization needs a unique key"
          + " (set unique-key)");
    }
    if (!incrementalBy.isEmpty() && materialization != Materialization.INCREMENTAL) {
      throw new IllegalArgumentException("Invalid model " + name + ": incremental-by needs materialized: incremental"
          + " (set it, or remove incremental-by)");
    }
    for (Map.Entry<String, List<String>> entry : incrementalBy.entrySet()) {
      if (entry.getValue().size() != uniqueKey.size()) {
        throw new IllegalArgumentException("Invalid incremental-by of model " + name + ": " + entry.getKey()
            + " maps to " + entry.getValue() + " but the unique key is " + uniqueKey
            + " (give one column of the table per unique-key column, in the same order)");
      }
    }
  }

  /** The gold table the model writes: {@code gold.<name>}. */
  public String table() {
    return GOLD + "." + name;
  }

  /** The references that are gold tables, i.e. possibly other models. */
  public Set<String> goldReferences() {
    Set<String> gold = new TreeSet<>();
    for (String reference : references) {
      if (reference.startsWith(GOLD + ".")) {
        gold.add(reference.substring(GOLD.length() + 1));
      }
    }
    return gold;
  }
}
