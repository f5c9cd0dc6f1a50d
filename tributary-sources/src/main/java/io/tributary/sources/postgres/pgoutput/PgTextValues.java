package io.tributary.sources.postgres.pgoutput;

import io.tributary.api.DataType;
import io.tributary.api.DataType.Kind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * PostgreSQL's text form of a value (what pgoutput sends, what {@code COPY ... TO STDOUT} and a {@code ::text} cast
 * print) turned into the lake's {@link DataType}s and Java values — exactly those the Debezium path produces for the
 * same column (its {@code RecordConverter} with decimal handling {@code precise}, adaptive microsecond times,
 * intervals as ISO-8601 text, {@code hstore} as JSON), so that a table's bronze schema and rows are the same
 * whichever path wrote them.
 *
 * <p>The mapping, by type:
 *
 * <ul>
 *   <li>{@code bool} BOOLEAN; {@code int2} INT16 (an {@link Integer}), {@code int4} INT32, {@code int8} and
 *       {@code oid} INT64; {@code float4} FLOAT32, {@code float8} FLOAT64 ({@code NaN} and infinities kept)
 *   <li>{@code numeric(p,s)} with {@code p <= 38}: DECIMAL(p,s); wider or without a declared precision: STRING holding
 *       the plain decimal text (without trailing fractional zeros when no scale is declared); {@code NaN} or an infinity in a DECIMAL column cannot be decoded
 *   <li>{@code money}: STRING, the amount as a plain decimal with two places ({@code 1234.50})
 *   <li>{@code date} DATE, {@code time} TIME, {@code timestamp} TIMESTAMP, {@code timestamptz} TIMESTAMPTZ (at UTC);
 *       {@code infinity}, {@code -infinity} and {@code 24:00:00} cannot be decoded; {@code timetz} STRING in UTC
 *       ({@code 08:15:30Z}); {@code interval} STRING as {@code P<y>Y<m>M<d>DT<h>H<m>M<s>S}
 *   <li>{@code uuid} UUID; {@code json}, {@code jsonb} and {@code hstore} JSON; {@code bytea} BINARY (from the hex
 *       form); {@code bit(1)} BOOLEAN, other bit strings BINARY
 *   <li>arrays of any of these: LIST of the element's type (one dimension)
 *   <li>text types, enums, network addresses, composites, ranges and every other type: STRING, the text form as sent
 * </ul>
 *
 * <p>Types the catalog defines (enums, domains, {@code hstore}, arrays of them) need a {@link PgType} from {@link
 * PgTypeRegistry}; the methods taking an OID know only the built-in ones and read any other OID as text.
 *
 * <p>A value that has no lake value of its column's type throws {@link PgValueException} naming the value and why;
 * a caller turns it into a dead letter and goes on.
 */
public final class PgTextValues {
  private static final DateTimeFormatter TIMETZ_TEXT = DateTimeFormatter.ISO_OFFSET_TIME;

  private PgTextValues() {}

  /** The lake type of a column of built-in type {@code typeOid} with type modifier {@code typmod} (-1 for none). */
  public static DataType dataType(int typeOid, int typmod) {
    return dataType(PgType.builtin(typeOid), typmod);
  }

  /**
   * The Java value of {@code text}, the text form of a value of built-in type {@code typeOid}: of the Java type
   * {@link #dataType(int, int)} lists for the column (see {@link DataType.Kind}). {@code text} must not be null
   * (SQL NULL is null without decoding).
   *
   * @throws PgValueException when the value has no lake value of the column's type
   */
  public static Object decode(int typeOid, int typmod, String text) {
    return decode(PgType.builtin(typeOid), typmod, text);
  }

