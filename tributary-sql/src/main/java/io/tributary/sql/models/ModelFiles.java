package io.tributary.sql.models;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads one model: its SQL file, and its settings from the YAML file beside it or the SQL's header comment. */
final class ModelFiles {
  static final String MATERIALIZED = "materialized";
  static final String UNIQUE_KEY = "unique-key";
  static final String REFRESH = "refresh";
  static final String TESTS = "tests";
  static final String INCREMENTAL_BY = "incremental-by";
  static final String MIN_INTERVAL = "min-interval";
  static final String SCHEDULE = "schedule";
  private static final List<String> KEYS = List.of(MATERIALIZED, UNIQUE_KEY, INCREMENTAL_BY, REFRESH, TESTS);
  private static final Pattern HEADER_SETTING =
      Pattern.compile("^\\s*--\\s*((?:" + String.join("|", KEYS) + ")\\s*:.*)$");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern STATEMENT_START =
      Pattern.compile("^\\s*(select|with|from|values|\\()", Pattern.CASE_INSENSITIVE);

  private ModelFiles() {}

  /** A setting: its key and value nodes, and the file and line offset their marks are relative to. */
  private record Setting(String key, Node keyNode, Node value, Path file, int lineOffset) {
    int line(Node node) {
      return node.getStartMark().getLine() + 1 + lineOffset;
    }
  }

  static Model read(Path sqlFile) {
    String fileName = sqlFile.getFileName().toString();
    String name = fileName.substring(0, fileName.length() - ".sql".length());
    String text = readText(sqlFile);
    String sql = statement(sqlFile, text);
    Map<String, Setting> settings = new LinkedHashMap<>();
    header(sqlFile, text, settings);
    for (String extension : List.of(".yml", ".yaml")) {
      Path yaml = sqlFile.resolveSibling(name + extension);
      if (Files.isRegularFile(yaml)) {
        yaml(yaml, settings);
      }
    }

    Materialization materialization = Materialization.TABLE;
    Setting materialized = settings.get(MATERIALIZED);
    if (materialized != null) {
      String value = scalar(materialized, materialized.value());
      materialization = Materialization.parse(value).orElseThrow(() -> error(materialized, materialized.value(),
          "Invalid " + MATERIALIZED + " '" + value + "' (use table or incremental)"));
    }
    List<String> uniqueKey = settings.containsKey(UNIQUE_KEY)
        ? names(settings.get(UNIQUE_KEY), settings.get(UNIQUE_KEY).value())
        : List.of();
    if (materialization == Materialization.INCREMENTAL && uniqueKey.isEmpty()) {
      throw error(materialized, materialized.keyNode(), "Invalid model " + name
          + ": incremental materialization needs a unique key (add unique-key: [column, ...])");
    }
    RefreshPolicy refresh = settings.containsKey(REFRESH) ? refresh(settings.get(REFRESH)) : RefreshPolicy.eventDriven();
    List<ModelTest> tests = settings.containsKey(TESTS) ? tests(settings.get(TESTS)) : List.of();

    Set<String> references = new LinkedHashSet<>();
    for (SqlText.Reference reference : SqlText.references(sql)) {
      if (reference.table().equals(Model.GOLD + "." + name.toLowerCase(Locale.ROOT))) {
        throw ModelException.at(sqlFile, reference.line(), "Invalid model " + name + ": it reads its own table "
            + reference.table() + ", a cycle (read the upstream tables instead)");
      }
      references.add(reference.table());
    }
    Map<String, List<String>> incrementalBy = settings.containsKey(INCREMENTAL_BY)
        ? incrementalBy(settings.get(INCREMENTAL_BY), references)
        : Map.of();
    try {
      return new Model(name, sqlFile, sql, materialization, uniqueKey, tests, refresh, references, incrementalBy);
    } catch (IllegalArgumentException e) {
      Setting by = settings.get(INCREMENTAL_BY);
      throw ModelException.at(by == null ? sqlFile : by.file(), by == null ? 1 : by.line(by.keyNode()),
          e.getMessage(), e);
    }
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The SQL without its final semicolon; exactly one SELECT statement. */
  private static String statement(Path file, String text) {
    String code = SqlText.code(text);
    int end = code.length();
    while (end > 0 && (Character.isWhitespace(code.charAt(end - 1)) || code.charAt(end - 1) == ';')) {
      end--;
    }
    if (end == 0) {
      throw ModelException.at(file, 1, "Invalid model: the file holds no SQL (write one SELECT statement)");
    }
    int semicolon = code.indexOf(';');
    if (semicolon >= 0 && semicolon < end) {
      throw ModelException.at(file, SqlText.lineAt(code, semicolon),
          "Invalid model: more than one statement (a model is one SELECT; move the rest to another model)");
    }
    Matcher start = STATEMENT_START.matcher(code);
    if (!start.find()) {
      int line = SqlText.firstCodeLine(text);
      throw ModelException.at(file, line, "Invalid model: it does not start with SELECT or WITH"
          + " (a model is one query; its result becomes the gold table)");
    }
    // Keeps trailing comments out so wrapping the query in parentheses stays valid.
    return text.substring(0, end);
  }

  private static void header(Path file, String text, Map<String, Setting> settings) {
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      if (!line.strip().startsWith("--")) {
        break;
      }
      Matcher matcher = HEADER_SETTING.matcher(line);
      if (matcher.matches()) {
        Node node = compose(file, "{" + matcher.group(1) + "}", i);
        collect(file, node, i, settings);
      }
    }
  }

