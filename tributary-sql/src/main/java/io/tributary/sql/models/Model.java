package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One SQL model: {@code models/<name>.sql}, a SELECT whose result becomes {@code gold.<name>}.
 *
 * @param sql the file's text, comments included so DuckDB's line numbers are the file's; no trailing semicolon
 * @param uniqueKey the columns identifying a row; required for {@link Materialization#INCREMENTAL}
 * @param references the tables the SQL reads, as {@code namespace.table}
 */
public record Model(
    String name,
    Path file,
    String sql,
    Materialization materialization,
    List<String> uniqueKey,
    List<ModelTest> tests,
    RefreshPolicy refresh,
    Set<String> references) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  public static final String GOLD = "gold";

  public Model {
    requireNonNull(name, "name is null");
    requireNonNull(file, "file is null");
    requireNonNull(sql, "sql is null");
    requireNonNull(materialization, "materialization is null");
    uniqueKey = List.copyOf(requireNonNull(uniqueKey, "uniqueKey is null"));
    tests = List.copyOf(requireNonNull(tests, "tests is null"));
    requireNonNull(refresh, "refresh is null");
    references = Set.copyOf(new TreeSet<>(requireNonNull(references, "references is null")));
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid model name '" + name + "' (file " + file
          + "): use letters, digits and underscores, not starting with a digit");
    }
    if (materialization == Materialization.INCREMENTAL && uniqueKey.isEmpty()) {
      throw new IllegalArgumentException("Invalid model " + name + ": incremental materialization needs a unique key"
          + " (set unique-key)");
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
