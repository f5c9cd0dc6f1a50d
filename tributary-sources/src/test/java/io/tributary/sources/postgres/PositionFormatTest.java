package io.tributary.sources.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written formatting of positions gives exactly what String.format gave (sort keys must not change). */
class PositionFormatTest {
  @Test
  void hexMatchesFormatForEdgeAndRandomValues() {
    long[] edges = {0, 1, 15, 16, 255, 0x1f3f8a8L, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, -1};
    for (long value : edges) {
      assertThat(PostgresPositions.hex(value)).isEqualTo(String.format(Locale.ROOT, "%016x", value));
    }
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      long value = random.nextLong();
      assertThat(PostgresPositions.hex(value)).isEqualTo(String.format(Locale.ROOT, "%016x", value));
    }
  }

  @Test
  void twoDigitHexMatchesFormat() {
    for (int value : new int[] {0, 1, 9, 10, 15, 16, 127, 255, 256, 4095, 70_000, Integer.MAX_VALUE, -1}) {
      assertThat(PostgresPositions.hex2(value)).isEqualTo(String.format(Locale.ROOT, "%02x", value));
    }
  }

  @Test
  void sixteenDigitDecimalMatchesFormat() {
    for (long value : new long[] {0, 1, 9, 10, 5_000_000, 999_999_999_999_999L, 1_000_000_000_000_000L, Long.MAX_VALUE}) {
      assertThat(PostgresPositions.decimal16(value)).isEqualTo(String.format(Locale.ROOT, "%016d", value));
    }
  }
}
