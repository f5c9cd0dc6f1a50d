package io.tributary.core.pipeline;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * A rough estimate of the heap a change takes: what bounds the pipeline's memory by bytes instead of by count.
 * Cheap (one pass over the values, no reflection), within a small factor of the truth for the usual shapes of row:
 * a map entry per column, strings at one byte a character (Java's compact strings), a fixed size for other values.
 */
public final class ChangeSizes {
  private static final long EVENT = 160;
  private static final long ENTRY = 48;
  private static final long STRING = 40;

  private ChangeSizes() {}

  /** The estimated heap bytes of {@code event}, its images and position included. */
  public static long of(ChangeEvent event) {
    long size = EVENT + STRING * 2 + event.position().sortKey().length() + event.position().resumeToken().length();
    size += image(event.before());
    size += image(event.after());
    return size;
  }

  /** The estimated heap bytes of {@code letter}. */
  public static long of(DeadLetter letter) {
    return EVENT + STRING * 2 + letter.position().sortKey().length() + letter.position().resumeToken().length()
        + value(letter.key()) + STRING + letter.location().length() + letter.payload().map(String::length).orElse(0)
        + letter.value().map(String::length).orElse(0) + STRING + letter.reason().length();
  }

  private static long image(Optional<Map<String, Object>> image) {
    return image.isEmpty() ? 0 : value(image.get());
  }

  private static long value(Object value) {
    if (value == null) {
      return 0;
    }
    if (value instanceof String text) {
      return STRING + text.length();
    }
    if (value instanceof BigDecimal) {
      return 64;
    }
    if (value instanceof byte[] bytes) {
      return 16 + bytes.length;
    }
    if (value instanceof ByteBuffer buffer) {
      return 64 + buffer.remaining();
    }
    if (value instanceof Map<?, ?> map) {
      long size = 64;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        size += ENTRY + value(entry.getValue());
      }
      return size;
    }
    if (value instanceof Collection<?> list) {
      long size = 40;
      for (Object element : list) {
        size += 8 + value(element);
      }
      return size;
    }
    // boxed numbers, java.time values, UUIDs: one small object, or a few
    return 32;
  }
}
