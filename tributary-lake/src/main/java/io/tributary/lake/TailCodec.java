package io.tributary.lake;

import io.tributary.lake.HistoryLayer.Row;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The compact form of a key's history tail ({@link HistoryTails}): its rows as one byte array, about a third of the
 * heap the rows take as objects (a version's values map alone costs about 48 bytes an entry, and a {@code timestamptz}
 * about 100 bytes as an {@link OffsetDateTime}). Decoding gives rows equal to the ones encoded.
 *
 * <p>Column names are numbered in the order they are first seen, per table: a codec belongs to one table, and its
 * numbers only grow (a column added later gets the next one). Values are those of Iceberg's generic records
 * ({@link IcebergTypes#toIcebergValue}); a tail holding anything else (a map or a struct) is not encoded, and
 * {@link HistoryTails} keeps it as objects.
 *
 * <p>Not thread-safe: {@link HistoryTails} guards it.
 */
final class TailCodec {
  private static final byte NULL = 0;
  private static final byte FALSE = 1;
  private static final byte TRUE = 2;
  private static final byte INT = 3;
  private static final byte LONG = 4;
  private static final byte FLOAT = 5;
  private static final byte DOUBLE = 6;
  private static final byte STRING = 7;
  private static final byte DECIMAL = 8;
  private static final byte DATE = 9;
  private static final byte TIME = 10;
  private static final byte TIMESTAMP = 11;
  private static final byte TIMESTAMPTZ = 12;
  private static final byte UUID_VALUE = 13;
  private static final byte BINARY = 14;
  private static final byte FIXED = 15;
  private static final byte LIST = 16;
  /** A surrogate key in the canonical text form of a UUID, stored as its 16 bytes. */
  private static final byte UUID_TEXT = 17;

  private final List<String> names = new ArrayList<>();
  private final Map<String, Integer> numbers = new HashMap<>();
  /** Reused by every {@link #encode}, which copies out what it wrote. */
  private final Writer out = new Writer();

  /** The rows as bytes; empty when one of their values is of a kind this codec does not encode. */
  Optional<byte[]> encode(List<Row> rows) {
    out.size = 0;
    out.varint(rows.size());
    for (Row row : rows) {
      Versions.Version version = row.version();
      if (!surrogateKey(out, version.sk())) {
        return Optional.empty();
      }
      out.varint(version.values().size());
      for (Map.Entry<String, Object> entry : version.values().entrySet()) {
        out.varint(number(entry.getKey()));
        if (!value(out, entry.getValue())) {
          return Optional.empty();
        }
      }
      if (!value(out, version.validFrom()) || !value(out, version.validTo()) || !value(out, version.sequence())
          || !value(out, row.recordedAt()) || !value(out, row.commitTime())) {
        return Optional.empty();
      }
      out.tag(version.current() ? TRUE : FALSE);
      out.string(version.operation());
      out.string(version.position());
      out.fixedLong(version.transactionId());
    }
    return Optional.of(out.toArray());
  }

  /** The rows {@link #encode} gave {@code bytes} for. */
  List<Row> decode(byte[] bytes) {
    Reader in = new Reader(bytes);
    int count = in.varint();
    List<Row> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String sk = (String) in.value();
      int size = in.varint();
      Map<String, Object> values = new HashMap<>(size * 4 / 3 + 1);
      for (int v = 0; v < size; v++) {
        String name = names.get(in.varint());
        values.put(name, in.value());
      }
      Object validFrom = in.value();
      Object validTo = in.value();
      Object sequence = in.value();
      OffsetDateTime recordedAt = (OffsetDateTime) in.value();
      OffsetDateTime commitTime = (OffsetDateTime) in.value();
      boolean current = in.bytes[in.at++] == TRUE;
      String operation = in.string();
      String position = in.string();
      long transactionId = in.fixedLong();
      rows.add(new Row(new Versions.Version(sk, values, validFrom, validTo, current, operation, position,
          transactionId, sequence), recordedAt, commitTime));
    }
    return List.copyOf(rows);
  }

  private int number(String name) {
    Integer number = numbers.get(name);
    if (number == null) {
      number = names.size();
      names.add(name);
      numbers.put(name, number);
    }
    return number;
  }

  private static boolean surrogateKey(Writer out, String sk) {
    // The canonical text of a UUID (lower-case hex digits in groups of 8-4-4-4-12) is read here without parsing it
    // to a UUID and printing that again: that took a new string of every version of every commit.
    if (sk.length() == 36) {
      long most = 0;
      long least = 0;
      boolean canonical = true;
      for (int i = 0; i < 36 && canonical; i++) {
        char c = sk.charAt(i);
        if (i == 8 || i == 13 || i == 18 || i == 23) {
          canonical = c == '-';
          continue;
        }
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        canonical = digit >= 0;
        if (i < 18) {
          most = (most << 4) | digit;
        } else {
          least = (least << 4) | digit;
        }
      }
      if (canonical) {
        out.tag(UUID_TEXT);
        out.fixedLong(most);
        out.fixedLong(least);
        return true;
      }
    }
    return value(out, sk);
  }

  private static boolean value(Writer out, Object value) {
    if (value == null) {
      out.tag(NULL);
    } else if (value instanceof Boolean bool) {
      out.tag(bool ? TRUE : FALSE);
    } else if (value instanceof Integer number) {
      out.tag(INT);
      out.varlong(zigzag(number));
    } else if (value instanceof Long number) {
      out.tag(LONG);
      out.varlong(zigzag(number));
    } else if (value instanceof Float number) {
      out.tag(FLOAT);
      out.varint(Float.floatToRawIntBits(number));
    } else if (value instanceof Double number) {
      out.tag(DOUBLE);
      out.fixedLong(Double.doubleToRawLongBits(number));
    } else if (value instanceof String text) {
      out.tag(STRING);
      out.string(text);
    } else if (value instanceof BigDecimal decimal) {
      out.tag(DECIMAL);
      out.varlong(zigzag(decimal.scale()));
      BigInteger unscaled = decimal.unscaledValue();
      if (unscaled.bitLength() < 64) {
        out.varint(0);
        out.varlong(zigzag(unscaled.longValue()));
      } else {
        out.blob(unscaled.toByteArray());
      }
    } else if (value instanceof LocalDate date) {
      out.tag(DATE);
      out.varlong(zigzag(date.toEpochDay()));
    } else if (value instanceof LocalTime time) {
      out.tag(TIME);
      out.varlong(time.toNanoOfDay());
    } else if (value instanceof LocalDateTime time) {
      out.tag(TIMESTAMP);
      instant(out, time.toEpochSecond(ZoneOffset.UTC), time.getNano());
    } else if (value instanceof OffsetDateTime time) {
      out.tag(TIMESTAMPTZ);
      instant(out, time.toEpochSecond(), time.getNano());
      out.varlong(zigzag(time.getOffset().getTotalSeconds()));
    } else if (value instanceof UUID uuid) {
      out.tag(UUID_VALUE);
      out.fixedLong(uuid.getMostSignificantBits());
      out.fixedLong(uuid.getLeastSignificantBits());
    } else if (value instanceof ByteBuffer buffer) {
      out.tag(BINARY);
      ByteBuffer copy = buffer.duplicate();
      byte[] content = new byte[copy.remaining()];
      copy.get(content);
      out.blob(content);
    } else if (value instanceof byte[] content) {
      out.tag(FIXED);
      out.blob(content);
    } else if (value instanceof List<?> list) {
      out.tag(LIST);
      out.varint(list.size());
      for (Object element : list) {
        if (!value(out, element)) {
          return false;
        }
      }
    } else {
      return false;
    }
    return true;
  }

  private static void instant(Writer out, long epochSecond, int nano) {
    out.varlong(zigzag(epochSecond));
    out.varint(nano);
  }

  private static long zigzag(long value) {
    return (value << 1) ^ (value >> 63);
  }

  private static long unzigzag(long value) {
    return (value >>> 1) ^ -(value & 1);
  }

  private static final class Writer {
    byte[] bytes = new byte[256];
    int size;

    int reserve(int count) {
      if (size + count > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + count));
      }
      int at = size;
      size += count;
      return at;
    }

    void tag(byte tag) {
      int at = reserve(1); // before reading the field: reserve may replace the array
      bytes[at] = tag;
    }

    void varint(int value) {
      varlong(value & 0xffffffffL);
    }

    void varlong(long value) {
      reserve(10); // the longest a varint gets; given back below
      size -= 10;
      while ((value & ~0x7fL) != 0) {
        bytes[size++] = (byte) ((value & 0x7f) | 0x80);
        value >>>= 7;
      }
      bytes[size++] = (byte) value;
    }

    void fixedLong(long value) {
      int at = reserve(8);
      for (int i = 0; i < 8; i++) {
        bytes[at + i] = (byte) (value >>> (56 - 8 * i));
      }
    }

    void blob(byte[] content) {
      varint(content.length);
      int at = reserve(content.length);
      System.arraycopy(content, 0, bytes, at, content.length);
    }

    /** A text as UTF-8 bytes; one of ASCII characters only (most are) is copied here without encoding it first. */
    void string(String text) {
      int length = text.length();
      for (int i = 0; i < length; i++) {
        if (text.charAt(i) >= 0x80) {
          blob(text.getBytes(StandardCharsets.UTF_8));
          return;
        }
      }
      varint(length);
      int at = reserve(length);
      for (int i = 0; i < length; i++) {
        bytes[at + i] = (byte) text.charAt(i);
      }
    }

    byte[] toArray() {
      return Arrays.copyOf(bytes, size);
    }
  }

  private static final class Reader {
    final byte[] bytes;
    int at;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    int varint() {
      return (int) varlong();
    }

    long varlong() {
      long value = 0;
      int shift = 0;
      byte next;
      do {
        next = bytes[at++];
        value |= (long) (next & 0x7f) << shift;
        shift += 7;
      } while ((next & 0x80) != 0);
      return value;
    }

    long fixedLong() {
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (bytes[at++] & 0xff);
      }
      return value;
    }

    byte[] blob() {
      return blob(varint());
    }

    byte[] blob(int length) {
      byte[] content = Arrays.copyOfRange(bytes, at, at + length);
      at += length;
      return content;
    }

    String string() {
      int length = varint();
      String text = new String(bytes, at, length, StandardCharsets.UTF_8);
      at += length;
      return text;
    }

    Object value() {
      byte tag = bytes[at++];
      return switch (tag) {
        case NULL -> null;
        case FALSE -> Boolean.FALSE;
        case TRUE -> Boolean.TRUE;
        case INT -> (int) unzigzag(varlong());
        case LONG -> unzigzag(varlong());
        case FLOAT -> Float.intBitsToFloat(varint());
        case DOUBLE -> Double.longBitsToDouble(fixedLong());
        case STRING -> string();
        case DECIMAL -> {
          int scale = (int) unzigzag(varlong());
          int length = varint();
          yield length == 0 ? BigDecimal.valueOf(unzigzag(varlong()), scale)
              : new BigDecimal(new BigInteger(blob(length)), scale);
        }
        case DATE -> LocalDate.ofEpochDay(unzigzag(varlong()));
        case TIME -> LocalTime.ofNanoOfDay(varlong());
        // ofEpochSecond, not ofInstant: that builds the zone rules of the offset on every call
        case TIMESTAMP -> LocalDateTime.ofEpochSecond(unzigzag(varlong()), varint(), ZoneOffset.UTC);
        case TIMESTAMPTZ -> {
          long epochSecond = unzigzag(varlong());
          int nano = varint();
          ZoneOffset offset = ZoneOffset.ofTotalSeconds((int) unzigzag(varlong()));
          yield OffsetDateTime.of(LocalDateTime.ofEpochSecond(epochSecond, nano, offset), offset);
        }
        case UUID_VALUE -> new UUID(fixedLong(), fixedLong());
        case BINARY -> ByteBuffer.wrap(blob());
        case FIXED -> blob();
        case LIST -> {
          int size = varint();
          List<Object> list = new ArrayList<>(size);
          for (int i = 0; i < size; i++) {
            list.add(value());
          }
          yield list;
        }
        case UUID_TEXT -> new UUID(fixedLong(), fixedLong()).toString();
        default -> throw new IllegalStateException("Invalid history tail: unknown value tag " + tag + " at byte "
            + (at - 1) + " of " + bytes.length);
      };
    }
  }
}