  /** The lake type of a column of {@code type} with type modifier {@code typmod} (-1 for none). */
  public static DataType dataType(PgType type, int typmod) {
    int modifier = type.typmod(typmod);
    return switch (type.decodeAs()) {
      case PgType.ARRAY -> DataType.list(dataType(type.element().orElseThrow(), modifier));
      case PgType.HSTORE, PgOids.JSON, PgOids.JSONB -> DataType.of(Kind.JSON);
      case PgOids.BOOL -> DataType.of(Kind.BOOLEAN);
      case PgOids.INT2 -> DataType.of(Kind.INT16);
      case PgOids.INT4 -> DataType.of(Kind.INT32);
      case PgOids.INT8, PgOids.OID -> DataType.of(Kind.INT64);
      case PgOids.FLOAT4 -> DataType.of(Kind.FLOAT32);
      case PgOids.FLOAT8 -> DataType.of(Kind.FLOAT64);
      case PgOids.NUMERIC -> {
        int precision = numericPrecision(modifier);
        int scale = numericScale(modifier);
        yield precision < 1 || precision > DataType.MAX_DECIMAL_PRECISION || scale < 0 || scale > precision
            ? DataType.of(Kind.STRING) : DataType.decimal(precision, scale);
      }
      case PgOids.DATE -> DataType.of(Kind.DATE);
      case PgOids.TIME -> DataType.of(Kind.TIME);
      case PgOids.TIMESTAMP -> DataType.of(Kind.TIMESTAMP);
      case PgOids.TIMESTAMPTZ -> DataType.of(Kind.TIMESTAMPTZ);
      case PgOids.UUID -> DataType.of(Kind.UUID);
      case PgOids.BYTEA -> DataType.of(Kind.BINARY);
      case PgOids.BIT -> modifier == 1 ? DataType.of(Kind.BOOLEAN) : DataType.of(Kind.BINARY);
      case PgOids.VARBIT -> DataType.of(Kind.BINARY);
      default -> DataType.of(Kind.STRING);
    };
  }

