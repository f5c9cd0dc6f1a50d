package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads one configuration file into a {@link TributaryConfig}, stopping at the first error. */
final class ConfigLoader {
  private static final String DOCS = "see docs/configuration.md";
  private static final Pattern LAKE_TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Path file;
  private final ConfigContext context;

  ConfigLoader(Path file, Map<String, String> environment) {
    requireNonNull(file, "file is null");
    requireNonNull(environment, "environment is null");
    this.file = file.toAbsolutePath().normalize();
    this.context = new ConfigContext(this.file, Map.copyOf(environment));
  }

  TributaryConfig load() {
    Node root = compose(read());
    if (root == null) {
      throw fileError("Cannot load configuration file " + file
          + ": the file is empty (add a lake section and at least one source; " + DOCS + ")", OptionalInt.empty());
    }
    Section top = Section.root(context, root);
    top.rejectUnknown(List.of(ConfigKeys.NAME.name(), ConfigKeys.MODELS.name(), ConfigKeys.LAKE, ConfigKeys.SOURCES,
        ConfigKeys.TABLES, ConfigKeys.CHECKS, ConfigKeys.ALERTS, ConfigKeys.SERVER));
    String name = top.find(ConfigKeys.NAME).orElseGet(this::nameFromFile);
    LakeConfig lake = lake(top.section(ConfigKeys.LAKE));
    Section sourcesSection = top.section(ConfigKeys.SOURCES);
    Map<String, SourceConfig> sources = sources(name, sourcesSection);
    Optional<Path> models = top.find(ConfigKeys.MODELS);
    Map<String, TableConfig> tables = top.names().contains(ConfigKeys.TABLES)
        ? tables(top.section(ConfigKeys.TABLES))
        : Map.of();
    for (SourceConfig source : sources.values()) {
      if (source instanceof FeedSourceConfig feed) {
        checkFeedKey(feed, sourcesSection, tables);
      }
    }
    ChecksConfig checks = top.names().contains(ConfigKeys.CHECKS) ? checks(top.section(ConfigKeys.CHECKS))
        : ChecksConfig.NONE;
    AlertsConfig alerts = top.names().contains(ConfigKeys.ALERTS) ? alerts(top.section(ConfigKeys.ALERTS))
        : AlertsConfig.NONE;
    ServerConfig server = top.value(ConfigKeys.SERVER).isPresent() ? server(top.section(ConfigKeys.SERVER))
        : ServerConfig.defaults();
    return new TributaryConfig(name, file, lake, sources, tables, models, checks, alerts, server);
  }

  private ServerConfig server(Section section) {
    section.rejectUnknownKeys(ConfigKeys.server());
    ListenAddress listen = section.get(ConfigKeys.SERVER_LISTEN);
    Optional<Secret> token = section.find(ConfigKeys.SERVER_TOKEN);
    if (token.isPresent() && token.get().reveal().isBlank()) {
      throw context.error("Invalid value for", section.child(ConfigKeys.SERVER_TOKEN.name()),
          section.keyLine(ConfigKeys.SERVER_TOKEN.name()), "the token is empty",
          "set it to a long random value, such as the output of openssl rand -hex 32");
    }
    if (token.isEmpty() && !listen.isLoopback()) {
      throw context.error("Missing value for", section.child(ConfigKeys.SERVER_TOKEN.name()),
          section.keyLine(ConfigKeys.SERVER_LISTEN.name()),
          "server.listen is " + listen + ", which other machines can reach, so every call must carry a token",
          "set server.token: ${env:TRIBUTARY_TOKEN} or listen on 127.0.0.1");
    }
    return new ServerConfig(section.get(ConfigKeys.SERVER_ENABLED), listen, token,
        section.get(ConfigKeys.SERVER_SQL_TIMEOUT), section.get(ConfigKeys.SERVER_SQL_MAX_ROWS));
  }

