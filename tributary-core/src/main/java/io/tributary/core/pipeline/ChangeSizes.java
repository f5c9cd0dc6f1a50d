package io.tributary.core.pipeline;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The heap a change takes: what bounds the pipeline's memory by bytes instead of by count.
 *
 * <p>Cheap (one pass over the values, no reflection) and calibrated against the retained size measured on a 64-bit
 * JVM with compressed references (any heap below 32 GB, so every {@code -Xmx} Tributary is run with):
 * {@code ChangeSizesTest} builds changes of the usual shapes and checks the estimate against the heap they hold after
 * a collection. The sizes below are the objects' layouts there (12-byte headers, 4-byte references, 8-byte
 * alignment): an image is the {@link java.util.LinkedHashMap} {@link ChangeEvent} copies it into, a string one byte
 * a character (Java's compact strings), a {@link OffsetDateTime} four objects. Column names are the schema's and
 * are not counted; neither are values shared between changes (small boxed numbers, {@link Boolean}s, offsets).
 *
 * <p>This is the change as the pipeline holds it. The lake writer makes several copies of a batch while it writes
 * it (shaped rows, a record per layer, raw JSON): see {@link PipelineSettings#maxBatchBytes()}.
 */
public final class ChangeSizes {
  /** The record: its header, 6 references and a long, aligned. */
  private static final long EVENT = 48;
  /** The {@link Optional} of a present image. */
  private static final long OPTIONAL = 16;
  /** {@link io.tributary.api.Position}: two references and a boolean. */
  private static final long POSITION = 24;
  /** {@link String}: its own object, and its array's header (the characters are added). */
  private static final long STRING = 24;
  private static final long ARRAY = 16;
  /**
   * An unmodifiable {@link java.util.LinkedHashMap}: the map (56), the wrapper (32) and the two entry-set views
   * every reader of the image creates and keeps (16 each); its table and entries are added.
   */
  private static final long MAP = 56 + 32 + 16 + 16;
  private static final long MAP_ENTRY = 40;
  /** One small object: a boxed {@link Long} or {@link Double}, an {@link Instant}, a {@link LocalDate}... */
  private static final long SMALL = 24;

  private ChangeSizes() {}

  /** The estimated heap bytes of {@code event}, its images and position included. */
  public static long of(ChangeEvent event) {
    long size = EVENT + POSITION + string(event.position().sortKey()) + string(event.position().resumeToken())
        + SMALL; // the commit time
    size += image(event.before());
    size += image(event.after());
    return size;
  }

  /** The estimated heap bytes of {@code letter}. */
  public static long of(DeadLetter letter) {
    return EVENT + POSITION + string(letter.position().sortKey()) + string(letter.position().resumeToken())
        + OPTIONAL * 3 + value(letter.key()) + string(letter.location()) + string(letter.payload())
        + string(letter.column()) + string(letter.value()) + string(letter.reason());
  }

  private static long image(Optional<Map<String, Object>> image) {
    return image.isEmpty() ? 0 : OPTIONAL + value(image.get());
  }

  private static long string(Optional<String> text) {
    return text.map(ChangeSizes::string).orElse(0L);
  }

  /** The empty string is nearly always the shared literal. */
  private static long string(String text) {
    return text.isEmpty() ? 0 : STRING + align(ARRAY + text.length());
  }

  private static long align(long bytes) {
    return (bytes + 7) & ~7L;
  }

  /** The table {@link java.util.HashMap} allocates when it copies a map of {@code entries}. */
  private static long table(int entries) {
    if (entries == 0) {
      return 0;
    }
    int wanted = (int) Math.min(1 << 30, (long) (entries / 0.75f + 1.0f));
    int slots = wanted <= 1 ? 1 : Integer.highestOneBit(wanted - 1) << 1;
    return align(ARRAY + 4L * slots);
  }

  private static long value(Object value) {
    if (value == null || value instanceof Boolean) {
      return 0;
    }
    if (value instanceof String text) {
      return string(text);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Float || value instanceof Byte) {
      return 16;
    }
    if (value instanceof Long || value instanceof Double || value instanceof Instant || value instanceof LocalDate
        || value instanceof LocalTime) {
      return SMALL;
    }
    if (value instanceof OffsetDateTime) {
      return 4 * SMALL;
    }
    if (value instanceof LocalDateTime) {
      return 3 * SMALL;
    }
    if (value instanceof BigDecimal decimal) {
      // beyond 18 digits the unscaled value is a BigInteger with its own int array
      int digits = decimal.precision();
      return digits > 18 ? 40 + 40 + align(ARRAY + 4L * (long) Math.ceil(digits * 3.33 / 32)) : 40;
    }
    if (value instanceof UUID) {
      return 32;
    }
    if (value instanceof byte[] bytes) {
      return align(ARRAY + bytes.length);
    }
    if (value instanceof ByteBuffer buffer) {
      return 56 + align(ARRAY + buffer.remaining());
    }
    if (value instanceof Map<?, ?> map) {
      long size = MAP + table(map.size());
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        size += MAP_ENTRY + value(entry.getValue());
      }
      return size;
    }
    if (value instanceof Collection<?> list) {
      long size = 24 + align(ARRAY + 4L * list.size());
      for (Object element : list) {
        size += value(element);
      }
      return size;
    }
    // other values: one small object, or a few
    return 32;
  }
}
