package io.tributary.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HistoryKeysTest {
  private static long hash(Object... values) {
    return HistoryKeys.hash(Arrays.asList(values));
  }

  @Test
  void aSetWithinItsBudgetHoldsEveryKeyAddedAndNoOther() {
    HistoryKeys keys = new HistoryKeys(64L << 20);
    for (long id = 0; id < 200_000; id++) {
      keys.add(hash(id), (64L << 20) - keys.bytes());
    }
    assertThat(keys.exact()).isTrue();
    for (long id = 0; id < 200_000; id++) {
      assertThat(keys.mightContain(hash(id))).as("key %d", id).isTrue();
    }
    long present = 0;
    for (long id = 200_000; id < 400_000; id++) {
      present += keys.mightContain(hash(id)) ? 1 : 0;
    }
    assertThat(present).as("keys never added said to be present").isZero();
    // doubled when three quarters full: 2^19 slots
    assertThat(keys.bytes()).isEqualTo(8L << 19);
  }

  @Test
  void aSetThatMayNotGrowBecomesABloomFilterOfItsSizeWithoutLosingAKey() {
    long budget = 1L << 16;
    HistoryKeys keys = new HistoryKeys(budget);
    Random random = new Random(11);
    List<String> added = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String key = "client-" + random.nextLong() + "@example.com";
      added.add(key);
      keys.add(hash(key), budget - keys.bytes());
      assertThat(keys.bytes()).isLessThanOrEqualTo(budget);
    }
    assertThat(keys.exact()).isFalse();
    assertThat(keys.bytes()).isEqualTo(budget);
    for (String key : added) {
      assertThat(keys.mightContain(hash(key))).as(key).isTrue();
    }
    // 26 bits a key, 7 probes: about 4e-5 false positives expected
    int falsePositives = 0;
    for (int i = 0; i < 100_000; i++) {
      falsePositives += keys.mightContain(hash("other-" + i)) ? 1 : 0;
    }
    assertThat(falsePositives).isLessThan(100);
  }

  @Test
  void aBudgetBelowTheFirstSetIsABloomFilterFromTheStartThatFillsUpButNeverForgets() {
    HistoryKeys keys = new HistoryKeys(32);
    assertThat(keys.exact()).isFalse();
    assertThat(keys.bytes()).isEqualTo(32);
    for (long id = 0; id < 1_000; id++) {
      keys.add(hash(id), 0);
    }
    for (long id = 0; id < 1_000; id++) {
      assertThat(keys.mightContain(hash(id))).isTrue();
    }
    assertThat(keys.mightContain(hash(-1L))).as("a full filter rules nothing out").isTrue();
  }

  @Test
  void equalKeysHashAlikeHoweverTheirValuesWereMade() {
    assertThat(hash("ana@x", 7L)).isEqualTo(HistoryKeys.hash(List.of(new String("ana@x".toCharArray()), 7L)));
    assertThat(hash(ByteBuffer.wrap(new byte[] {9, 1, 2, 3}, 1, 3)))
        .isEqualTo(hash(ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip()));
    assertThat(hash(new BigDecimal("12.50"))).isEqualTo(hash(BigDecimal.valueOf(1250, 2)));
    UUID uuid = UUID.randomUUID();
    assertThat(hash(uuid)).isEqualTo(hash(UUID.fromString(uuid.toString())));
    assertThat(hash(LocalDate.of(2026, 3, 1))).isEqualTo(hash(LocalDate.parse("2026-03-01")));
    assertThat(hash(OffsetDateTime.of(2026, 3, 1, 10, 0, 0, 0, ZoneOffset.UTC)))
        .isEqualTo(hash(OffsetDateTime.parse("2026-03-01T10:00Z")));
    assertThat(hash((Object) null)).isEqualTo(hash((Object) null));
    // keys List.equals tells apart are (almost always) told apart
    assertThat(hash(1L)).isNotEqualTo(hash(1));
    assertThat(hash("a", "bc")).isNotEqualTo(hash("ab", "c"));
    assertThat(hash(1L, 2L)).isNotEqualTo(hash(2L, 1L));
  }

  @Test
  void aBudgetTooSmallForAnyFilterIsRefused() {
    assertThatThrownBy(() -> new HistoryKeys(7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid history key budget: 7 (must be at least 8 bytes)");
  }
}
