package io.tributary.sources.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.core.config.CastType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FeedTableTest {
  private static final TableId USERS = new TableId("users", "", "users");
  private static final Position AT = FeedPositions.position(1, "{}");
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void recordsAreUpsertsOrDeletesOfTheirKey() {
    FeedTable table = new FeedTable(USERS, List.of("userId"), Optional.of("operation = 'DELETE'"), Map.of());

    ChangeEvent upsert = accepted(table.record(json("{\"userId\": 1, \"name\": \"Ana\", \"operation\": \"UPSERT\"}"), AT, NOW));
    assertThat(upsert.operation()).isEqualTo(Operation.UPDATE);
    assertThat(upsert.after()).contains(Map.of("userId", 1L, "name", "Ana", "operation", "UPSERT"));
    assertThat(upsert.schema().key()).containsExactly("userId");
    assertThat(upsert.table()).isEqualTo(USERS);

    ChangeEvent delete = accepted(table.record(json("{\"userId\": 1, \"operation\": \"DELETE\"}"), AT, NOW));
    assertThat(delete.operation()).isEqualTo(Operation.DELETE);
    assertThat(delete.before().orElseThrow()).containsEntry("userId", 1L);
    assertThat(delete.after()).isEmpty();
  }

  @Test
  void columnsTakeTheTypeOfTheirFirstValueAndLaterValuesMustFit() {
    FeedTable table = new FeedTable(USERS, List.of("id"), Optional.empty(), Map.of());
    ChangeEvent first = accepted(table.record(json("{\"id\": 1, \"score\": 10, \"ratio\": 0.5, \"tags\": [1, 2]}"), AT, NOW));
    assertThat(first.schema().column("score").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.INT64));
    assertThat(first.schema().column("ratio").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.FLOAT64));
    assertThat(first.schema().column("tags").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.JSON));
    assertThat(first.after().orElseThrow()).containsEntry("tags", "[1,2]");

    // a whole number fits a double column; a string that reads as a number fits a bigint column
    ChangeEvent second = accepted(table.record(json("{\"id\": 2, \"score\": \"11\", \"ratio\": 3}"), AT, NOW));
    assertThat(second.after().orElseThrow()).containsEntry("score", 11L).containsEntry("ratio", 3.0);
    assertThat(second.schema()).isSameAs(first.schema());

    assertThat(table.record(json("{\"id\": 3, \"score\": 12.5}"), AT, NOW)).isEqualTo(new FeedTable.Rejected(
        "column score: 12.5 is not a bigint (the column is bigint, its type comes from its first value; declare it "
            + "under columns: to choose another)", Optional.of("score"), Optional.of("12.5"), Map.of("id", 3L)));
    assertThat(table.record(json("{\"score\": 1}"), AT, NOW)).isEqualTo(new FeedTable.Rejected(
        "key column id is missing (every record needs its key: id)"));

    ChangeEvent widened = accepted(table.record(json("{\"id\": 4, \"city\": \"Porto\"}"), AT, NOW));
    assertThat(widened.schema().columns()).extracting(column -> column.name())
        .containsExactly("id", "score", "ratio", "tags", "city");
  }

  @Test
  void declaredColumnsConvertTextSuchAsCsvValues() {
    FeedTable table = new FeedTable(USERS, List.of("id"), Optional.empty(), Map.of(
        "id", CastType.parse("int").orElseThrow(),
        "signed_up", CastType.parse("date").orElseThrow(),
        "amount", CastType.parse("decimal(10,2)").orElseThrow()));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", "7");
    row.put("signed_up", "2024-02-29");
    row.put("amount", "12.5");
    row.put("note", null);

    ChangeEvent event = accepted(table.record(row, AT, NOW));
    assertThat(event.after().orElseThrow()).containsEntry("id", 7).containsEntry("signed_up", LocalDate.of(2024, 2, 29))
        .containsEntry("amount", new BigDecimal("12.50")).doesNotContainKey("note");

    row.put("signed_up", "yesterday");
    assertThat(table.record(row, AT, NOW)).isEqualTo(new FeedTable.Rejected(
        "column signed_up: 'yesterday' is not a date (the column is date, declared under columns)",
        Optional.of("signed_up"), Optional.of("yesterday"), Map.of("id", "7")));
  }

  @Test
  void typesSurviveARestartThroughTheResumeToken() {
    FeedTable table = new FeedTable(USERS, List.of("id"), Optional.empty(), Map.of());
    accepted(table.record(json("{\"id\": 1, \"amount\": 2.5}"), AT, NOW));

    FeedTable restarted = new FeedTable(USERS, List.of("id"), Optional.empty(), Map.of());
    restarted.restore(table.types());
    // the first value after the restart is whole, yet the column stays double as the lake holds it
    ChangeEvent event = accepted(restarted.record(json("{\"id\": 2, \"amount\": 3}"), AT, NOW));
    assertThat(event.schema().column("amount").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.FLOAT64));
    assertThat(table.types()).isEqualTo(Map.of("id", "int64", "amount", "float64"));
  }

  private static Map<String, Object> json(String text) {
    return JsonRecords.parseObject(text);
  }

  private static ChangeEvent accepted(FeedTable.Result result) {
    assertThat(result).isInstanceOf(FeedTable.Accepted.class);
    return ((FeedTable.Accepted) result).event();
  }
}