  private String read() {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw fileError("Cannot read configuration file " + file + ": it does not exist (check the path)", e);
    } catch (CharacterCodingException e) {
      throw fileError("Cannot read configuration file " + file + ": it is not UTF-8 text (save it as UTF-8)", e);
    } catch (IOException e) {
      String problem = Files.isDirectory(file) ? "it is a directory (name the .yaml file itself)"
          : e + " (check that the tributary process may read it)";
      throw fileError("Cannot read configuration file " + file + ": " + problem, e);
    }
  }

  private Node compose(String text) {
    try {
      return new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      if (mark == null) {
        throw fileError("Invalid YAML in " + file + ": " + e.getProblem() + " (fix the syntax)", e);
      }
      int line = mark.getLine() + 1;
      String problem = e.getProblem();
      if (e.getContext() != null) {
        Mark start = e.getContextMark();
        // An unclosed quote or bracket is found at the end of the file; where it started is what helps.
        String where = start != null && start.getLine() != mark.getLine()
            ? " (started at line " + (start.getLine() + 1) + ", column " + (start.getColumn() + 1) + ")"
            : "";
        problem = e.getContext() + where + ", " + problem;
      }
      throw new ConfigException("Invalid YAML at line " + line + ", column " + (mark.getColumn() + 1) + " of "
          + file + ": " + problem + " (fix the syntax there: check indentation, quotes and the space after ':')",
          file, Optional.empty(), OptionalInt.of(line), e);
    } catch (YAMLException e) {
      throw fileError("Invalid YAML in " + file + ": " + e.getMessage() + " (fix the file)", e);
    }
  }

  /** A file called {@code tributary.yaml} configures the pipeline {@code tributary}. */
  private String nameFromFile() {
    String fileName = file.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    String name = (dot > 0 ? fileName.substring(0, dot) : fileName).toLowerCase(Locale.ROOT);
    if (!TributaryConfig.NAME_PATTERN.matcher(name).matches()) {
      throw new ConfigException("Invalid pipeline name '" + name + "' taken from the name of " + file
          + " (add name: with a letter followed by letters, digits or _, or rename the file)",
          file, Optional.of(ConfigKeys.NAME.name()), OptionalInt.empty());
    }
    return name;
  }

  private static ChecksConfig checks(Section section) {
    section.rejectUnknownKeys(ConfigKeys.checks());
    return new ChecksConfig(section.find(ConfigKeys.CHECKS_INTERVAL));
  }

  private AlertsConfig alerts(Section section) {
    List<String> known = new java.util.ArrayList<>(ConfigKeys.alerts().stream().map(ConfigKey::name).toList());
    known.add(ConfigKeys.ALERT_TARGETS);
    section.rejectUnknown(known);
    Map<String, AlertTargetConfig> targets = new LinkedHashMap<>();
    if (section.names().contains(ConfigKeys.ALERT_TARGETS)) {
      Section all = section.section(ConfigKeys.ALERT_TARGETS);
      for (String name : all.names()) {
        Section target = Section.of(all.value(name).orElseThrow(), all.keyLine(name));
        target.rejectUnknownKeys(ConfigKeys.alertTarget());
        AlertTargetConfig.AlertTargetType type = target.get(ConfigKeys.TARGET_TYPE);
        Optional<Secret> url = target.find(ConfigKeys.TARGET_URL);
        Optional<Secret> token = target.find(ConfigKeys.TARGET_TOKEN);
        Optional<String> chatId = target.find(ConfigKeys.TARGET_CHAT_ID);
        if (type == AlertTargetConfig.AlertTargetType.TELEGRAM) {
          if (token.isEmpty()) {
            throw target.missing(ConfigKeys.TARGET_TOKEN.name());
          }
          if (chatId.isEmpty()) {
            throw target.missing(ConfigKeys.TARGET_CHAT_ID.name());
          }
          url = Optional.of(url.orElse(Secret.of("https://api.telegram.org")));
        } else if (url.isEmpty()) {
          throw target.missing(ConfigKeys.TARGET_URL.name());
        }
        targets.put(name, new AlertTargetConfig(name, type, url.get(), token, chatId));
      }
    }
    return new AlertsConfig(section.get(ConfigKeys.ALERTS_LAG), targets);
  }

  private LakeConfig lake(Section section) {
    List<String> known = new ArrayList<>();
    ConfigKeys.lake().forEach(key -> known.add(key.name()));
    known.add(ConfigKeys.MAINTENANCE);
    section.rejectUnknown(known);
    return new LakeConfig(
        section.get(ConfigKeys.LAKE_WAREHOUSE),
        section.get(ConfigKeys.LAKE_COMMIT_INTERVAL),
        section.get(ConfigKeys.LAKE_MAX_BATCH_CHANGES),
        section.get(ConfigKeys.LAKE_QUEUE_CAPACITY),
        section.get(ConfigKeys.LAKE_MAX_BATCH_BYTES),
        section.get(ConfigKeys.LAKE_QUEUE_BYTES),
        section.get(ConfigKeys.LAKE_HISTORY_MEMORY),
        maintenance(section));
  }

  private MaintenanceConfig maintenance(Section lake) {
    Optional<ConfigValue> value = lake.value(ConfigKeys.MAINTENANCE);
    if (value.isEmpty() || Section.isNull(value.get().node())) {
      return MaintenanceConfig.defaults();
    }
    Section section = Section.of(value.get(), lake.keyLine(ConfigKeys.MAINTENANCE));
    section.rejectUnknownKeys(ConfigKeys.maintenance());
    Duration orphanAge = section.get(ConfigKeys.MAINTENANCE_ORPHAN_AGE);
    if (orphanAge.compareTo(MaintenanceConfig.MIN_ORPHAN_AGE) < 0) {
      ConfigValue age = section.value(ConfigKeys.MAINTENANCE_ORPHAN_AGE.name()).orElseThrow();
      throw age.invalid("'" + age.text("a duration").trim() + "' is too short: a younger file may belong to a commit "
          + "being written", "use at least 1h");
    }
    return new MaintenanceConfig(
        section.get(ConfigKeys.MAINTENANCE_ENABLED),
        section.get(ConfigKeys.MAINTENANCE_INTERVAL),
        section.get(ConfigKeys.MAINTENANCE_MIN_INPUT_FILES),
        section.get(ConfigKeys.MAINTENANCE_TARGET_FILE_SIZE),
        section.get(ConfigKeys.MAINTENANCE_SNAPSHOT_RETENTION),
        section.get(ConfigKeys.MAINTENANCE_MIN_SNAPSHOTS),
        orphanAge);
  }

  private Map<String, SourceConfig> sources(String pipeline, Section section) {
    if (section.names().isEmpty()) {
      throw context.error("No source in", section.key(), section.line(), "",
          "add at least one, for example sources.shop with type: postgres; " + DOCS);
    }
    LakeTableNames lakeTables = new LakeTableNames(context);
    Map<String, SourceConfig> sources = new LinkedHashMap<>();
    for (String name : section.names()) {
      ConfigValue value = section.value(name).orElseThrow();
      if (!TributaryConfig.NAME_PATTERN.matcher(name).matches()) {
        String fixed = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        throw context.error("Invalid source name", value.key(), section.keyLine(name),
            "a source name is a lower-case letter followed by lower-case letters, digits or _",
            TributaryConfig.NAME_PATTERN.matcher(fixed).matches() ? "rename it to " + fixed : "rename it");
      }
      Section source = Section.of(value, section.keyLine(name));
      SourceType type = type(source);
      source.rejectUnknownKeys(type.keys());
      sources.put(name, type.read(pipeline, name, source, lakeTables));
    }
    return sources;
  }

  private Map<String, TableConfig> tables(Section section) {
    Map<String, TableConfig> tables = new LinkedHashMap<>();
    for (String name : section.names()) {
      ConfigValue value = section.value(name).orElseThrow();
      if (!LAKE_TABLE.matcher(name).matches()) {
        throw context.error("Invalid table name", value.key(), section.keyLine(name),
            "a lake table name is a letter or _ followed by letters, digits or _",
            "use the name the table has in bronze and silver");
      }
      tables.put(name, table(name, Section.of(value, section.keyLine(name))));
    }
    return tables;
  }

  private TableConfig table(String name, Section table) {
    List<String> known = new ArrayList<>(ConfigKeys.table().stream().map(ConfigKey::name).toList());
    known.add(ConfigKeys.HISTORY);
    table.rejectUnknown(known);
    HistoryConfig history = HistoryConfig.DEFAULT;
    if (table.names().contains(ConfigKeys.HISTORY)) {
      Section section = table.section(ConfigKeys.HISTORY);
      section.rejectUnknownKeys(ConfigKeys.history());
      history = new HistoryConfig(section.get(ConfigKeys.HISTORY_ENABLED),
          section.find(ConfigKeys.HISTORY_EFFECTIVE_FROM), section.find(ConfigKeys.HISTORY_TRACK).orElse(List.of()));
    }
    Map<String, String> rename = table.find(ConfigKeys.TABLE_RENAME).orElse(Map.of());
    Map<String, CastType> cast = table.find(ConfigKeys.TABLE_CAST).orElse(Map.of());
    List<String> drop = table.find(ConfigKeys.TABLE_DROP).orElse(List.of());
    List<String> mask = table.find(ConfigKeys.TABLE_MASK).orElse(List.of());
    Map<String, String> computed = table.find(ConfigKeys.TABLE_COMPUTED).orElse(Map.of());
    Optional<Secret> salt = table.find(ConfigKeys.TABLE_MASK_SALT);
    List<String> key = table.find(ConfigKeys.TABLE_KEY).orElse(List.of());

    for (String column : drop) {
      String conflict = rename.containsKey(column) ? ConfigKeys.TABLE_RENAME.name()
          : cast.containsKey(column) ? ConfigKeys.TABLE_CAST.name()
          : mask.contains(column) ? ConfigKeys.TABLE_MASK.name()
          : key.contains(column) ? ConfigKeys.TABLE_KEY.name()
          : null;
      if (conflict != null) {
        throw conflict(table, ConfigKeys.TABLE_DROP, "column " + column + " is dropped but also listed in "
            + conflict, "a dropped column is not in silver: remove it from one of the two");
      }
    }
    for (String column : mask) {
      if (cast.containsKey(column)) {
        throw conflict(table, ConfigKeys.TABLE_MASK, "column " + column + " is masked and also cast to "
            + cast.get(column), "a masked column holds the text of a hash: remove its cast");
      }
    }
    if (!mask.isEmpty() && salt.isEmpty()) {
      throw context.error("Missing required key", table.child(ConfigKeys.TABLE_MASK_SALT.name()), table.line(),
          "", "masking needs a salt: add mask-salt: ${env:NAME} under " + table.key());
    }
    Map<String, String> added = new LinkedHashMap<>();
    rename.forEach((column, target) -> {
      String first = added.putIfAbsent(target, column);
      if (first != null) {
        throw conflict(table, ConfigKeys.TABLE_RENAME, "columns " + first + " and " + column
            + " are both renamed to " + target, "give them different names");
      }
    });
    for (String column : computed.keySet()) {
      if (added.containsKey(column)) {
        throw conflict(table, ConfigKeys.TABLE_COMPUTED, "computed column " + column + " has the name that column "
            + added.get(column) + " is renamed to", "give the computed column another name");
      }
    }
    Optional<String> deleteWhen = table.find(ConfigKeys.TABLE_DELETE_WHEN);
    if (deleteWhen.isPresent()) {
      try {
        io.tributary.core.feed.RecordCondition.parse(deleteWhen.get());
      } catch (IllegalArgumentException e) {
        throw context.error("Invalid value for", table.child(ConfigKeys.TABLE_DELETE_WHEN.name()),
            table.keyLine(ConfigKeys.TABLE_DELETE_WHEN.name()), e.getMessage(), "see docs/sources.md for what a "
                + "condition may hold");
      }
    }
    ShapeConfig shape = new ShapeConfig(rename, cast, drop, mask, computed, salt);
    return new TableConfig(name, key, table.find(ConfigKeys.TABLE_SEQUENCE_BY), deleteWhen, history, shape);
  }

  /** A feed's records carry no primary key: the table's key must be configured, unless the source brings one. */
  private void checkFeedKey(FeedSourceConfig feed, Section sources, Map<String, TableConfig> tables) {
    TableConfig table = tables.get(feed.table());
    boolean keyFromEvents = feed instanceof KafkaSourceConfig kafka && kafka.format() == KafkaSourceConfig.Format.DEBEZIUM;
    if ((table != null && !table.key().isEmpty()) || !feed.defaultKey().isEmpty() || keyFromEvents) {
      return;
    }
    throw context.error("Missing required key", ConfigKeys.TABLES + "." + feed.table() + "." + ConfigKeys.TABLE_KEY.name(),
        sources.keyLine(feed.name()), "source " + feed.name() + " (type " + feed.type() + ") writes lake table "
            + feed.table() + ", and a feed's records need the columns that identify them",
        "add tables: {" + feed.table() + ": {key: [column, ...]}}");
  }

  private ConfigException conflict(Section table, ConfigKey<?> key, String problem, String fix) {
    return context.error("Invalid value for", table.child(key.name()), table.keyLine(key.name()), problem, fix);
  }

  private SourceType type(Section source) {
    String name = source.get(ConfigKeys.SOURCE_TYPE);
    return SourceTypes.find(name).orElseThrow(() -> {
      String known = String.join(", ", SourceTypes.names());
      String fix = Suggestions.closest(name, SourceTypes.names())
          .map(suggestion -> "did you mean " + suggestion + "? known types: " + known)
          .orElse("use one of: " + known);
      ConfigValue value = source.value(ConfigKeys.SOURCE_TYPE.name()).orElseThrow();
      return value.invalid("unknown source type '" + name + "'", fix);
    });
  }

  private ConfigException fileError(String message, Exception cause) {
    return new ConfigException(message, file, Optional.empty(), OptionalInt.empty(), cause);
  }

  private ConfigException fileError(String message, OptionalInt line) {
    return new ConfigException(message, file, Optional.empty(), line);
  }
}
