package io.tributary.sources.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.DataType;
import io.tributary.api.DataType.Kind;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PgTextValuesTest {
  /** numeric(p,s) as PostgreSQL stores it in atttypmod. */
  private static int numeric(int precision, int scale) {
    return ((precision << 16) | scale) + 4;
  }

  @Test
  void mapsTypesAsTheDebeziumPathDoes() {
    assertThat(PgTextValues.dataType(PgOids.INT2, -1)).isEqualTo(DataType.of(Kind.INT16));
    assertThat(PgTextValues.dataType(PgOids.INT8, -1)).isEqualTo(DataType.of(Kind.INT64));
    assertThat(PgTextValues.dataType(PgOids.NUMERIC, numeric(12, 2))).isEqualTo(DataType.decimal(12, 2));
    assertThat(PgTextValues.dataType(PgOids.NUMERIC, numeric(39, 2))).isEqualTo(DataType.of(Kind.STRING));
    assertThat(PgTextValues.dataType(PgOids.NUMERIC, -1)).isEqualTo(DataType.of(Kind.STRING));
    assertThat(PgTextValues.dataType(PgOids.TIMESTAMPTZ, -1)).isEqualTo(DataType.of(Kind.TIMESTAMPTZ));
    assertThat(PgTextValues.dataType(1009, -1)).isEqualTo(DataType.list(DataType.of(Kind.STRING)));
    assertThat(PgTextValues.dataType(1231, numeric(5, 1))).isEqualTo(DataType.list(DataType.decimal(5, 1)));
    assertThat(PgTextValues.dataType(PgOids.BIT, 1)).isEqualTo(DataType.of(Kind.BOOLEAN));
    assertThat(PgTextValues.dataType(PgOids.INTERVAL, -1)).isEqualTo(DataType.of(Kind.STRING));
    assertThat(PgTextValues.dataType(123456, -1)).as("an OID without a mapping").isEqualTo(DataType.of(Kind.STRING));
  }

  @Test
  void decodesTextForms() {
    assertThat(PgTextValues.decode(PgOids.INT2, -1, "-7")).isEqualTo(-7);
    assertThat(PgTextValues.decode(PgOids.BOOL, -1, "t")).isEqualTo(true);
    assertThat(PgTextValues.decode(PgOids.FLOAT4, -1, "1.5")).isEqualTo(1.5f);
    assertThat(PgTextValues.decode(PgOids.FLOAT8, -1, "NaN")).isEqualTo(Double.NaN);
    assertThat(PgTextValues.decode(PgOids.NUMERIC, numeric(12, 2), "1.50")).isEqualTo(new BigDecimal("1.50"));
    assertThat(PgTextValues.decode(PgOids.NUMERIC, -1, "1.500")).isEqualTo("1.5");
    assertThat(PgTextValues.decode(PgOids.NUMERIC, -1, "1500")).isEqualTo("1500");
    assertThat(PgTextValues.decode(PgOids.NUMERIC, -1, "NaN")).isEqualTo("NaN");
    assertThat(PgTextValues.decode(PgOids.MONEY, -1, "-$1,234.50")).isEqualTo("-1234.50");
    assertThat(PgTextValues.decode(PgOids.DATE, -1, "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
    assertThat(PgTextValues.decode(PgOids.DATE, -1, "0044-03-15 BC")).isEqualTo(LocalDate.of(-43, 3, 15));
    assertThat(PgTextValues.decode(PgOids.TIME, -1, "10:15:30.123456")).isEqualTo(LocalTime.of(10, 15, 30, 123_456_000));
    assertThat(PgTextValues.decode(PgOids.TIMESTAMP, -1, "2024-01-01 10:00:00.5"))
        .isEqualTo(LocalDateTime.of(2024, 1, 1, 10, 0, 0, 500_000_000));
    assertThat(PgTextValues.decode(PgOids.TIMESTAMPTZ, -1, "2024-01-01 10:00:00+05:30"))
        .isEqualTo(OffsetDateTime.of(2024, 1, 1, 4, 30, 0, 0, ZoneOffset.UTC));
    assertThat(PgTextValues.decode(PgOids.TIMESTAMPTZ, -1, "2024-01-01 01:00:00.25-01"))
        .isEqualTo(OffsetDateTime.of(2024, 1, 1, 2, 0, 0, 250_000_000, ZoneOffset.UTC));
    assertThat(PgTextValues.decode(PgOids.TIMETZ, -1, "10:15:30+02")).isEqualTo("08:15:30Z");
    assertThat(PgTextValues.decode(PgOids.INTERVAL, -1, "1 year 2 mons -3 days +04:05:06.78"))
        .isEqualTo("P1Y2M-3DT4H5M6.78S");
    assertThat(PgTextValues.decode(PgOids.INTERVAL, -1, "00:00:00")).isEqualTo("P0Y0M0DT0H0M0S");
    assertThat(PgTextValues.decode(PgOids.UUID, -1, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        .isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    assertThat(PgTextValues.decode(PgOids.BYTEA, -1, "\\x00ff10")).isEqualTo(ByteBuffer.wrap(new byte[] {0, -1, 16}));
    assertThat(PgTextValues.decode(PgOids.JSONB, -1, "{\"a\": 1}")).isEqualTo("{\"a\": 1}");
    assertThat(PgTextValues.decode(1009, -1, "{a,\"b c\",NULL,\"NULL\",\"x\\\"y\"}"))
        .isEqualTo(Arrays.asList("a", "b c", null, "NULL", "x\"y"));
    assertThat(PgTextValues.decode(1007, -1, "{}")).isEqualTo(Arrays.asList());
    assertThat(PgTextValues.decode(1007, -1, "{1,2}")).isEqualTo(Arrays.asList(1, 2));
  }

  @Test
  void readsCommonTimestamptzTextAsTheGeneralPathDoes() {
    java.util.Random random = new java.util.Random(42);
    String[] zones = {"+00", "-01", "+05:30", "-03:30", "+13", "+05:45:15", "-09:00:30", "+14"};
    for (int i = 0; i < 20_000; i++) {
      LocalDateTime local = LocalDateTime.of(1 + random.nextInt(9998), 1 + random.nextInt(12), 1, 0, 0)
          .plusDays(random.nextInt(31)).plusSeconds(random.nextInt(86_400));
      int digits = random.nextInt(7);
      String fraction = digits == 0 ? "" : "." + String.format("%06d", random.nextInt(1_000_000)).substring(0, digits);
      String text = String.format("%04d-%02d-%02d %02d:%02d:%02d", local.getYear(), local.getMonthValue(),
          local.getDayOfMonth(), local.getHour(), local.getMinute(), local.getSecond())
          + fraction + zones[random.nextInt(zones.length)];
      assertThat(PgTextValues.commonTimestamptz(text)).as(text).isEqualTo(PgTextValues.anyTimestamptz(text))
          .isNotNull();
    }
    assertThat(PgTextValues.commonTimestamptz("2024-02-29 23:59:59.999999-12"))
        .isEqualTo(OffsetDateTime.of(2024, 3, 1, 11, 59, 59, 999_999_000, ZoneOffset.UTC));
  }

  @Test
  void leavesOtherTimestamptzTextToTheGeneralPath() {
    for (String text : new String[] {"0044-03-15 10:00:00+00 BC", "12024-01-01 10:00:00+00", "infinity", "-infinity",
        "2023-02-29 10:00:00+00", "2024-13-01 10:00:00+00", "2024-01-01 24:00:00+00", "2024-01-01 10:60:00+00",
        "2024-01-01 10:00:00.+00", "2024-01-01 10:00:00.1234567+00", "2024-01-01 10:00:00+1", "2024-01-01 10:00:00+05:3",
        "2024-01-01 10:00:00+05:30:1", "2024-01-01 10:00:00+05:30:10x", "2024-01-01 10:00:00Z", "2024-01-01T10:00:00+00",
        "2024-01-01 10:00:00+18", "2024-01-01 10:00:00+05:60", "2024-01-01 1a:00:00+00"}) {
      assertThat(PgTextValues.commonTimestamptz(text)).as(text).isNull();
    }
    assertThat(PgTextValues.decode(PgOids.TIMESTAMPTZ, -1, "0044-03-15 10:00:00+02 BC"))
        .isEqualTo(OffsetDateTime.of(-43, 3, 15, 8, 0, 0, 0, ZoneOffset.UTC));
    assertThatThrownBy(() -> PgTextValues.decode(PgOids.TIMESTAMPTZ, -1, "2024-01-01 24:00:00+00"))
        .isInstanceOf(PgValueException.class).hasMessageContaining("2024-01-01 24:00:00+00");
  }

  @Test
  void hstoreBecomesJson() {
    PgType hstore = new PgType(99999, "hstore", PgType.HSTORE, -1, java.util.Optional.empty());
    assertThat(PgTextValues.decode(hstore, -1, "\"a\"=>\"1\", \"b\"=>NULL, \"q\\\"\"=>\"x\""))
        .isEqualTo("{\"a\":\"1\",\"b\":null,\"q\\\"\":\"x\"}");
  }

  @Test
  void valuesWithoutALakeValueSayWhy() {
    assertThatThrownBy(() -> PgTextValues.decode(PgOids.NUMERIC, numeric(10, 2), "NaN"))
        .isInstanceOf(PgValueException.class)
        .hasMessage("Cannot store numeric NaN in a column of type decimal(10,2): a decimal holds numbers only "
            + "(make the column unconstrained numeric, or fix the row)");
    assertThatThrownBy(() -> PgTextValues.decode(PgOids.TIMESTAMP, -1, "infinity"))
        .isInstanceOf(PgValueException.class)
        .hasMessageStartingWith("Cannot store timestamp infinity");
    assertThatThrownBy(() -> PgTextValues.decode(PgOids.INT4, -1, "x1"))
        .isInstanceOf(PgValueException.class)
        .hasMessageStartingWith("Cannot read 'x1' as a value of type int4");
    assertThatThrownBy(() -> PgTextValues.decode(1007, -1, "{{1},{2}}"))
        .isInstanceOf(PgValueException.class)
        .hasMessageContaining("more than one dimension");
  }
}
