package io.tributary.sql.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the model loader needs to know about SQL text without parsing it: table references and lines. */
final class SqlText {
  /** Namespaces whose {@code namespace.table} names are lake tables in model SQL. */
  static final List<String> LAKE_NAMESPACES = List.of("raw", "bronze", "silver", "history", "gold");
  private static final Pattern REFERENCE = Pattern.compile(
      "(?<![A-Za-z0-9_.\"])(?:\"?)(" + String.join("|", LAKE_NAMESPACES) + ")(?:\"?)\\s*\\.\\s*"
          + "(?:\"([^\"]+)\"|([A-Za-z_][A-Za-z0-9_]*))",
      Pattern.CASE_INSENSITIVE);

  private SqlText() {}

  /** A table named in the SQL, at a 1-based line. */
  record Reference(String table, int line) {}

  /**
   * The text with comments and string literals blanked out (same length, same line breaks), so that what
   * remains is SQL code whose offsets are the original's.
   */
  static String code(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
        while (i < sql.length() && sql.charAt(i) != '\n') {
          out.append(' ');
          i++;
        }
      } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? sql.length() : end + 2;
        blank(sql, i, end, out);
        i = end;
      } else if (c == '\'') {
        int close = i + 1;
        while (close < sql.length()) {
          if (sql.charAt(close) == '\'') {
            if (close + 1 < sql.length() && sql.charAt(close + 1) == '\'') {
              close += 2;
              continue;
            }
            break;
          }
          close++;
        }
        out.append('\'');
        blank(sql, i + 1, close, out);
        if (close < sql.length()) {
          out.append('\'');
          i = close + 1;
        } else {
          i = close;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static void blank(String sql, int from, int to, StringBuilder out) {
    for (int i = from; i < to; i++) {
      out.append(sql.charAt(i) == '\n' ? '\n' : ' ');
    }
  }

  /** The lake tables named in {@code sql}, in order of appearance, lower-cased. */
  static List<Reference> references(String sql) {
    String code = code(sql);
    List<Reference> references = new ArrayList<>();
    Matcher matcher = REFERENCE.matcher(code);
    while (matcher.find()) {
      String table = matcher.group(2) != null ? matcher.group(2) : matcher.group(3);
      references.add(new Reference(
          matcher.group(1).toLowerCase(Locale.ROOT) + "." + table.toLowerCase(Locale.ROOT),
          lineAt(code, matcher.start())));
    }
    return references;
  }

  /** The 1-based line of {@code offset} in {@code text}. */
  static int lineAt(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /** The 1-based line of the first code (not comment, not blank) in {@code sql}; 1 if none. */
  static int firstCodeLine(String sql) {
    String code = code(sql);
    for (int i = 0; i < code.length(); i++) {
      if (!Character.isWhitespace(code.charAt(i))) {
        return lineAt(code, i);
      }
    }
    return 1;
  }

  /** The 1-based line of the last code in {@code sql}; 1 if none. */
  static int lastCodeLine(String sql) {
    String code = code(sql);
    for (int i = code.length() - 1; i >= 0; i--) {
      if (!Character.isWhitespace(code.charAt(i))) {
        return lineAt(code, i);
      }
    }
    return 1;
  }
}
