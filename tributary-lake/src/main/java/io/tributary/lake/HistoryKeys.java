package io.tributary.lake;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * Which keys {@code history.<table>} holds, with no false negatives and a bounded size: a key this says is absent has
 * no stored version, so the writer folds it onto nothing without reading the table; a key it says may be present is
 * looked up as before (a false positive costs one read, never a wrong version).
 *
 * <p>Keys are held as a 64-bit hash (consistent with {@link List#equals}, as the tails and {@link HistoryLayer#read}
 * compare keys). While the budget allows, the hashes sit in an open-addressing set that doubles when three quarters
 * full: exact but for hash collisions (about {@code keys / 2^64} a lookup), 11 to 21 bytes a key. When the set may
 * not double, it becomes a Bloom filter of the bytes it had (85 bits a key at that point), which never grows again:
 * its false positives rise as keys are added (with 7 probes: about 1 in 30,000 at 27 bits a key, 1 in 170 at 10).
 * A set and not only a Bloom filter because small tables then cost little, and a table that fits is exact; a Bloom
 * filter past the budget because a snapshot (every key new) must keep ruling keys out whatever the table's size,
 * where a bounded set would have to give up.
 *
 * <p>Keys are only added: history never loses a key but by a rebuild, after which the keys are read again. Not
 * thread-safe: {@link HistoryTails} guards it.
 */
final class HistoryKeys {
  /** Slots of a new set: 128 bytes. */
  private static final int FIRST_SLOTS = 16;
  private static final int PROBES = 7;
  /** The empty slot; a hash of 0 is stored as 1 (a false positive at worst). */
  private static final long EMPTY = 0;

  private long[] slots;
  private int size;
  /** The Bloom filter's bits once the set could not grow; null while exact. */
  private long[] bits;

  /** An empty set of keys; a Bloom filter from the start when {@code budget} is below the first set's size. */
  HistoryKeys(long budget) {
    if (budget < 8) {
      throw new IllegalArgumentException("Invalid history key budget: " + budget + " (must be at least 8 bytes)");
    }
    if (budget < FIRST_SLOTS * 8L) {
      bits = new long[(int) Long.highestOneBit(budget / 8)];
    } else {
      slots = new long[FIRST_SLOTS];
    }
  }

  /** Bytes a set of keys may take at first. */
  static long firstBytes() {
    return FIRST_SLOTS * 8L;
  }

  /**
   * Adds a key's hash; the set doubles only when that adds at most {@code spare} bytes, and becomes a Bloom filter
   * otherwise.
   */
  void add(long hash, long spare) {
    if (bits != null) {
      set(hash);
      return;
    }
    if ((size + 1) * 4L > slots.length * 3L) {
      if (slots.length * 8L <= spare && slots.length < (1 << 30)) {
        rehash(slots.length * 2);
      } else {
        toBloom();
        set(hash);
        return;
      }
    }
    if (insert(slots, hash)) {
      size++;
    }
  }

  /** False only when the key is not in history. */
  boolean mightContain(long hash) {
    if (bits == null) {
      long stored = hash == EMPTY ? 1 : hash;
      int mask = slots.length - 1;
      for (int i = index(stored, mask); ; i = (i + 1) & mask) {
        long slot = slots[i];
        if (slot == stored) {
          return true;
        }
        if (slot == EMPTY) {
          return false;
        }
      }
    }
    long mask = bits.length * 64L - 1;
    long step = step(hash);
    for (int i = 0; i < PROBES; i++) {
      long bit = (hash + i * step) & mask;
      if ((bits[(int) (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether this holds hashes exactly (false: a Bloom filter). */
  boolean exact() {
    return bits == null;
  }

  long bytes() {
    return 8L * (bits != null ? bits.length : slots.length);
  }

  private void set(long hash) {
    long mask = bits.length * 64L - 1;
    long step = step(hash);
    for (int i = 0; i < PROBES; i++) {
      long bit = (hash + i * step) & mask;
      bits[(int) (bit >>> 6)] |= 1L << bit;
    }
  }

  /** The second hash of double hashing: the top half mixed again, odd so the probes cover every bit. */
  private static long step(long hash) {
    return mix(hash >>> 32 ^ hash << 32) | 1;
  }

  private void toBloom() {
    long[] set = slots;
    bits = new long[set.length];
    slots = null;
    size = 0;
    for (long slot : set) {
      if (slot != EMPTY) {
        set(slot);
      }
    }
  }

  private void rehash(int length) {
    long[] next = new long[length];
    for (long slot : slots) {
      if (slot != EMPTY) {
        insert(next, slot);
      }
    }
    slots = next;
  }

  private static boolean insert(long[] table, long hash) {
    long stored = hash == EMPTY ? 1 : hash;
    int mask = table.length - 1;
    for (int i = index(stored, mask); ; i = (i + 1) & mask) {
      if (table[i] == stored) {
        return false;
      }
      if (table[i] == EMPTY) {
        table[i] = stored;
        return true;
      }
    }
  }

  private static int index(long hash, int mask) {
    return (int) (hash ^ hash >>> 32) & mask;
  }

  // ---- hashing

  /**
   * A 64-bit hash of a key, equal for keys {@link List#equals} calls equal: of the values' own content for the types
   * keys are made of, else of their {@code hashCode} (consistent with equals, only 32 bits: more false positives).
   */
  static long hash(List<Object> key) {
    long hash = 0x9E3779B97F4A7C15L;
    for (Object value : key) {
      hash = mix(hash * 31 + hash(value));
    }
    return hash;
  }

  private static long hash(Object value) {
    if (value == null) {
      return 0x5bd1e995L;
    }
    if (value instanceof Long number) {
      return mix(number);
    }
    if (value instanceof Integer number) {
      return mix(number ^ 0x1000000000L);
    }
    if (value instanceof String text) {
      long hash = 0xCBF29CE484222325L;
      for (int i = 0; i < text.length(); i++) {
        hash = (hash ^ text.charAt(i)) * 0x100000001B3L;
      }
      return mix(hash ^ text.length());
    }
    if (value instanceof UUID uuid) {
      return mix(uuid.getMostSignificantBits() * 31 + mix(uuid.getLeastSignificantBits()));
    }
    if (value instanceof ByteBuffer buffer) {
      // equals compares the remaining bytes
      long hash = 0xCBF29CE484222325L;
      for (int i = buffer.position(); i < buffer.limit(); i++) {
        hash = (hash ^ buffer.get(i)) * 0x100000001B3L;
      }
      return mix(hash ^ buffer.remaining());
    }
    if (value instanceof BigDecimal decimal) {
      // equals compares value and scale
      return mix(hash(decimal.unscaledValue().toString()) * 31 + decimal.scale());
    }
    if (value instanceof java.time.temporal.Temporal || value instanceof Double || value instanceof Float) {
      // their text is equal exactly when they are (offsets included, -0.0 apart from 0.0, NaN equal to NaN)
      return mix(hash(value.toString()) + 17);
    }
    return mix(value.hashCode());
  }

  /** The finaliser of SplitMix64: every input bit reaches every output bit. */
  private static long mix(long x) {
    x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
    return x ^ (x >>> 31);
  }
}
