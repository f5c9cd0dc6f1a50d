package io.tributary.core.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The value types keys can have. */
final class ValueTypes {
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+(_[0-9]+)*");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m|h|d)");
  private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");
  private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_$]*";
  private static final Pattern TABLE = Pattern.compile("(?:(" + IDENTIFIER + ")\\.)?(" + IDENTIFIER + ")");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_]*");
  private static final Pattern SLOT = Pattern.compile("[a-z0-9_]+");
  private static final Pattern PUBLICATION = Pattern.compile(IDENTIFIER);
  /** PostgreSQL truncates longer names (NAMEDATALEN - 1), which would silently change them. */
  static final int MAX_POSTGRES_NAME = 63;
  static final String DEFAULT_SCHEMA = "public";

  private ValueTypes() {}

  /** A non-empty string. */
  static ValueType<String> text() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "string";
      }

      @Override
      public String parse(ConfigValue value) {
        String text = value.text("a string");
        if (text.isEmpty()) {
          throw value.invalid("the value is empty", "set a value or remove the key");
        }
        return text;
      }
    };
  }

  /** A pipeline name; upper case is folded so {@code Bench} and {@code bench} name the same pipeline. */
  static ValueType<String> pipelineName() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "name";
      }

      @Override
      public String parse(ConfigValue value) {
        String text = value.text("a name");
        String name = text.toLowerCase(Locale.ROOT);
        if (!TributaryConfig.NAME_PATTERN.matcher(name).matches()) {
          throw value.invalid("'" + text + "' is not a valid pipeline name",
              "use a letter followed by letters, digits or _");
        }
        return name;
      }
    };
  }

  /** A whole number from {@code min} to {@code max}. */
  static ValueType<Integer> integer(int min, int max) {
    String range = max == Integer.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
    return new ValueType<>() {
      @Override
      public String description() {
        return max == Integer.MAX_VALUE ? "integer, at least " + min : "integer, " + min + " to " + max;
      }

      @Override
      public Integer parse(ConfigValue value) {
        String text = value.text("a whole number").trim();
        String fix = "use a whole number " + range;
        if (!INTEGER.matcher(text).matches()) {
          throw value.invalid("'" + text + "' is not a whole number", fix);
        }
        long number;
        try {
          number = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
          throw value.invalid(text + " is out of range", fix);
        }
        if (number < min || number > max) {
          throw value.invalid(text + " is out of range", fix);
        }
        return (int) number;
      }
    };
  }

  /**
   * A positive duration: a whole number and a unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}.
   * A bare number is refused: half the tools out there read it as seconds and half as milliseconds.
   */
  static ValueType<Duration> duration() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "duration";
      }

      @Override
      public Duration parse(ConfigValue value) {
        String text = value.text("a duration").trim();
        String fix = "use a whole number with a unit: ms, s, m, h or d, for example 500ms, 2s, 5m, 1h";
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
          if (INTEGER.matcher(text).matches()) {
            throw value.invalid("'" + text + "' has no unit",
                "write " + text + "s for seconds or " + text + "ms for milliseconds");
          }
          throw value.invalid("'" + text + "' is not a duration", fix);
        }
        long amount = Long.parseLong(matcher.group(1));
        if (amount == 0) {
          throw value.invalid("the duration is zero", "use a positive duration, for example 1s");
        }
        switch (matcher.group(2)) {
          case "ms":
            return Duration.ofMillis(amount);
          case "s":
            return Duration.ofSeconds(amount);
          case "m":
            return Duration.ofMinutes(amount);
          case "h":
            return Duration.ofHours(amount);
          default:
            return Duration.ofDays(amount);
        }
      }

      @Override
      public String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 86_400_000 == 0) {
          return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
          return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
          return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
          return millis / 1000 + "s";
        }
        return millis + "ms";
      }
    };
  }

  /** A local directory; a relative path resolves against the directory of the configuration file. */
  static ValueType<Path> directory() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "path";
      }

      @Override
      public Path parse(ConfigValue value) {
        String text = value.text("a path");
        if (text.isBlank()) {
          throw value.invalid("the path is empty", "set a directory path");
        }
        if (URI.matcher(text).matches()) {
          throw value.invalid("'" + text + "' is a URI, but only local directories are supported so far",
              "use a local directory path");
        }
        try {
          return value.context().directory().resolve(text).normalize();
        } catch (InvalidPathException e) {
          throw value.invalid("'" + text + "' is not a valid path: " + e.getReason(), "use a directory path");
        }
      }
    };
  }

  /** {@code host:port}, such as {@code 127.0.0.1:8080}; see {@link ListenAddress}. */
  static ValueType<ListenAddress> listenAddress() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "host:port";
      }

      @Override
      public ListenAddress parse(ConfigValue value) {
        String text = value.text("host:port").trim();
        try {
          return ListenAddress.parse(text);
        } catch (IllegalArgumentException e) {
          String message = e.getMessage();
          String problem = message.substring(message.indexOf(": ") + 2);
          throw value.invalid("'" + text + "': " + problem.replace(", such as 127.0.0.1:8080", ""),
              "write host:port, such as 127.0.0.1:8080 or [::1]:8080");
        }
      }
    };
  }

  /** A string that never appears in logs; see {@link Secret}. */
  static ValueType<Secret> secret() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "secret";
      }

      @Override
      public Secret parse(ConfigValue value) {
        return Secret.of(value.text("a string"));
      }

      @Override
      public String format(Secret secret) {
        return secret.toString();
      }
    };
  }

  /** The spelling of an enum constant in lower case, such as {@code initial}. */
  static <E extends Enum<E>> ValueType<E> choice(Class<E> type) {
    Map<String, E> byName = new HashMap<>();
    for (E constant : type.getEnumConstants()) {
      byName.put(constant.name().toLowerCase(Locale.ROOT), constant);
    }
    String names = Arrays.stream(type.getEnumConstants())
        .map(constant -> constant.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
    return new ValueType<>() {
      @Override
      public String description() {
        return "one of " + names;
      }

      @Override
      public E parse(ConfigValue value) {
        String text = value.text("one of " + names).trim();
        E constant = byName.get(text);
        if (constant == null) {
          throw value.invalid("'" + text + "' is not one of " + names, "use one of: " + names);
        }
        return constant;
      }

      @Override
      public String format(E constant) {
        return constant.name().toLowerCase(Locale.ROOT);
      }
    };
  }

  /** An amount of bytes with a unit: {@code 512MB}, {@code 1GB}, {@code 2TB} (powers of 1024). */
  static ValueType<Long> size() {
    Pattern form = Pattern.compile("([0-9]{1,12})(B|kB|KB|MB|GB|TB)");
    return new ValueType<>() {
      @Override
      public String description() {
        return "size";
      }

      @Override
      public Long parse(ConfigValue value) {
        String text = value.text("a size").trim();
        Matcher matcher = form.matcher(text);
        if (!matcher.matches()) {
          throw value.invalid("'" + text + "' is not a size",
              "use a whole number with a unit: B, kB, MB, GB or TB, for example 512MB or 2GB");
        }
        long amount = Long.parseLong(matcher.group(1));
        int shift = switch (matcher.group(2)) {
          case "B" -> 0;
          case "kB", "KB" -> 10;
          case "MB" -> 20;
          case "GB" -> 30;
          default -> 40;
        };
        if (amount == 0) {
          throw value.invalid("the size is zero", "use a positive size, for example 1GB");
        }
        if (amount > (Long.MAX_VALUE >> shift)) {
          throw value.invalid(text + " is out of range", "use a smaller size");
        }
        return amount << shift;
      }

      @Override
      public String format(Long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        int unit = 0;
        long amount = bytes;
        while (unit < units.length - 1 && amount % 1024 == 0 && amount >= 1024) {
          amount /= 1024;
          unit++;
        }
        return amount + units[unit];
      }
    };
  }

  /** An enum constant spelled in lower case with {@code -} between words, such as {@code pause-and-alert}. */
  static <E extends Enum<E>> ValueType<E> hyphenatedChoice(Class<E> type) {
    Map<String, E> byName = new HashMap<>();
    for (E constant : type.getEnumConstants()) {
      byName.put(hyphenated(constant), constant);
    }
    String names = Arrays.stream(type.getEnumConstants()).map(ValueTypes::hyphenated)
        .collect(Collectors.joining(", "));
    return new ValueType<>() {
      @Override
      public String description() {
        return "one of " + names;
      }

      @Override
      public E parse(ConfigValue value) {
        String text = value.text("one of " + names).trim();
        E constant = byName.get(text);
        if (constant == null) {
          throw value.invalid("'" + text + "' is not one of " + names, "use one of: " + names);
        }
        return constant;
      }

      @Override
      public String format(E constant) {
        return hyphenated(constant);
      }
    };
  }

  private static String hyphenated(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** A table name prefix: letters, digits and {@code _}, possibly empty. */
  static ValueType<String> prefix() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "string of letters, digits, _";
      }

      @Override
      public String parse(ConfigValue value) {
        String text = value.text("a string");
        if (!PREFIX.matcher(text).matches()) {
          throw value.invalid("'" + text + "' is not a valid table name prefix", "use only letters, digits and _");
        }
        return text;
      }

      @Override
      public String format(String prefix) {
        return "\"" + prefix + "\"";
      }
    };
  }

  /** A replication slot name, as PostgreSQL allows it. */
  static ValueType<String> slotName() {
    return postgresName("replication slot", SLOT, "lower-case letters, digits and _");
  }

  /** A publication name, as PostgreSQL allows it without quotes. */
  static ValueType<String> publicationName() {
    return postgresName("publication", PUBLICATION, "a letter or _ followed by letters, digits, _ or $");
  }

  private static ValueType<String> postgresName(String what, Pattern pattern, String allowed) {
    return new ValueType<>() {
      @Override
      public String description() {
        return what + " name";
      }

      @Override
      public String parse(ConfigValue value) {
        String text = value.text("a " + what + " name");
        if (!pattern.matcher(text).matches() || text.length() > MAX_POSTGRES_NAME) {
          throw value.invalid("'" + text + "' is not a valid " + what + " name",
              "use at most " + MAX_POSTGRES_NAME + " characters: " + allowed);
        }
        return text;
      }
    };
  }

  /** A non-empty list of tables, each {@code schema.table} or {@code table} (meaning {@code public.table}). */
  static ValueType<List<TableRef>> tables() {
    return tables(DEFAULT_SCHEMA);
  }

  /**
   * Tables written {@code database.table} or {@code table}; a bare table gets an empty schema, for
   * the source type to complete from its {@code database} key.
   */
  static ValueType<List<TableRef>> databaseTables() {
    return tables("");
  }

  private static ValueType<List<TableRef>> tables(String defaultSchema) {
    return new ValueType<>() {
      @Override
      public String description() {
        return "list of tables";
      }

      @Override
      public List<TableRef> parse(ConfigValue value) {
        List<ConfigValue> elements = value.elements("a list of tables", "write tables: [schema.table, ...]");
        if (elements.isEmpty()) {
          throw value.invalid("the list is empty", "list at least one table as schema.table");
        }
        List<TableRef> tables = new ArrayList<>();
        Map<String, TableRef> seen = new HashMap<>();
        for (ConfigValue element : elements) {
          String text = element.text("a table name").trim();
          Matcher matcher = TABLE.matcher(text);
          if (!matcher.matches()) {
            throw element.invalid("'" + text + "' is not a table name",
                "use schema.table or table; each part a letter or _ followed by letters, digits, _ or $");
          }
          String schema = matcher.group(1) == null ? defaultSchema : matcher.group(1);
          TableRef table = new TableRef(schema, matcher.group(2), element.key(), element.line());
          TableRef first = seen.putIfAbsent(table.qualifiedName(), table);
          if (first != null) {
            throw element.context().error("Duplicate table", element.key(), element.line(),
                table.qualifiedName() + " is already listed as " + first.key() + " at line " + first.line(),
                "remove one of them");
          }
          tables.add(table);
        }
        return tables;
      }

      @Override
      public String format(List<TableRef> tables) {
        return tables.stream().map(TableRef::qualifiedName).collect(Collectors.joining(", ", "[", "]"));
      }
    };
  }

  private static final Pattern COLUMN = Pattern.compile(IDENTIFIER);

  /** {@code true} or {@code false}. */
  static ValueType<Boolean> bool() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "true or false";
      }

      @Override
      public Boolean parse(ConfigValue value) {
        String text = value.text("true or false").trim().toLowerCase(Locale.ROOT);
        return switch (text) {
          case "true", "yes", "on" -> true;
          case "false", "no", "off" -> false;
          default -> throw value.invalid("'" + text + "' is not true or false", "write true or false");
        };
      }
    };
  }

  /** A column name of the source: a letter or _ followed by letters, digits, _ or $. */
  static ValueType<String> column() {
    return columnName(false);
  }

  /** A column name Tributary adds to a lake table: not {@code _}-prefixed, which its own columns are. */
  static ValueType<String> newColumn() {
    return columnName(true);
  }

  private static ValueType<String> columnName(boolean added) {
    return new ValueType<>() {
      @Override
      public String description() {
        return "column name";
      }

      @Override
      public String parse(ConfigValue value) {
        return checkColumn(value.text("a column name").trim(), value, added);
      }
    };
  }

  private static String checkColumn(String name, ConfigValue where, boolean added) {
    if (!COLUMN.matcher(name).matches()) {
      throw where.invalid("'" + name + "' is not a column name",
          "use a letter or _ followed by letters, digits, _ or $");
    }
    if (added && name.startsWith("_")) {
      throw where.invalid("'" + name + "' starts with _, which Tributary keeps for its own columns",
          "choose a name that starts with a letter");
    }
    return name;
  }

  /** A non-empty list of distinct source column names. */
  static ValueType<List<String>> columns() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "list of column names";
      }

      @Override
      public List<String> parse(ConfigValue value) {
        List<ConfigValue> elements = value.elements("a list of column names", "write [column, ...]");
        if (elements.isEmpty()) {
          throw value.invalid("the list is empty", "list at least one column, or remove the key");
        }
        List<String> names = new ArrayList<>();
        for (ConfigValue element : elements) {
          String name = checkColumn(element.text("a column name").trim(), element, false);
          if (names.contains(name)) {
            throw element.invalid("column " + name + " is listed twice", "remove one of them");
          }
          names.add(name);
        }
        return List.copyOf(names);
      }

      @Override
      public String format(List<String> names) {
        return String.join(", ", names);
      }
    };
  }

  /** A type a column is cast to; see {@link CastType}. */
  static ValueType<CastType> castType() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "type";
      }

      @Override
      public CastType parse(ConfigValue value) {
        String text = value.text("a type");
        return CastType.parse(text).orElseThrow(() -> value.invalid("'" + text.trim() + "' is not a type a "
            + "column can be cast to", "use one of: " + CastType.SPELLINGS + " (decimal precision 1 to "
            + CastType.MAX_PRECISION + ")"));
      }
    };
  }

  /**
   * A non-empty mapping from column names to values of {@code values}, in file order, such as
   * {@code rename: {idade: age}}; {@code added} says whether the names are new columns rather than the
   * source's.
   */
  static <V> ValueType<Map<String, V>> columnMap(boolean added, ValueType<V> values, String example) {
    return new ValueType<>() {
      @Override
      public String description() {
        return "mapping of column names to " + values.description() + "s";
      }

      @Override
      public Map<String, V> parse(ConfigValue value) {
        Section section = Section.of(value, value.line());
        if (section.names().isEmpty()) {
          throw value.invalid("the mapping is empty", "write " + example + ", or remove the key");
        }
        Map<String, V> map = new LinkedHashMap<>();
        for (String name : section.names()) {
          ConfigValue entry = section.value(name).orElseThrow();
          map.put(checkColumn(name, entry, added), values.parse(entry));
        }
        return map;
      }
    };
  }

  private static final Pattern HTTP_URL = Pattern.compile("https?://[^\\s]+");
  private static final Pattern LAKE_TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** A lake table name: a letter or _ followed by letters, digits or _. */
  static ValueType<String> lakeTable() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "table name";
      }

      @Override
      public String parse(ConfigValue value) {
        String text = value.text("a table name").trim();
        if (!LAKE_TABLE.matcher(text).matches()) {
          throw value.invalid("'" + text + "' is not a lake table name", "use a letter or _ followed by letters, digits or _");
        }
        return text;
      }
    };
  }

  /** An {@code http://} or {@code https://} URL. */
  static ValueType<String> httpUrl() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "URL";
      }

      @Override
      public String parse(ConfigValue value) {
        String text = value.text("a URL").trim();
        if (!HTTP_URL.matcher(text).matches()) {
          throw value.invalid("'" + text + "' is not an http:// or https:// URL", "write the full URL, such as https://api.example.com/items");
        }
        try {
          java.net.URI.create(text);
        } catch (IllegalArgumentException e) {
          throw value.invalid("'" + text + "' is not a valid URL: " + e.getMessage(), "escape spaces and special characters");
        }
        return text;
      }
    };
  }

  /** One character, such as a CSV delimiter; {@code \\t} stands for a tab. */
  static ValueType<Character> character() {
    return new ValueType<>() {
      @Override
      public String description() {
        return "one character";
      }

      @Override
      public Character parse(ConfigValue value) {
        String text = value.text("one character");
        if (text.equals("\\t")) {
          return '\t';
        }
        if (text.length() != 1) {
          throw value.invalid("'" + text + "' is not one character", "write a single character in quotes, such as \";\" (\\t for a tab)");
        }
        return text.charAt(0);
      }

      @Override
      public String format(Character character) {
        return character == '\t' ? "\\t" : character.toString();
      }
    };
  }

  /** A non-empty mapping of names (such as HTTP headers) to secrets, in file order. */
  static ValueType<Map<String, Secret>> secretMap(String example) {
    return new ValueType<>() {
      @Override
      public String description() {
        return "mapping of names to secrets";
      }

      @Override
      public Map<String, Secret> parse(ConfigValue value) {
        Section section = Section.of(value, value.line());
        if (section.names().isEmpty()) {
          throw value.invalid("the mapping is empty", "write " + example + ", or remove the key");
        }
        Map<String, Secret> map = new LinkedHashMap<>();
        for (String name : section.names()) {
          ConfigValue entry = section.value(name).orElseThrow();
          map.put(name, Secret.of(entry.text("a string")));
        }
        return map;
      }
    };
  }

  /** A whole number of type long, at least {@code min}. */
  static ValueType<Long> longInteger(long min) {
    return new ValueType<>() {
      @Override
      public String description() {
        return "integer, at least " + min;
      }

      @Override
      public Long parse(ConfigValue value) {
        String text = value.text("a whole number").trim();
        String fix = "use a whole number, at least " + min;
        if (!INTEGER.matcher(text).matches()) {
          throw value.invalid("'" + text + "' is not a whole number", fix);
        }
        long number;
        try {
          number = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
          throw value.invalid(text + " is out of range", fix);
        }
        if (number < min) {
          throw value.invalid(text + " is out of range", fix);
        }
        return number;
      }
    };
  }
}