  /**
   * The Java value of {@code text}, a value of a column of {@code type} with type modifier {@code typmod}.
   *
   * @throws PgValueException when the value has no lake value of the column's type
   */
  public static Object decode(PgType type, int typmod, String text) {
    if (text == null) {
      throw new IllegalArgumentException("Invalid value of type " + type.name() + ": null (SQL NULL is not decoded)");
    }
    int modifier = type.typmod(typmod);
    try {
      return switch (type.decodeAs()) {
        case PgType.ARRAY -> array(type.element().orElseThrow(), modifier, text);
        case PgType.HSTORE -> HstoreText.toJson(text);
        case PgOids.JSON, PgOids.JSONB -> text;
        case PgOids.BOOL -> bool(text);
        case PgOids.INT2, PgOids.INT4 -> Integer.valueOf(text);
        case PgOids.INT8, PgOids.OID -> Long.valueOf(text);
        case PgOids.FLOAT4 -> Float.valueOf(text);
        case PgOids.FLOAT8 -> Double.valueOf(text);
        case PgOids.NUMERIC -> numeric(type, modifier, text);
        case PgOids.MONEY -> money(text);
        case PgOids.DATE -> date(text);
        case PgOids.TIME -> time(text);
        case PgOids.TIMESTAMP -> timestamp(text);
        case PgOids.TIMESTAMPTZ -> timestamptz(text);
        case PgOids.TIMETZ -> timetz(text);
        case PgOids.INTERVAL -> IntervalText.toIso(text);
        case PgOids.UUID -> UUID.fromString(text);
        case PgOids.BYTEA -> bytea(text);
        case PgOids.BIT, PgOids.VARBIT -> bits(modifier, type.decodeAs(), text);
        default -> text;
      };
    } catch (PgValueException e) {
      throw e;
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException | IndexOutOfBoundsException e) {
      throw new PgValueException("Cannot read " + quoted(text) + " as a value of type " + type.name() + ": "
          + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new PgValueException("Cannot read " + quoted(text) + " as a value of type " + type.name() + ": "
          + e.getMessage());
    }
  }

  static int numericPrecision(int typmod) {
    return typmod < 4 ? 0 : ((typmod - 4) >> 16) & 0xffff;
  }

  static int numericScale(int typmod) {
    // PostgreSQL 15+ stores the scale as a signed 11-bit number (negative scales round left of the point).
    int raw = typmod < 4 ? 0 : (typmod - 4) & 0x7ff;
    return (raw ^ 1024) - 1024;
  }

  private static Boolean bool(String text) {
    return switch (text) {
      case "t", "true" -> Boolean.TRUE;
      case "f", "false" -> Boolean.FALSE;
      default -> throw new PgValueException("Cannot read " + quoted(text) + " as a value of type bool: not t or f");
    };
  }

  private static Object numeric(PgType type, int typmod, String text) {
    DataType lake = dataType(type, typmod);
    if (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity")) {
      if (lake.kind() == Kind.DECIMAL) {
        throw new PgValueException("Cannot store numeric " + text + " in a column of type " + lake
            + ": a decimal holds numbers only (make the column unconstrained numeric, or fix the row)");
      }
      return text;
    }
    BigDecimal value = new BigDecimal(text);
    if (lake.kind() == Kind.DECIMAL) {
      return value.setScale(lake.scale(), RoundingMode.UNNECESSARY);
    }
    // Without a declared scale the value's own scale is not kept (Debezium's variable-scale decimal drops trailing
    // zeros); a declared scale too wide for DECIMAL is.
    return (numericPrecision(typmod) == 0 ? value.stripTrailingZeros() : value).toPlainString();
  }

  private static String money(String text) {
    StringBuilder digits = new StringBuilder(text.length());
    boolean negative = text.startsWith("-") || text.startsWith("(");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c >= '0' && c <= '9') || c == '.') {
        digits.append(c);
      }
    }
    BigDecimal amount = new BigDecimal(digits.toString()).setScale(2, RoundingMode.UNNECESSARY);
    return (negative ? amount.negate() : amount).toPlainString();
  }

  private static LocalDate date(String text) {
    rejectInfinity(text, "date");
    boolean bc = text.endsWith(" BC");
    String body = bc ? text.substring(0, text.length() - 3) : text;
    int first = body.indexOf('-');
    int second = body.indexOf('-', first + 1);
    int year = Integer.parseInt(body.substring(0, first));
    LocalDate date = LocalDate.of(bc ? 1 - year : year, Integer.parseInt(body.substring(first + 1, second)),
        Integer.parseInt(body.substring(second + 1)));
    return date;
  }

  private static LocalTime time(String text) {
    if (text.startsWith("24:00:00")) {
      throw new PgValueException("Cannot store time " + text + " in a time column: the lake's time of day ends before "
          + "24:00 (store 00:00 of the next day, or fix the row)");
    }
    return LocalTime.parse(text);
  }

  private static LocalDateTime timestamp(String text) {
    rejectInfinity(text, "timestamp");
    boolean bc = text.endsWith(" BC");
    String body = bc ? text.substring(0, text.length() - 3) : text;
    int space = body.indexOf(' ');
    LocalDate day = date(body.substring(0, space) + (bc ? " BC" : ""));
    return LocalDateTime.of(day, LocalTime.parse(body.substring(space + 1)));
  }

  private static OffsetDateTime timestamptz(String text) {
    OffsetDateTime common = commonTimestamptz(text);
    return common != null ? common : anyTimestamptz(text);
  }

  /** {@code text} of any timestamptz form PostgreSQL writes, BC and five-digit years included. */
  static OffsetDateTime anyTimestamptz(String text) {
    rejectInfinity(text, "timestamptz");
    boolean bc = text.endsWith(" BC");
    String body = bc ? text.substring(0, text.length() - 3) : text;
    int space = body.indexOf(' ');
    int zone = zoneStart(body, space + 1);
    LocalDate day = date(body.substring(0, space) + (bc ? " BC" : ""));
    LocalTime time = LocalTime.parse(body.substring(space + 1, zone));
    return OffsetDateTime.of(day, time, offset(body.substring(zone))).withOffsetSameInstant(ZoneOffset.UTC);
  }

  /**
   * The value of {@code text} when it has the form PostgreSQL sends nearly every timestamptz in ({@code
   * yyyy-MM-dd HH:mm:ss[.f{1,6}]+HH[:MM[:SS]]}, a four-digit year of the common era, every field in range), read
   * digit by digit; null for any other text, which the general path reads or rejects. The text form of every
   * snapshot row and streamed change passes here, and the general path's parsing of the time of day was a measured
   * share of the snapshot's CPU.
   */
  static OffsetDateTime commonTimestamptz(String text) {
    int length = text.length();
    if (length < 22 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
        || text.charAt(13) != ':' || text.charAt(16) != ':') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > 28 && day > YearMonth.of(year, month).lengthOfMonth()
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (text.charAt(i) == '.') {
      int start = ++i;
      while (i < length && i - start < 6 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        nanos = nanos * 10 + (text.charAt(i) - '0');
        i++;
      }
      if (i == start) {
        return null;
      }
      for (int scale = i - start; scale < 9; scale++) {
        nanos *= 10;
      }
    }
    if (i + 3 > length || (text.charAt(i) != '+' && text.charAt(i) != '-')) {
      return null;
    }
    int sign = text.charAt(i) == '-' ? -1 : 1;
    int offsetHours = digits(text, i + 1, 2);
    int offsetMinutes = 0;
    int offsetSeconds = 0;
    i += 3;
    if (i < length) {
      offsetMinutes = text.charAt(i) == ':' ? digits(text, i + 1, 2) : -1;
      i += 3;
      if (i < length) {
        offsetSeconds = i + 3 == length && text.charAt(i) == ':' ? digits(text, i + 1, 2) : -1;
      }
    }
    if (offsetHours < 0 || offsetHours > 17 || offsetMinutes < 0 || offsetMinutes > 59 || offsetSeconds < 0
        || offsetSeconds > 59) {
      return null;
    }
    long epochSecond = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second
        - sign * (offsetHours * 3_600L + offsetMinutes * 60L + offsetSeconds);
    return OffsetDateTime.of(LocalDateTime.ofEpochSecond(epochSecond, nanos, ZoneOffset.UTC), ZoneOffset.UTC);
  }

  /** The number written in {@code count} decimal digits at {@code from}, or -1 when one of them is no digit. */
  private static int digits(String text, int from, int count) {
    if (from + count > text.length()) {
      return -1;
    }
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static String timetz(String text) {
    int zone = zoneStart(text, 0);
    OffsetTime time = OffsetTime.of(LocalTime.parse(text.substring(0, zone)), offset(text.substring(zone)));
    return time.withOffsetSameInstant(ZoneOffset.UTC).format(TIMETZ_TEXT);
  }

  /** Where the zone ({@code +01}, {@code -05:30}, {@code +05:30:15}) of a time text starting at {@code from} begins. */
  private static int zoneStart(String text, int from) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '+' || c == '-') {
        return i;
      }
    }
    throw new PgValueException("Cannot read " + quoted(text) + ": no zone offset (expected +HH[:MM[:SS]])");
  }

  private static ZoneOffset offset(String zone) {
    String[] parts = zone.substring(1).split(":");
    int sign = zone.charAt(0) == '-' ? -1 : 1;
    int hours = Integer.parseInt(parts[0]);
    int minutes = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    int seconds = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
    return ZoneOffset.ofHoursMinutesSeconds(sign * hours, sign * minutes, sign * seconds);
  }

  private static void rejectInfinity(String text, String type) {
    if (text.equals("infinity") || text.equals("-infinity")) {
      throw new PgValueException("Cannot store " + type + " " + text + ": the lake's date and time types hold finite "
          + "values only (store a far date instead, or fix the row)");
    }
  }

  private static ByteBuffer bytea(String text) {
    if (!text.startsWith("\\x")) {
      throw new PgValueException("Cannot read bytea " + quoted(text) + ": not in hex form (set bytea_output = 'hex' "
          + "for the user the source connects as)");
    }
    int length = (text.length() - 2) / 2;
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) ((hexDigit(text.charAt(2 + 2 * i)) << 4) | hexDigit(text.charAt(3 + 2 * i)));
    }
    return ByteBuffer.wrap(bytes);
  }

  private static int hexDigit(char c) {
    int digit = Character.digit(c, 16);
    if (digit < 0) {
      throw new PgValueException("Cannot read bytea: " + c + " is not a hex digit");
    }
    return digit;
  }

  /** Bit strings: one bit is a boolean; longer ones are bytes, least significant bit (the last character) first. */
  private static Object bits(int typmod, int oid, String text) {
    if (oid == PgOids.BIT && typmod == 1) {
      return text.equals("1");
    }
    BitSet set = new BitSet(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(text.length() - 1 - i);
      if (c == '1') {
        set.set(i);
      } else if (c != '0') {
        throw new PgValueException("Cannot read bit string " + quoted(text) + ": " + c + " is not 0 or 1");
      }
    }
    byte[] bytes = set.toByteArray();
    int width = (text.length() + 7) / 8;
    byte[] padded = new byte[Math.max(width, bytes.length)];
    System.arraycopy(bytes, 0, padded, 0, bytes.length);
    return ByteBuffer.wrap(padded);
  }

  private static List<Object> array(PgType element, int typmod, String text) {
    int start = text.indexOf('{');
    if (start < 0) {
      throw new PgValueException("Cannot read array " + quoted(text) + ": no opening brace");
    }
    List<Object> values = new ArrayList<>();
    int i = start + 1;
    int end = text.length() - 1;
    if (text.charAt(end) != '}') {
      throw new PgValueException("Cannot read array " + quoted(text) + ": no closing brace");
    }
    if (i == end) {
      return values;
    }
    StringBuilder item = new StringBuilder();
    while (i <= end) {
      char c = text.charAt(i);
      if (c == '{') {
        throw new PgValueException("Cannot read array " + quoted(text) + ": arrays of more than one dimension have no "
            + "lake type");
      }
      boolean quoted = c == '"';
      item.setLength(0);
      if (quoted) {
        i++;
        while (text.charAt(i) != '"') {
          char d = text.charAt(i);
          if (d == '\\') {
            i++;
            d = text.charAt(i);
          }
          item.append(d);
          i++;
        }
        i++;
      } else {
        while (text.charAt(i) != ',' && text.charAt(i) != '}') {
          item.append(text.charAt(i));
          i++;
        }
      }
      String raw = item.toString();
      values.add(!quoted && raw.equalsIgnoreCase("NULL") ? null : decode(element, typmod, raw));
      i++; // past ',' or the closing '}'
    }
    return values;
  }

  private static String quoted(String text) {
    String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    return "'" + shown + "'";
  }

  /** {@code hstore}'s text form ({@code "a"=>"1", "b"=>NULL}) as the JSON object Debezium's {@code json} mode writes. */
  static final class HstoreText {
    private HstoreText() {}

    static String toJson(String text) {
      StringBuilder json = new StringBuilder(text.length() + 2).append('{');
      int i = 0;
      boolean first = true;
      while (true) {
        i = skipSpaces(text, i);
        if (i >= text.length()) {
          break;
        }
        StringBuilder key = new StringBuilder();
        i = readQuoted(text, i, key);
        i = skipSpaces(text, i);
        if (!text.startsWith("=>", i)) {
          throw new PgValueException("Cannot read hstore " + quoted(text) + ": expected => at " + i);
        }
        i = skipSpaces(text, i + 2);
        String value = null;
        if (text.startsWith("NULL", i)) {
          i += 4;
        } else {
          StringBuilder quotedValue = new StringBuilder();
          i = readQuoted(text, i, quotedValue);
          value = quotedValue.toString();
        }
        if (!first) {
          json.append(',');
        }
        first = false;
        appendJsonString(json, key.toString());
        json.append(':');
        if (value == null) {
          json.append("null");
        } else {
          appendJsonString(json, value);
        }
        i = skipSpaces(text, i);
        if (i < text.length() && text.charAt(i) == ',') {
          i++;
        }
      }
      return json.append('}').toString();
    }

    private static int skipSpaces(String text, int i) {
      while (i < text.length() && text.charAt(i) == ' ') {
        i++;
      }
      return i;
    }

    private static int readQuoted(String text, int i, StringBuilder into) {
      if (text.charAt(i) != '"') {
        throw new PgValueException("Cannot read hstore " + quoted(text) + ": expected a quote at " + i);
      }
      i++;
      while (text.charAt(i) != '"') {
        char c = text.charAt(i);
        if (c == '\\') {
          i++;
          c = text.charAt(i);
        }
        into.append(c);
        i++;
      }
      return i + 1;
    }

    private static void appendJsonString(StringBuilder json, String value) {
      json.append('"');
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '"' -> json.append("\\\"");
          case '\\' -> json.append("\\\\");
          case '\n' -> json.append("\\n");
          case '\r' -> json.append("\\r");
          case '\t' -> json.append("\\t");
          default -> {
            if (c < 0x20) {
              json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              json.append(c);
            }
          }
        }
      }
      json.append('"');
    }
  }

  /**
   * An interval's text form in PostgreSQL's default style ({@code 1 year 2 mons -3 days +04:05:06.5}) as the
   * ISO-8601 text Debezium's {@code string} mode writes: every field, {@code P1Y2M-3DT4H5M6.5S}.
   */
  static final class IntervalText {
    private IntervalText() {}

    static String toIso(String text) {
      long years = 0;
      long months = 0;
      long days = 0;
      long hours = 0;
      long minutes = 0;
      BigDecimal seconds = BigDecimal.ZERO;
      String[] tokens = text.trim().split("\\s+");
      for (int i = 0; i < tokens.length; i++) {
        String token = tokens[i];
        if (token.indexOf(':') >= 0) {
          boolean negative = token.startsWith("-");
          String clock = token.startsWith("-") || token.startsWith("+") ? token.substring(1) : token;
          String[] parts = clock.split(":");
          long h = Long.parseLong(parts[0]);
          long m = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
          BigDecimal s = parts.length > 2 ? new BigDecimal(parts[2]) : BigDecimal.ZERO;
          hours += negative ? -h : h;
          minutes += negative ? -m : m;
          seconds = seconds.add(negative ? s.negate() : s);
          continue;
        }
        if (i + 1 >= tokens.length) {
          throw new PgValueException("Cannot read interval " + quoted(text) + ": " + token + " has no unit");
        }
        String unit = tokens[++i].toLowerCase(Locale.ROOT);
        if (unit.startsWith("year")) {
          years += Long.parseLong(token);
        } else if (unit.startsWith("mon")) {
          months += Long.parseLong(token);
        } else if (unit.startsWith("day")) {
          days += Long.parseLong(token);
        } else {
          throw new PgValueException("Cannot read interval " + quoted(text) + ": unknown unit " + unit
              + " (the source reads PostgreSQL's default IntervalStyle, postgres)");
        }
      }
      if (seconds.scale() > 9) {
        seconds = seconds.setScale(9, RoundingMode.DOWN);
      }
      return "P" + years + "Y" + months + "M" + days + "DT" + hours + "H" + minutes + "M"
          + seconds.stripTrailingZeros().toPlainString() + "S";
    }
  }
}
