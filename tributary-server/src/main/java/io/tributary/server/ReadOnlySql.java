package io.tributary.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a statement typed into the SQL console only reads: one statement, starting with a
 * reading keyword, with no keyword that writes anywhere in it (outside strings, quoted names and
 * comments). The engine behind the console is also locked down (no file access outside the lake, no
 * settings), so this check is about giving a clear answer, not the only defence.
 */
final class ReadOnlySql {
  static final Set<String> READING = Set.of("SELECT", "WITH", "EXPLAIN", "DESCRIBE", "SHOW", "SUMMARIZE", "FROM",
      "VALUES");
  private static final Set<String> WRITING = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "CREATE", "DROP",
      "ALTER", "TRUNCATE", "COPY", "ATTACH", "DETACH", "INSTALL", "LOAD", "FORCE", "SET", "RESET", "PRAGMA", "CALL",
      "EXPORT", "IMPORT", "VACUUM", "CHECKPOINT", "GRANT", "REVOKE", "USE", "BEGIN", "COMMIT", "ROLLBACK", "ABORT",
      "PREPARE", "EXECUTE", "DEALLOCATE", "COMMENT");

  private ReadOnlySql() {}

  /**
   * The statement without a trailing semicolon.
   *
   * @throws IllegalArgumentException saying why the statement is refused and what to do
   */
  static String check(String sql) {
    if (sql == null || sql.isBlank()) {
      throw new IllegalArgumentException("Cannot run an empty statement: type a SELECT");
    }
    List<String> words = new ArrayList<>();
    int statements = 0;
    boolean inStatement = false;
    int end = sql.length();
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"') {
        i = skipQuoted(sql, i, c);
        inStatement = true;
      } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
        int newline = sql.indexOf('\n', i);
        i = newline < 0 ? sql.length() : newline + 1;
      } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        if (close < 0) {
          throw new IllegalArgumentException("Cannot run this statement: a /* comment is not closed (add */)");
        }
        i = close + 2;
      } else if (c == ';') {
        if (inStatement) {
          statements++;
          if (statements == 1) {
            end = i;
          }
        }
        inStatement = false;
        i++;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
          i++;
        }
        if (statements > 0 && !inStatement) {
          throw new IllegalArgumentException("Cannot run more than one statement at once (send them one by one)");
        }
        words.add(sql.substring(start, i).toUpperCase(Locale.ROOT));
        inStatement = true;
      } else {
        if (!Character.isWhitespace(c)) {
          if (statements > 0 && !inStatement) {
            throw new IllegalArgumentException("Cannot run more than one statement at once (send them one by one)");
          }
          inStatement = true;
        }
        i++;
      }
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("Cannot run this statement: it has no SQL keyword (type a SELECT)");
    }
    String first = words.get(0);
    if (!READING.contains(first)) {
      throw new IllegalArgumentException("Cannot run " + first + ": the SQL console only reads the lake (start with"
          + " SELECT, WITH, EXPLAIN, DESCRIBE, SHOW or SUMMARIZE)");
    }
    for (String word : words) {
      if (WRITING.contains(word)) {
        throw new IllegalArgumentException("Cannot run a statement containing " + word + ": the SQL console only"
            + " reads the lake (if " + word.toLowerCase(Locale.ROOT) + " is a column or table name, quote it as \""
            + word.toLowerCase(Locale.ROOT) + "\")");
      }
    }
    return sql.substring(0, end).strip();
  }

  private static int skipQuoted(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    String what = quote == '\'' ? "string" : "quoted name";
    throw new IllegalArgumentException("Cannot run this statement: a " + what + " starting at character " + (start + 1)
        + " is not closed (add the closing " + quote + ")");
  }
}