  private static void yaml(Path file, Map<String, Setting> settings) {
    Node node = compose(file, readText(file), 0);
    if (node == null) {
      return;
    }
    collect(file, node, 0, settings);
  }

  private static Node compose(Path file, String text, int lineOffset) {
    try {
      return new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = (mark == null ? 0 : mark.getLine()) + 1 + lineOffset;
      throw ModelException.at(file, line, "Invalid YAML: " + e.getProblem(), e);
    }
  }

  private static void collect(Path file, Node node, int lineOffset, Map<String, Setting> settings) {
    if (!(node instanceof MappingNode mapping)) {
      throw ModelException.at(file, node.getStartMark().getLine() + 1 + lineOffset,
          "Invalid model settings: expected keys like materialized: and tests:, found " + describe(node));
    }
    for (NodeTuple tuple : mapping.getValue()) {
      Setting setting = new Setting(keyName(file, tuple.getKeyNode(), lineOffset), tuple.getKeyNode(),
          tuple.getValueNode(), file, lineOffset);
      if (!KEYS.contains(setting.key())) {
        throw error(setting, setting.keyNode(), "Invalid model setting '" + setting.key() + "' (known: "
            + String.join(", ", KEYS) + ")");
      }
      Setting earlier = settings.get(setting.key());
      if (earlier != null) {
        throw error(setting, setting.keyNode(), "Invalid model setting '" + setting.key() + "': already set in "
            + earlier.file() + " at line " + earlier.line(earlier.keyNode()) + " (keep one of them)");
      }
      settings.put(setting.key(), setting);
    }
  }

  private static String keyName(Path file, Node key, int lineOffset) {
    if (key instanceof ScalarNode scalar) {
      return scalar.getValue();
    }
    throw ModelException.at(file, key.getStartMark().getLine() + 1 + lineOffset,
        "Invalid model settings: a key must be a plain name, found " + describe(key));
  }

