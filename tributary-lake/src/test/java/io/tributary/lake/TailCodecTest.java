package io.tributary.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.lake.HistoryLayer.Row;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TailCodecTest {
  private static final OffsetDateTime COMMITTED = OffsetDateTime.of(2026, 12, 2, 14, 5, 6, 123_456_000,
      ZoneOffset.UTC);

  @Test
  void decodesEveryKindOfValueToAnEqualRow() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("id", 42L);
    values.put("negative", Long.MIN_VALUE);
    values.put("small", -7);
    values.put("ratio", 0.1f);
    values.put("nan", Double.NaN);
    values.put("double", -1.5e300);
    values.put("name", "ação \uD83D\uDE00");
    values.put("empty", "");
    values.put("ascii", "plain text \u007f~ 0123456789".repeat(8));
    values.put("latin", "café");
    values.put("amount", new BigDecimal("-12345.67"));
    values.put("huge", new BigDecimal(BigInteger.TEN.pow(37).negate(), 3));
    values.put("zero_scale", new BigDecimal("100"));
    values.put("negative_scale", new BigDecimal(BigInteger.ONE, -5));
    values.put("day", LocalDate.of(-44, 3, 15));
    values.put("clock", LocalTime.of(23, 59, 59, 999_999_000));
    values.put("wall", LocalDateTime.of(1969, 12, 31, 23, 59, 59, 1_000));
    values.put("instant", OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutes(-3, -30)));
    values.put("uuid", UUID.fromString("9f6c1c3e-2b1a-4c55-8f00-0123456789ab"));
    values.put("bytes", ByteBuffer.wrap(new byte[] {0, -1, 127}));
    values.put("fixed", new byte[] {1, 2, 3});
    values.put("tags", List.of("a", "b"));
    values.put("nested", Arrays.asList(List.of(1L, 2L), null, List.of()));
    values.put("missing", null);
    Row open = row("7f6c1c3e-2b1a-4c55-8f00-0123456789ab", values, COMMITTED, null, true, 12);
    Row closed = row("not a uuid", Map.of("id", 42L), LocalDate.of(2026, 1, 1), LocalDate.of(2026, 2, 1), false,
        -1);

    TailCodec codec = new TailCodec();
    byte[] encoded = codec.encode(List.of(open, closed)).orElseThrow();
    List<Row> decoded = codec.decode(encoded);

    assertThat(decoded).hasSize(2);
    assertThat(decoded.get(1)).isEqualTo(closed);
    Row first = decoded.get(0);
    assertThat(first.recordedAt()).isEqualTo(open.recordedAt());
    assertThat(first.commitTime()).isEqualTo(open.commitTime());
    Versions.Version version = first.version();
    assertThat(version).usingRecursiveComparison().ignoringFields("values").isEqualTo(open.version());
    assertThat(version.values()).containsOnlyKeys(values.keySet());
    values.forEach((name, value) -> {
      Object back = version.values().get(name);
      if (value instanceof byte[] bytes) {
        assertThat((byte[]) back).as(name).containsExactly(bytes);
      } else {
        // equals: a decimal keeps its scale, a time its offset, a float its bits
        assertThat(back).as(name).isEqualTo(value);
        if (!(value instanceof List)) {
          assertThat(back == null ? null : back.getClass()).as(name)
              .isEqualTo(value == null ? null : value.getClass());
        }
      }
    });
  }

  @Test
  void numbersColumnsPerCodecSoThatAColumnAddedLaterDecodes() {
    TailCodec codec = new TailCodec();
    Row before = row("7f6c1c3e-2b1a-4c55-8f00-0123456789ab", Map.of("id", 1L, "name", "a"), COMMITTED, null, true, 1);
    byte[] first = codec.encode(List.of(before)).orElseThrow();
    Row after = row("8f6c1c3e-2b1a-4c55-8f00-0123456789ab", Map.of("id", 1L, "name", "b", "added", 3), COMMITTED,
        null, true, 2);
    byte[] second = codec.encode(List.of(after)).orElseThrow();

    assertThat(codec.decode(first)).containsExactly(before);
    assertThat(codec.decode(second)).containsExactly(after);
  }

  @Test
  void keepsEverySurrogateKeyAsItWasWhetherItIsTheCanonicalTextOfAUuidOrNot() {
    List<String> keys = List.of("ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000-0000-0000-0000-000000000000",
        "80000000-0000-4000-8000-00000000000f", "9F6C1C3E-2B1A-4C55-8F00-0123456789AB",
        "9f6c1c3e-2b1a-4c55-8f00-0123456789ag", "9f6c1c3e+2b1a-4c55-8f00-0123456789ab",
        "9f6c1c3e-2b1a-4c55-8f00-0123456789a", "");
    List<Row> rows = keys.stream().map(sk -> row(sk, Map.of("id", 1L), COMMITTED, null, true, 3)).toList();
    TailCodec codec = new TailCodec();
    byte[] encoded = codec.encode(rows).orElseThrow();

    assertThat(codec.decode(encoded)).extracting(row -> row.version().sk()).containsExactlyElementsOf(keys);
    // a canonical key takes its 16 bytes and a tag, not its 36 characters
    byte[] one = codec.encode(rows.subList(0, 1)).orElseThrow();
    byte[] text = codec.encode(rows.subList(3, 4)).orElseThrow();
    assertThat(text.length - one.length).isEqualTo(36 + 1 - 16);
  }

  @Test
  void leavesATailWithAMapOrAStructToTheRows() {
    Map<String, Object> values = new HashMap<>();
    values.put("id", 1L);
    values.put("attributes", Map.of("k", "v"));

    assertThat(new TailCodec().encode(List.of(row("7f6c1c3e-2b1a-4c55-8f00-0123456789ab", values, COMMITTED, null,
        true, 1)))).isEqualTo(Optional.empty());
  }

  @Test
  void aRowOfTheBenchmarksTableTakesAThirdOfItsSizeAsObjects() {
    // id bigint, client_id int, amount numeric(12,2), status text, note text (160 characters), updated_at timestamptz
    Map<String, Object> values = Map.of("id", 123_456L, "client_id", 456, "amount", new BigDecimal("234.56"),
        "status", "shipped", "note", "0123456789abcdef".repeat(10), "updated_at", COMMITTED);
    List<Row> tail = List.of(row(Versions.surrogateKey("history.items", List.of(123_456L), "0/1A2B3C4D:7"), values,
        COMMITTED, null, true, 987_654));

    byte[] encoded = new TailCodec().encode(tail).orElseThrow();

    assertThat(encoded.length).isLessThan(300);
    assertThat(HistoryTails.size(List.of(123_456L), tail)).isGreaterThan(3L * encoded.length);
  }

  private static Row row(String sk, Map<String, Object> values, Object validFrom, Object validTo, boolean current,
      long transactionId) {
    Versions.Version version = new Versions.Version(sk, values, validFrom, validTo, current, "u",
        "0/1A2B3C4D:" + transactionId, transactionId, transactionId % 2 == 0 ? null : transactionId);
    return new Row(version, COMMITTED.plusSeconds(1), COMMITTED);
  }
}
