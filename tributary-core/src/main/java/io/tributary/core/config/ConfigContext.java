package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** The file being loaded and what its values may refer to; builds every located error message. */
final class ConfigContext {
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String REFERENCE_HELP = "use ${env:NAME} or ${file:/path}, or write $${ for a literal ${";

  private final Path file;
  private final Map<String, String> environment;

  ConfigContext(Path file, Map<String, String> environment) {
    this.file = requireNonNull(file, "file is null");
    this.environment = requireNonNull(environment, "environment is null");
  }

  Path file() {
    return file;
  }

  /** Relative paths in the file resolve against this directory, not the working directory. */
  Path directory() {
    return file.getParent();
  }

  static int line(Node node) {
    Mark mark = node.getStartMark();
    return mark == null ? 1 : mark.getLine() + 1;
  }

  /** An error of the form {@code <what> <key> at line <n> of <file>[: <detail>] (<fix>)}. */
  ConfigException error(String what, String key, int line, String detail, String fix) {
    return new ConfigException(message(what, key, line, detail, fix), file, Optional.of(key), OptionalInt.of(line));
  }

  ConfigException error(String what, String key, int line, String detail, String fix, Throwable cause) {
    return new ConfigException(
        message(what, key, line, detail, fix), file, Optional.of(key), OptionalInt.of(line), cause);
  }

  private String message(String what, String key, int line, String detail, String fix) {
    return what + " " + key + " at line " + line + " of " + file + (detail.isEmpty() ? "" : ": " + detail)
        + " (" + fix + ")";
  }

  /** Replaces each {@code ${env:NAME}} and {@code ${file:/path}} in a scalar; {@code $${} stays a literal. */
  String resolve(String text, String key, int line) {
    if (!text.contains("${")) {
      return text;
    }
    StringBuilder resolved = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        resolved.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          throw error("Invalid reference in", key, line, "'${' is not closed by '}'", REFERENCE_HELP);
        }
        resolved.append(lookup(text.substring(i, end + 1), text.substring(i + 2, end), key, line));
        i = end + 1;
      } else {
        resolved.append(text.charAt(i));
        i++;
      }
    }
    return resolved.toString();
  }

  private String lookup(String reference, String body, String key, int line) {
    if (body.startsWith("env:")) {
      String variable = body.substring("env:".length());
      if (!VARIABLE.matcher(variable).matches()) {
        throw error("Invalid reference " + reference + " in", key, line,
            "'" + variable + "' is not an environment variable name", REFERENCE_HELP);
      }
      String value = environment.get(variable);
      if (value == null) {
        throw error("Cannot resolve " + reference + " for", key, line,
            "environment variable " + variable + " is not set",
            "set " + variable + " in the environment that starts tributary");
      }
      return value;
    }
    if (body.startsWith("file:")) {
      return readFile(reference, body.substring("file:".length()), key, line);
    }
    throw error("Invalid reference " + reference + " in", key, line, "unknown kind of reference", REFERENCE_HELP);
  }

  private String readFile(String reference, String name, String key, int line) {
    String fix = "check the path and that the tributary process may read the file";
    if (name.isEmpty()) {
      throw error("Invalid reference " + reference + " in", key, line, "no file named", REFERENCE_HELP);
    }
    Path path;
    try {
      path = directory().resolve(name).normalize();
    } catch (InvalidPathException e) {
      throw error("Cannot resolve " + reference + " for", key, line, "'" + name + "' is not a valid path", fix, e);
    }
    String content;
    try {
      content = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw error("Cannot resolve " + reference + " for", key, line, "file " + path + " does not exist", fix, e);
    } catch (AccessDeniedException e) {
      throw error("Cannot resolve " + reference + " for", key, line, "file " + path + " is not readable", fix, e);
    } catch (CharacterCodingException e) {
      throw error("Cannot resolve " + reference + " for", key, line, "file " + path + " is not UTF-8 text",
          "save the file as UTF-8", e);
    } catch (IOException e) {
      String problem = Files.isDirectory(path) ? "is a directory" : "cannot be read: " + e;
      throw error("Cannot resolve " + reference + " for", key, line, "file " + path + " " + problem, fix, e);
    }
    // Files written by `echo` or editors end with a newline that is never part of the secret.
    if (content.endsWith("\r\n")) {
      return content.substring(0, content.length() - 2);
    }
    if (content.endsWith("\n")) {
      return content.substring(0, content.length() - 1);
    }
    return content;
  }
}
