package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads one configuration file into a {@link TributaryConfig}, stopping at the first error. */
final class ConfigLoader {
  private static final String DOCS = "see docs/configuration.md";

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
    top.rejectUnknown(List.of(ConfigKeys.NAME.name(), ConfigKeys.MODELS.name(), ConfigKeys.LAKE, ConfigKeys.SOURCES));
    String name = top.find(ConfigKeys.NAME).orElseGet(this::nameFromFile);
    LakeConfig lake = lake(top.section(ConfigKeys.LAKE));
    Map<String, SourceConfig> sources = sources(name, top.section(ConfigKeys.SOURCES));
    Optional<Path> models = top.find(ConfigKeys.MODELS);
    return new TributaryConfig(name, file, lake, sources, models);
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

  private LakeConfig lake(Section section) {
    section.rejectUnknownKeys(ConfigKeys.lake());
    return new LakeConfig(
        section.get(ConfigKeys.LAKE_WAREHOUSE),
        section.get(ConfigKeys.LAKE_COMMIT_INTERVAL),
        section.get(ConfigKeys.LAKE_MAX_BATCH_CHANGES),
        section.get(ConfigKeys.LAKE_QUEUE_CAPACITY));
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
