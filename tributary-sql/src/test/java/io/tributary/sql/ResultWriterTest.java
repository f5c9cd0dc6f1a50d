package io.tributary.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultWriterTest {
  private static final QueryResult MIXED = new QueryResult(
      List.of("id", "name", "price", "at", "tags"),
      List.of("INTEGER", "VARCHAR", "DECIMAL(38,2)", "TIMESTAMP", "VARCHAR[]"),
      List.of(
          List.of(1, "plain", new BigDecimal("12345678901234567890.12"), LocalDateTime.of(2024, 5, 1, 10, 15, 30),
              List.of("a", "b")),
          Arrays.asList(20, "a,b \"q\"\nnext", null, null, null)));

  @Test
  void tableAlignsColumnsRightAlignsNumbersAndCountsRows() {
    assertThat(write(MIXED, ResultFormat.TABLE)).isEqualTo(""
        + "id | name          |                   price | at                  | tags\n"
        + "---+---------------+-------------------------+---------------------+----------\n"
        + " 1 | plain         | 12345678901234567890.12 | 2024-05-01T10:15:30 | [\"a\",\"b\"]\n"
        + "20 | a,b \"q\"\\nnext |                    NULL | NULL                | NULL\n"
        + "(2 rows)\n");
  }

  @Test
  void tableSaysOneRowAndZeroRows() {
    QueryResult one = new QueryResult(List.of("n"), List.of("BIGINT"), List.of(List.of(7L)));
    QueryResult none = new QueryResult(List.of("name"), List.of("VARCHAR"), List.of());

    assertThat(write(one, ResultFormat.TABLE)).isEqualTo("n\n-\n7\n(1 row)\n");
    assertThat(write(none, ResultFormat.TABLE)).isEqualTo("name\n----\n(0 rows)\n");
  }

  @Test
  void csvFollowsRfc4180WithAHeaderAndNothingElse() {
    assertThat(write(MIXED, ResultFormat.CSV)).isEqualTo(""
        + "id,name,price,at,tags\r\n"
        + "1,plain,12345678901234567890.12,2024-05-01T10:15:30,\"[\"\"a\"\",\"\"b\"\"]\"\r\n"
        + "20,\"a,b \"\"q\"\"\nnext\",,,\r\n");
  }

  @Test
  void csvKeepsAnEmptyStringApartFromNull() {
    QueryResult result = new QueryResult(List.of("a", "b"), List.of("VARCHAR", "VARCHAR"),
        List.of(Arrays.asList("", null)));

    assertThat(write(result, ResultFormat.CSV)).isEqualTo("a,b\r\n\"\",\r\n");
  }

  @Test
  void jsonIsAnArrayOfObjectsWithExactDecimalsAndEscapedStrings() {
    assertThat(write(MIXED, ResultFormat.JSON)).isEqualTo(""
        + "[\n"
        + "  {\"id\":1,\"name\":\"plain\",\"price\":12345678901234567890.12,\"at\":\"2024-05-01T10:15:30\","
        + "\"tags\":[\"a\",\"b\"]},\n"
        + "  {\"id\":20,\"name\":\"a,b \\\"q\\\"\\nnext\",\"price\":null,\"at\":null,\"tags\":null}\n"
        + "]\n");
  }

  @Test
  void jsonWritesEveryValueKind() {
    Map<String, Object> struct = new LinkedHashMap<>();
    struct.put("k", 1);
    struct.put("v", null);
    QueryResult result = new QueryResult(
        List.of("b", "f", "nan", "d", "t", "tz", "u", "bin", "s", "ctl"),
        List.of("BOOLEAN", "DOUBLE", "DOUBLE", "DATE", "TIME", "TIMESTAMP WITH TIME ZONE", "UUID", "BLOB",
            "STRUCT(k INTEGER, v INTEGER)", "VARCHAR"),
        List.of(List.of(true, 1.5d, Double.NaN, LocalDate.of(2024, 2, 29), LocalTime.of(8, 0),
            OffsetDateTime.of(2024, 5, 1, 13, 0, 0, 500_000_000, ZoneOffset.UTC),
            UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), new byte[] {0, 10, (byte) 0xff}, struct,
            "tab\there\u0001\\")));

    assertThat(write(result, ResultFormat.JSON)).isEqualTo(""
        + "[\n"
        + "  {\"b\":true,\"f\":1.5,\"nan\":\"NaN\",\"d\":\"2024-02-29\",\"t\":\"08:00:00\","
        + "\"tz\":\"2024-05-01T13:00:00.5Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\",\"bin\":\"000aff\","
        + "\"s\":{\"k\":1,\"v\":null},\"ctl\":\"tab\\there\\u0001\\\\\"}\n"
        + "]\n");
  }

  @Test
  void jsonOfNoRowsIsAnEmptyArray() {
    QueryResult none = new QueryResult(List.of("a"), List.of("INTEGER"), List.of());

    assertThat(write(none, ResultFormat.JSON)).isEqualTo("[]\n");
  }

  @Test
  void decimalsFromDuckDbKeepTheirDigitsEndToEnd(@TempDir Path directory) throws Exception {
    try (TestLake lake = new TestLake(directory); LakeSqlEngine engine = new LakeSqlEngine(lake.catalog)) {
      QueryResult result = engine.query(
          "SELECT CAST('12345678901234567890.12' AS DECIMAL(38,2)) AS amount, 'x,\"y\"' AS label, NULL AS nothing");

      assertThat(write(result, ResultFormat.JSON))
          .isEqualTo("[\n  {\"amount\":12345678901234567890.12,\"label\":\"x,\\\"y\\\"\",\"nothing\":null}\n]\n");
      assertThat(write(result, ResultFormat.CSV))
          .isEqualTo("amount,label,nothing\r\n12345678901234567890.12,\"x,\"\"y\"\"\",\r\n");
    }
  }

  @Test
  void formatsParseIgnoringCaseAndRejectUnknownNames() {
    assertThat(ResultFormat.parse("csv")).isEqualTo(ResultFormat.CSV);
    assertThat(ResultFormat.parse("Json")).isEqualTo(ResultFormat.JSON);
    assertThat(ResultFormat.parse(" TABLE ")).isEqualTo(ResultFormat.TABLE);
    assertThatThrownBy(() -> ResultFormat.parse("xml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid result format 'xml' (use one of: table, csv, json)");
  }

  @Test
  void queryResultRejectsRowsOfTheWrongWidth() {
    assertThatThrownBy(() -> new QueryResult(List.of("a", "b"), List.of("INTEGER", "INTEGER"), List.of(List.of(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid query result: row 0 has 1 values but there are 2 columns");
  }

  private static String write(QueryResult result, ResultFormat format) {
    StringBuilder out = new StringBuilder();
    ResultWriter.write(result, format, out);
    return out.toString();
  }
}
