package io.tributary.sources.postgres.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits one row of PostgreSQL's {@code COPY ... TO STDOUT} text format (UTF-8) into its column values.
 *
 * <p>Columns are separated by tabs and the row ends with a newline; {@code \N} alone is SQL NULL; a
 * backslash starts an escape: {@code \b \f \n \r \t \v \\}, {@code \}<i>1 to 3 octal digits</i> and
 * {@code \x}<i>1 or 2 hex digits</i> (a byte), any other character stands for itself. Values without a
 * backslash, nearly all of them, are decoded straight from the row's bytes.
 *
 * <p>Not thread-safe: one parser per reading thread (it reuses a scratch buffer for escaped values).
 */
final class CopyTextParser {
  private byte[] scratch = new byte[256];

  /**
   * Parses {@code row[0, length)} into {@code values}, which must have one slot per column.
   *
   * @throws IllegalArgumentException when the row has another number of columns or a bad escape
   */
  void parse(byte[] row, int length, String[] values) {
    int end = length > 0 && row[length - 1] == '\n' ? length - 1 : length;
    int column = 0;
    int start = 0;
    int i = 0;
    while (true) {
      // Fast scan for the end of the field; a backslash sends this field to the slow path.
      boolean escaped = false;
      while (i < end) {
        byte b = row[i];
        if (b == '\t') {
          break;
        }
        if (b == '\\') {
          escaped = true;
          break;
        }
        i++;
      }
      if (column >= values.length) {
        throw new IllegalArgumentException("Invalid COPY row: more than " + values.length + " columns");
      }
      if (escaped) {
        if (i + 2 == end || (i + 2 < end && row[i + 2] == '\t')) {
          if (i == start && row[i + 1] == 'N') {
            values[column++] = null;
            i += 2;
            if (i == end) {
              break;
            }
            start = ++i;
            continue;
          }
        }
        i = unescape(row, start, end, values, column++);
      } else {
        values[column++] = new String(row, start, i - start, StandardCharsets.UTF_8);
      }
      if (i >= end) {
        break;
      }
      start = ++i;
    }
    if (column != values.length) {
      throw new IllegalArgumentException("Invalid COPY row: " + column + " columns, expected " + values.length);
    }
  }

  /** Decodes one field that holds a backslash, from {@code start}; returns the index of the tab or the end. */
  private int unescape(byte[] row, int start, int end, String[] values, int column) {
    int n = 0;
    int i = start;
    while (i < end) {
      byte b = row[i];
      if (b == '\t') {
        break;
      }
      if (n + 1 > scratch.length) {
        scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, n + 16));
      }
      if (b != '\\') {
        scratch[n++] = b;
        i++;
        continue;
      }
      if (i + 1 >= end) {
        throw new IllegalArgumentException("Invalid COPY row: a backslash ends the row");
      }
      byte c = row[i + 1];
      i += 2;
      switch (c) {
        case 'b' -> scratch[n++] = '\b';
        case 'f' -> scratch[n++] = '\f';
        case 'n' -> scratch[n++] = '\n';
        case 'r' -> scratch[n++] = '\r';
        case 't' -> scratch[n++] = '\t';
        case 'v' -> scratch[n++] = 0x0b;
        case 'x' -> {
          int value = 0;
          int digits = 0;
          while (digits < 2 && i < end && hex(row[i]) >= 0) {
            value = value * 16 + hex(row[i++]);
            digits++;
          }
          if (digits == 0) {
            scratch[n++] = 'x';
          } else {
            scratch[n++] = (byte) value;
          }
        }
        default -> {
          if (c >= '0' && c <= '7') {
            int value = c - '0';
            int digits = 1;
            while (digits < 3 && i < end && row[i] >= '0' && row[i] <= '7') {
              value = value * 8 + (row[i++] - '0');
              digits++;
            }
            scratch[n++] = (byte) value;
          } else {
            scratch[n++] = c;
          }
        }
      }
    }
    values[column] = new String(scratch, 0, n, StandardCharsets.UTF_8);
    return i;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }
}
