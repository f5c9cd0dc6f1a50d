package io.tributary.sql;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prints a {@link QueryResult}. Temporal values are ISO-8601 ({@code 2024-05-01T10:15:30},
 * {@code 2024-05-01T10:15:30Z}), binary values lowercase hex, decimals with their exact digits, and lists,
 * structs and maps as JSON text in the table and CSV formats.
 */
public final class ResultWriter {
  private static final Pattern NUMERIC_TYPE = Pattern.compile(
      "^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL.*)$");
  private static final String CSV_LINE_END = "\r\n";

  private ResultWriter() {}

  public static void write(QueryResult result, ResultFormat format, Appendable out) {
    requireNonNull(result, "result is null");
    requireNonNull(format, "format is null");
    requireNonNull(out, "out is null");
    try {
      switch (format) {
        case TABLE -> writeTable(result, out);
        case CSV -> writeCsv(result, out);
        case JSON -> writeJson(result, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write query result as " + format + ": " + e.getMessage(), e);
    }
  }

  private static void writeTable(QueryResult result, Appendable out) throws IOException {
    int columns = result.columnNames().size();
    if (columns > 0) {
      List<List<String>> cells = new ArrayList<>(result.rows().size());
      int[] widths = new int[columns];
      boolean[] rightAligned = new boolean[columns];
      for (int c = 0; c < columns; c++) {
        widths[c] = width(result.columnNames().get(c));
        rightAligned[c] = NUMERIC_TYPE.matcher(result.columnTypes().get(c)).matches();
      }
      for (List<Object> row : result.rows()) {
        List<String> line = new ArrayList<>(columns);
        for (int c = 0; c < columns; c++) {
          Object value = row.get(c);
          String text = value == null ? "NULL" : escapeControl(text(value));
          widths[c] = Math.max(widths[c], width(text));
          line.add(text);
        }
        cells.add(line);
      }
      tableLine(result.columnNames(), widths, rightAligned, out);
      StringBuilder separator = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        separator.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
      }
      out.append(separator).append('\n');
      for (List<String> line : cells) {
        tableLine(line, widths, rightAligned, out);
      }
    }
    int count = result.rows().size();
    out.append('(').append(String.valueOf(count)).append(count == 1 ? " row)" : " rows)").append('\n');
  }

  private static void tableLine(List<String> cells, int[] widths, boolean[] rightAligned, Appendable out)
      throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c);
      String padding = " ".repeat(widths[c] - width(cell));
      line.append(c == 0 ? "" : " | ").append(rightAligned[c] ? padding + cell : cell + padding);
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }

  private static int width(String text) {
    return text.codePointCount(0, text.length());
  }

  private static String escapeControl(String text) {
    return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
  }

  private static void writeCsv(QueryResult result, Appendable out) throws IOException {
    List<String> header = new ArrayList<>();
    for (String name : result.columnNames()) {
      header.add(csvField(name));
    }
    out.append(String.join(",", header)).append(CSV_LINE_END);
    for (List<Object> row : result.rows()) {
      List<String> fields = new ArrayList<>(row.size());
      for (Object value : row) {
        // NULL is the empty field; an empty string is quoted so the two stay apart.
        fields.add(value == null ? "" : csvField(text(value)));
      }
      out.append(String.join(",", fields)).append(CSV_LINE_END);
    }
  }

  private static String csvField(String text) {
    boolean quote = text.isEmpty() || text.indexOf(',') >= 0 || text.indexOf('"') >= 0
        || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0;
    return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
  }

  private static void writeJson(QueryResult result, Appendable out) throws IOException {
    if (result.rows().isEmpty()) {
      out.append("[]\n");
      return;
    }
    out.append("[\n");
    for (int r = 0; r < result.rows().size(); r++) {
      List<Object> row = result.rows().get(r);
      StringBuilder object = new StringBuilder("  {");
      for (int c = 0; c < row.size(); c++) {
        if (c > 0) {
          object.append(',');
        }
        jsonString(result.columnNames().get(c), object);
        object.append(':');
        json(row.get(c), object);
      }
      object.append(r == result.rows().size() - 1 ? "}\n" : "},\n");
      out.append(object);
    }
    out.append("]\n");
  }

  private static void json(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte || value instanceof java.math.BigInteger) {
      out.append(value);
    } else if (value instanceof BigDecimal decimal) {
      out.append(decimal.toPlainString());
    } else if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      if (Double.isFinite(number)) {
        out.append(value);
      } else {
        // JSON has no NaN or Infinity.
        jsonString(value.toString(), out);
      }
    } else if (value instanceof Collection<?> list) {
      out.append('[');
      boolean first = true;
      for (Object element : list) {
        out.append(first ? "" : ",");
        first = false;
        json(element, out);
      }
      out.append(']');
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(first ? "" : ",");
        first = false;
        jsonString(entry.getKey() == null ? "null" : text(entry.getKey()), out);
        out.append(':');
        json(entry.getValue(), out);
      }
      out.append('}');
    } else {
      jsonString(text(value), out);
    }
  }

  private static void jsonString(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (ch < 0x20 || ch == '\u2028' || ch == '\u2029') {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
        }
      }
    }
    out.append('"');
  }

  /** One value as text, the same in every format; lists, structs and maps become JSON. */
  private static String text(Object value) {
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof LocalDateTime dateTime) {
      return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(dateTime);
    }
    if (value instanceof OffsetDateTime dateTime) {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(dateTime);
    }
    if (value instanceof LocalTime time) {
      return DateTimeFormatter.ISO_LOCAL_TIME.format(time);
    }
    if (value instanceof LocalDate date) {
      return DateTimeFormatter.ISO_LOCAL_DATE.format(date);
    }
    if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    }
    if (value instanceof Collection<?> || value instanceof Map<?, ?>) {
      StringBuilder json = new StringBuilder();
      json(value, json);
      return json.toString();
    }
    return String.valueOf(value);
  }
}