  private static RefreshPolicy refresh(Setting setting) {
    if (!(setting.value() instanceof MappingNode mapping)) {
      throw error(setting, setting.value(), "Invalid refresh: expected min-interval: or schedule:, found "
          + describe(setting.value()));
    }
    Optional<Duration> interval = Optional.empty();
    Optional<CronSchedule> schedule = Optional.empty();
    for (NodeTuple tuple : mapping.getValue()) {
      String key = scalar(setting, tuple.getKeyNode());
      Node value = tuple.getValueNode();
      if (key.equals(MIN_INTERVAL)) {
        interval = Optional.of(duration(setting, value));
      } else if (key.equals(SCHEDULE)) {
        String expression = scalar(setting, value);
        try {
          schedule = Optional.of(CronSchedule.parse(expression));
        } catch (IllegalArgumentException e) {
          throw error(setting, value, e.getMessage(), e);
        }
      } else {
        throw error(setting, tuple.getKeyNode(), "Invalid refresh setting '" + key + "' (known: min-interval,"
            + " schedule; without either the model runs after each commit to a table it reads)");
      }
    }
    if (interval.isPresent() && schedule.isPresent()) {
      throw error(setting, setting.keyNode(), "Invalid refresh: both min-interval and schedule given (give one)");
    }
    return new RefreshPolicy(interval, schedule);
  }

