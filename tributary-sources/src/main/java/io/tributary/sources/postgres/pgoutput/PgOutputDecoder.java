package io.tributary.sources.postgres.pgoutput;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the messages of PostgreSQL's {@code pgoutput} plugin, protocol version 1 (no streamed in-progress
 * transactions: the slot is read with {@code streaming} off, so every transaction arrives whole after its commit).
 * Values arrive in their text form; see {@link PgTextValues}.
 */
public final class PgOutputDecoder {
  private PgOutputDecoder() {}

  /** Decodes one message (the payload of one XLogData) and tells {@code handler} what it holds. */
  public static void decode(ByteBuffer message, PgOutputHandler handler) throws InterruptedException {
    Reader in = new Reader(message);
    char type = (char) in.byte8();
    switch (type) {
      case 'B' -> handler.begin(in.int64(), in.int64(), Integer.toUnsignedLong(in.int32()));
      case 'C' -> {
        in.byte8(); // flags, unused
        handler.commit(in.int64(), in.int64(), in.int64());
      }
      case 'R' -> {
        int id = in.int32();
        String namespace = in.string();
        String name = in.string();
        char identity = (char) in.byte8();
        int count = in.int16();
        List<PgRelation.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          int flags = in.byte8();
          columns.add(new PgRelation.Column(in.string(), (flags & 1) != 0, in.int32(), in.int32()));
        }
        handler.relation(new PgRelation(id, namespace.isEmpty() ? "pg_catalog" : namespace, name, identity, columns));
      }
      case 'Y' -> handler.type(in.int32(), in.string(), in.string());
      case 'O' -> handler.origin(in.int64(), in.string());
      case 'I' -> {
        int relation = in.int32();
        in.expect('N');
        handler.insert(relation, in.tuple());
      }
      case 'U' -> {
        int relation = in.int32();
        char marker = (char) in.byte8();
        char oldKind = 0;
        PgTuple old = null;
        if (marker == 'K' || marker == 'O') {
          oldKind = marker;
          old = in.tuple();
          marker = (char) in.byte8();
        }
        if (marker != 'N') {
          throw new IllegalStateException("Invalid pgoutput update of relation " + relation + ": expected N, found " + marker);
        }
        handler.update(relation, oldKind, old, in.tuple());
      }
      case 'D' -> {
        int relation = in.int32();
        char oldKind = (char) in.byte8();
        handler.delete(relation, oldKind, in.tuple());
      }
      case 'T' -> {
        int count = in.int32();
        int options = in.byte8();
        int[] relations = new int[count];
        for (int i = 0; i < count; i++) {
          relations[i] = in.int32();
        }
        handler.truncate(relations, (options & 1) != 0, (options & 2) != 0);
      }
      case 'M' -> {
        boolean transactional = (in.byte8() & 1) != 0;
        long lsn = in.int64();
        String prefix = in.string();
        byte[] content = in.bytes(in.int32());
        handler.message(transactional, lsn, prefix, content);
      }
      default -> throw new IllegalStateException("Invalid pgoutput message: unknown type " + type
          + " (streamed transactions and two-phase commits are not read; the slot must be read with protocol version 1)");
    }
  }

  /** Reads big-endian fields straight from the message's array. */
  private static final class Reader {
    private final byte[] bytes;
    private int p;

    Reader(ByteBuffer buffer) {
      if (buffer.hasArray()) {
        bytes = buffer.array();
        p = buffer.arrayOffset() + buffer.position();
      } else {
        bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        p = 0;
      }
    }

    int byte8() {
      return bytes[p++] & 0xff;
    }

    void expect(char marker) {
      char found = (char) byte8();
      if (found != marker) {
        throw new IllegalStateException("Invalid pgoutput message: expected " + marker + ", found " + found);
      }
    }

    int int16() {
      int value = ((bytes[p] & 0xff) << 8) | (bytes[p + 1] & 0xff);
      p += 2;
      return value;
    }

    int int32() {
      int value = ((bytes[p] & 0xff) << 24) | ((bytes[p + 1] & 0xff) << 16) | ((bytes[p + 2] & 0xff) << 8) | (bytes[p + 3] & 0xff);
      p += 4;
      return value;
    }

    long int64() {
      return ((long) int32() << 32) | (int32() & 0xffffffffL);
    }

    String string() {
      int end = p;
      while (bytes[end] != 0) {
        end++;
      }
      String value = new String(bytes, p, end - p, StandardCharsets.UTF_8);
      p = end + 1;
      return value;
    }

    byte[] bytes(int length) {
      byte[] value = new byte[length];
      System.arraycopy(bytes, p, value, 0, length);
      p += length;
      return value;
    }

    PgTuple tuple() {
      int count = int16();
      byte[] kinds = new byte[count];
      String[] values = new String[count];
      for (int i = 0; i < count; i++) {
        byte kind = bytes[p++];
        switch (kind) {
          case 't' -> {
            int length = int32();
            values[i] = new String(bytes, p, length, StandardCharsets.UTF_8);
            p += length;
            kinds[i] = PgTuple.TEXT;
          }
          case 'n' -> kinds[i] = PgTuple.NULL;
          case 'u' -> kinds[i] = PgTuple.UNCHANGED_TOAST;
          default -> throw new IllegalStateException("Invalid pgoutput tuple: column " + i + " of kind " + (char) kind
              + " (binary values are not read; the slot must be read without the binary option)");
        }
      }
      return new PgTuple(kinds, values);
    }
  }
}
