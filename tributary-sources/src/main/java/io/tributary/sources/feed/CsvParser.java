package io.tributary.sources.feed;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV (RFC 4180 style): fields separated by a delimiter, optionally quoted, a quote inside a
 * quoted field doubled, line breaks allowed inside quotes. An empty unquoted field is NULL; an empty
 * quoted field ({@code ""}) is the empty string.
 */
final class CsvParser {
  private final BufferedReader reader;
  private final char delimiter;
  private final char quote;
  private int line;

  /** One row: its fields, the line it starts on, and its text. */
  record Row(List<String> fields, int line, String text) {}

  CsvParser(BufferedReader reader, char delimiter, char quote) {
    this.reader = reader;
    this.delimiter = delimiter;
    this.quote = quote;
  }

  /** The next row, or null at the end; a row that is badly quoted throws with its line. */
  Row next() throws IOException {
    String first = reader.readLine();
    if (first == null) {
      return null;
    }
    line++;
    int start = line;
    StringBuilder text = new StringBuilder(first);
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    String current = first;
    int i = 0;
    while (true) {
      if (i >= current.length()) {
        if (quoted) {
          String more = reader.readLine();
          if (more == null) {
            throw new CsvException(start, "a quoted field is not closed before the end of the file");
          }
          line++;
          text.append('\n').append(more);
          field.append('\n');
          current = more;
          i = 0;
          continue;
        }
        fields.add(wasQuoted ? field.toString() : emptyToNull(field.toString()));
        return new Row(fields, start, text.toString());
      }
      char c = current.charAt(i++);
      if (quoted) {
        if (c == quote) {
          if (i < current.length() && current.charAt(i) == quote) {
            field.append(quote);
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == delimiter) {
        fields.add(wasQuoted ? field.toString() : emptyToNull(field.toString()));
        field.setLength(0);
        wasQuoted = false;
      } else if (c == quote && field.length() == 0 && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else if (wasQuoted) {
        throw new CsvException(start, "text after the closing quote of field " + (fields.size() + 1));
      } else {
        field.append(c);
      }
    }
  }

  private static String emptyToNull(String text) {
    return text.isEmpty() ? null : text;
  }

  /** A row that cannot be read, with the line it starts on. */
  static final class CsvException extends IOException {
    final int line;

    CsvException(int line, String message) {
      super(message);
      this.line = line;
    }
  }
}
