package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import io.tributary.sql.LakeSqlEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The models of a {@code models} directory: each {@code name.sql} is a SELECT whose result becomes
 * {@code gold.name}, with settings in {@code name.yml} or a header comment. The tables a model names make
 * the dependency graph; {@link #models()} is in graph order, upstream first.
 */
public final class ModelProject {
  private static final Pattern DUCKDB_LINE = Pattern.compile("LINE (\\d+):");

  private final Path directory;
  private final List<Model> models;
  private final Map<String, Model> byName;

  private ModelProject(Path directory, List<Model> models) {
    this.directory = directory;
    this.models = List.copyOf(models);
    Map<String, Model> names = new LinkedHashMap<>();
    models.forEach(model -> names.put(model.name().toLowerCase(Locale.ROOT), model));
    this.byName = names;
  }

  /**
   * Reads every {@code *.sql} file of {@code directory} with its settings and orders the models.
   *
   * @throws ModelException naming the file and line of an invalid setting, a statement that is not one
   *     SELECT, or a cycle between models
   */
  public static ModelProject load(Path directory) {
    requireNonNull(directory, "directory is null");
    if (!Files.isDirectory(directory)) {
      throw new ModelException("Cannot load models from " + directory + ": not a directory (create it and put"
          + " one name.sql file per gold table in it)", directory, OptionalInt.empty());
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files = listing.filter(file -> file.getFileName().toString().endsWith(".sql") && Files.isRegularFile(file))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list models in " + directory + ": " + e.getMessage(), e);
    }
    Map<String, Model> models = new TreeMap<>();
    for (Path file : files) {
      Model model = ModelFiles.read(file);
      Model other = models.put(model.name().toLowerCase(Locale.ROOT), model);
      if (other != null) {
        throw ModelException.at(file, 1, "Invalid model " + model.name() + ": " + other.file()
            + " defines the same gold table (names are case-insensitive; rename one)");
      }
    }
    return new ModelProject(directory, order(models));
  }

  /** Kahn's algorithm, ties broken by name so the order is stable. */
  private static List<Model> order(Map<String, Model> models) {
    Map<String, Set<String>> upstream = new TreeMap<>();
    for (Model model : models.values()) {
      Set<String> names = new TreeSet<>();
      for (String reference : model.goldReferences()) {
        if (models.containsKey(reference)) {
          names.add(reference);
        }
      }
      upstream.put(model.name().toLowerCase(Locale.ROOT), names);
    }
    List<Model> ordered = new ArrayList<>();
    Set<String> done = new HashSet<>();
    while (ordered.size() < models.size()) {
      Optional<String> ready = upstream.entrySet().stream()
          .filter(entry -> !done.contains(entry.getKey()) && done.containsAll(entry.getValue()))
          .map(Map.Entry::getKey)
          .findFirst();
      if (ready.isEmpty()) {
        throw cycle(models, upstream, done);
      }
      done.add(ready.get());
      ordered.add(models.get(ready.get()));
    }
    return ordered;
  }

  private static ModelException cycle(Map<String, Model> models, Map<String, Set<String>> upstream, Set<String> done) {
    // Every remaining model has a remaining upstream: walking upstream must come back to a model seen.
    String start = upstream.keySet().stream().filter(name -> !done.contains(name)).findFirst().orElseThrow();
    List<String> path = new ArrayList<>();
    String current = start;
    while (!path.contains(current)) {
      path.add(current);
      current = upstream.get(current).stream().filter(name -> !done.contains(name)).findFirst().orElseThrow();
    }
    List<String> loop = new ArrayList<>(path.subList(path.indexOf(current), path.size()));
    // Shown downstream to upstream reversed: each model reads the next one.
    loop.add(current);
    String picture = loop.stream().map(name -> "gold." + name).collect(Collectors.joining(" reads "));
    Model first = models.get(loop.get(0));
    String reads = "gold." + loop.get(1);
    int line = SqlText.references(first.sql()).stream()
        .filter(reference -> reference.table().equals(reads))
        .mapToInt(SqlText.Reference::line)
        .findFirst()
        .orElse(1);
    return ModelException.at(first.file(), line, "Cannot order the models: they form a cycle, " + picture
        + " (a model cannot depend on itself through other models; break the cycle)");
  }

  public Path directory() {
    return directory;
  }

  /** The models in graph order: every model comes after the models it reads. */
  public List<Model> models() {
    return models;
  }

  /** The model named {@code name} ({@code x} or {@code gold.x}, case-insensitive). */
  public Optional<Model> model(String name) {
    requireNonNull(name, "name is null");
    String key = name.toLowerCase(Locale.ROOT);
    if (key.startsWith(Model.GOLD + ".")) {
      key = key.substring(Model.GOLD.length() + 1);
    }
    return Optional.ofNullable(byName.get(key));
  }

  /** One line per model, in graph order: {@code gold.x <- silver.a, gold.y}. */
  public String graph() {
    StringBuilder text = new StringBuilder();
    for (Model model : models) {
      text.append(model.table()).append(" <- ");
      text.append(model.references().isEmpty() ? "(no tables)" : String.join(", ", new TreeSet<>(model.references())));
      text.append('\n');
    }
    return text.toString();
  }

  /**
   * The models a selector names, in graph order: {@code name}, {@code name+} (it and everything downstream),
   * {@code +name} (it and everything upstream), {@code +name+} (both).
   *
   * @throws IllegalArgumentException if no model has the name
   */
  public List<Model> select(String selector) {
    requireNonNull(selector, "selector is null");
    String text = selector.strip();
    boolean up = text.startsWith("+");
    boolean down = text.endsWith("+") && text.length() > 1;
    String name = text.substring(up ? 1 : 0, text.length() - (down ? 1 : 0));
    Model model = model(name).orElseThrow(() -> new IllegalArgumentException("Invalid model selector '" + selector
        + "': no model " + name + " (models: " + models.stream().map(Model::name).collect(Collectors.joining(", "))
        + ")"));
    Set<String> selected = new HashSet<>();
    selected.add(key(model));
    if (up) {
      selected.addAll(closure(model, true));
    }
    if (down) {
      selected.addAll(closure(model, false));
    }
    return models.stream().filter(candidate -> selected.contains(key(candidate))).toList();
  }

  /** The models that read {@code model}'s table, directly or through other models, in graph order. */
  public List<Model> downstream(Model model) {
    Set<String> names = closure(model, false);
    return models.stream().filter(candidate -> names.contains(key(candidate))).toList();
  }

  /** The models {@code model} reads directly. */
  public List<Model> upstream(Model model) {
    return model.goldReferences().stream().map(this::model).flatMap(Optional::stream).toList();
  }

  private Set<String> closure(Model start, boolean upstream) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<Model> queue = new ArrayDeque<>(List.of(start));
    while (!queue.isEmpty()) {
      Model current = queue.poll();
      List<Model> next = upstream
          ? upstream(current)
          : models.stream().filter(candidate -> candidate.goldReferences().contains(key(current))).toList();
      for (Model model : next) {
        if (seen.add(key(model))) {
          queue.add(model);
        }
      }
    }
    return seen;
  }

  private static String key(Model model) {
    return model.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Checks every model against the lake: each table it reads exists (in the lake or as a model), and DuckDB
   * accepts its SQL. Models not yet in the lake stand in as empty views with their result's columns.
   *
   * @throws ModelException naming the file and line of the first problem
   */
  public void validate(LakeSqlEngine engine) {
    requireNonNull(engine, "engine is null");
    engine.refresh();
    Set<String> lakeTables = new HashSet<>(engine.tables());
    List<String> placeholders = new ArrayList<>();
    Connection connection = engine.connection();
    synchronized (engine) {
      try {
        for (Model model : models) {
          for (SqlText.Reference reference : SqlText.references(model.sql())) {
            boolean isModel = reference.table().startsWith(Model.GOLD + ".") && model(reference.table()).isPresent();
            if (!isModel && !lakeTables.contains(reference.table())) {
              throw ModelException.at(model.file(), reference.line(), "Cannot read table " + reference.table()
                  + ": it is not in the lake and no model makes it (tables: "
                  + (lakeTables.isEmpty() ? "none yet" : String.join(", ", new TreeSet<>(lakeTables)))
                  + "; models: " + models.stream().map(Model::table).collect(Collectors.joining(", ")) + ")");
            }
          }
          List<String[]> columns = describe(connection, model);
          if (!lakeTables.contains(model.table())) {
            String view = ident(Model.GOLD) + "." + ident(model.name());
            try {
              execute(connection, "CREATE SCHEMA IF NOT EXISTS " + ident(Model.GOLD));
              execute(connection, "CREATE OR REPLACE VIEW " + view + " AS SELECT " + columns.stream()
                  .map(column -> "CAST(NULL AS " + column[1] + ") AS " + ident(column[0]))
                  .collect(Collectors.joining(", ")) + " WHERE false");
            } catch (SQLException e) {
              throw new IllegalStateException("Cannot validate model " + model.name() + ": creating the stand-in"
                  + " view " + view + " failed: " + e.getMessage(), e);
            }
            placeholders.add(model.name());
          }
        }
      } finally {
        for (String name : placeholders) {
          try {
            execute(connection, "DROP VIEW IF EXISTS " + ident(Model.GOLD) + "." + ident(name));
          } catch (SQLException e) {
            // the engine's next refresh replaces or ignores it; validation's own error matters more
          }
        }
      }
    }
  }

  /** The columns of the model's result (name, DuckDB type), checking its SQL on the way. */
  private static List<String[]> describe(Connection connection, Model model) {
    try (PreparedStatement statement = connection.prepareStatement("DESCRIBE " + model.sql());
        ResultSet result = statement.executeQuery()) {
      List<String[]> columns = new ArrayList<>();
      while (result.next()) {
        columns.add(new String[] {result.getString(1), result.getString(2)});
      }
      return columns;
    } catch (SQLException e) {
      throw invalidSql(model, e);
    }
  }

  /** An SQL error of {@code model}'s query, at the line DuckDB names (its lines are the file's). */
  static ModelException invalidSql(Model model, SQLException e) {
    String message = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
    Matcher line = DUCKDB_LINE.matcher(message);
    int number = line.find()
        ? Integer.parseInt(line.group(1))
        : message.contains("at end of input") ? SqlText.lastCodeLine(model.sql()) : SqlText.firstCodeLine(model.sql());
    String first = message.lines().findFirst().orElse(message).strip();
    return ModelException.at(model.file(), number, "Invalid SQL in model " + model.name() + ": " + first
        + " (fix the query; DuckDB SQL)", e);
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }
}