  /** {@code {silver.t: column}} or {@code {silver.t: [a, b]}}: each table must be a silver table the model reads. */
  private static Map<String, List<String>> incrementalBy(Setting setting, Set<String> references) {
    if (!(setting.value() instanceof MappingNode mapping) || mapping.getValue().isEmpty()) {
      throw error(setting, setting.value(), "Invalid " + INCREMENTAL_BY + ": expected each silver table the model"
          + " reads and its columns giving the unique key, like {silver.orders: client_id}, found "
          + describe(setting.value()));
    }
    Map<String, List<String>> byTable = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      String table = scalar(setting, tuple.getKeyNode()).strip().toLowerCase(Locale.ROOT);
      if (!table.startsWith(Model.SILVER + ".") || table.indexOf('.') != table.lastIndexOf('.')) {
        throw error(setting, tuple.getKeyNode(), "Invalid " + INCREMENTAL_BY + " table '" + table
            + "' (name a silver table the model reads, like silver.orders)");
      }
      if (!references.contains(table)) {
        throw error(setting, tuple.getKeyNode(), "Invalid " + INCREMENTAL_BY + " table '" + table
            + "': the model does not read it (it reads " + String.join(", ", references) + ")");
      }
      if (byTable.put(table, names(setting, tuple.getValueNode())) != null) {
        throw error(setting, tuple.getKeyNode(), "Invalid " + INCREMENTAL_BY + ": " + table
            + " is listed twice (keep one)");
      }
    }
    return byTable;
  }

  private static Duration duration(Setting setting, Node node) {
    String text = scalar(setting, node).strip();
    Matcher matcher = DURATION.matcher(text.toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    throw error(setting, node, "Invalid " + MIN_INTERVAL + " '" + text + "' (use a number with ms, s, m, h or d,"
        + " like 10s or 5m)");
  }

  private static List<ModelTest> tests(Setting setting) {
    if (!(setting.value() instanceof SequenceNode sequence)) {
      throw error(setting, setting.value(), "Invalid tests: expected a list (- not_null: column), found "
          + describe(setting.value()));
    }
    List<ModelTest> tests = new ArrayList<>();
    int customs = 0;
    for (Node item : sequence.getValue()) {
      if (!(item instanceof MappingNode mapping) || mapping.getValue().size() != 1) {
        throw error(setting, item, "Invalid test: expected one kind and its arguments, like - not_null: id"
            + " (kinds: not_null, unique, accepted_values, relationships, sql, sql-file)");
      }
      NodeTuple tuple = mapping.getValue().get(0);
      String kind = scalar(setting, tuple.getKeyNode());
      Node value = tuple.getValueNode();
      try {
        switch (kind) {
          case "not_null" -> names(setting, value).forEach(column -> tests.add(new ModelTest.NotNull(column)));
          case "unique" -> tests.add(new ModelTest.Unique(names(setting, value)));
          case "accepted_values" -> {
            Map<String, Node> arguments = arguments(setting, value, kind, List.of("column", "values"));
            tests.add(new ModelTest.AcceptedValues(scalar(setting, arguments.get("column")),
                names(setting, arguments.get("values"))));
          }
          case "relationships" -> {
            Map<String, Node> arguments = arguments(setting, value, kind, List.of("column", "to"));
            Node to = arguments.get("to");
            String target = scalar(setting, to);
            int dot = target.lastIndexOf('.');
            if (dot <= 0 || target.indexOf('.') == dot) {
              throw error(setting, to, "Invalid relationships target '" + target
                  + "' (write namespace.table.column, like silver.clients.id)");
            }
            tests.add(new ModelTest.Relationships(scalar(setting, arguments.get("column")),
                target.substring(0, dot).toLowerCase(Locale.ROOT), target.substring(dot + 1)));
          }
          case "sql" -> tests.add(new ModelTest.CustomSql("#" + ++customs, scalar(setting, value), Optional.empty()));
          case "sql-file" -> {
            String relative = scalar(setting, value);
            Path file = setting.file().resolveSibling(relative);
            if (!Files.isRegularFile(file)) {
              throw error(setting, value, "Invalid sql-file test: " + file + " does not exist"
                  + " (paths are relative to the model's directory)");
            }
            customs++;
            tests.add(new ModelTest.CustomSql(relative, readText(file), Optional.of(file.toString())));
          }
          default -> throw error(setting, tuple.getKeyNode(), "Invalid test kind '" + kind
              + "' (kinds: not_null, unique, accepted_values, relationships, sql, sql-file)");
        }
      } catch (IllegalArgumentException e) {
        throw error(setting, tuple.getKeyNode(), e.getMessage(), e);
      }
    }
    return tests;
  }

  private static Map<String, Node> arguments(Setting setting, Node node, String kind, List<String> required) {
    if (!(node instanceof MappingNode mapping)) {
      throw error(setting, node, "Invalid " + kind + " test: expected {" + String.join(": ..., ", required)
          + ": ...}, found " + describe(node));
    }
    Map<String, Node> arguments = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      String key = scalar(setting, tuple.getKeyNode());
      if (!required.contains(key)) {
        throw error(setting, tuple.getKeyNode(), "Invalid " + kind + " argument '" + key + "' (known: "
            + String.join(", ", required) + ")");
      }
      arguments.put(key, tuple.getValueNode());
    }
    for (String key : required) {
      if (!arguments.containsKey(key)) {
        throw error(setting, node, "Invalid " + kind + " test: " + key + " is missing");
      }
    }
    return arguments;
  }

  /** A scalar, or a list of scalars; a scalar may list names separated by commas. */
  private static List<String> names(Setting setting, Node node) {
    List<String> names = new ArrayList<>();
    if (node instanceof SequenceNode sequence) {
      for (Node item : sequence.getValue()) {
        names.add(scalar(setting, item));
      }
    } else {
      for (String part : scalar(setting, node).split(",")) {
        if (!part.isBlank()) {
          names.add(part.strip());
        }
      }
    }
    if (names.isEmpty()) {
      throw error(setting, node, "Invalid " + setting.key() + ": no value given");
    }
    return names;
  }

  private static String scalar(Setting setting, Node node) {
    if (node instanceof ScalarNode scalar) {
      return scalar.getValue();
    }
    throw error(setting, node, "Invalid " + setting.key() + ": expected a single value, found " + describe(node));
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "'" + ((ScalarNode) node).getValue() + "'";
  }

  private static ModelException error(Setting setting, Node node, String problem) {
    return ModelException.at(setting.file(), setting.line(node), problem);
  }

  private static ModelException error(Setting setting, Node node, String problem, Throwable cause) {
    return ModelException.at(setting.file(), setting.line(node), problem, cause);
  }
}
