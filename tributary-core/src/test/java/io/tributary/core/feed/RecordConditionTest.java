package io.tributary.core.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordConditionTest {
  @Test
  void comparesTextAndNumbers() {
    RecordCondition condition = RecordCondition.parse("operation = 'DELETE'");
    assertThat(condition.test(Map.of("operation", "DELETE"))).isTrue();
    assertThat(condition.test(Map.of("operation", "delete"))).isFalse();
    assertThat(condition.test(Map.of())).isFalse();

    RecordCondition amount = RecordCondition.parse("amount >= 10.5 AND amount < 100");
    assertThat(amount.test(Map.of("amount", 10.5))).isTrue();
    assertThat(amount.test(Map.of("amount", 100L))).isFalse();
    // CSV values are text: a number compares with text that reads as one
    assertThat(amount.test(Map.of("amount", "42"))).isTrue();
    assertThat(RecordCondition.parse("n <> -1").test(Map.of("n", -1L))).isFalse();
  }

  @Test
  void followsSqlLogicForNulls() {
    Map<String, Object> record = new HashMap<>();
    record.put("deleted_at", null);
    record.put("status", "gone");
    assertThat(RecordCondition.parse("deleted_at IS NOT NULL").test(record)).isFalse();
    assertThat(RecordCondition.parse("deleted_at IS NULL").test(record)).isTrue();
    assertThat(RecordCondition.parse("deleted_at = 1").test(record)).isFalse();
    assertThat(RecordCondition.parse("NOT deleted_at = 1").test(record)).isFalse();
    assertThat(RecordCondition.parse("deleted_at = 1 OR status = 'gone'").test(record)).isTrue();
    assertThat(RecordCondition.parse("(deleted_at = 1 OR status = 'gone') AND NOT status IN ('kept', 'new')")
        .test(record)).isTrue();
    assertThat(RecordCondition.parse("status NOT IN ('gone')").test(record)).isFalse();
  }

  @Test
  void readsBooleansQuotedNamesAndEscapedQuotes() {
    assertThat(RecordCondition.parse("is_deleted").test(Map.of("is_deleted", true))).isTrue();
    assertThat(RecordCondition.parse("is_deleted = TRUE").test(Map.of("is_deleted", false))).isFalse();
    assertThat(RecordCondition.parse("\"op type\" = 'it''s'").test(Map.of("op type", "it's"))).isTrue();
    assertThat(RecordCondition.parse("a = 1 or b = 2").columns()).containsExactly("a", "b");
  }

  @Test
  void refusesWhatItDoesNotSupportSayingWhere() {
    assertThatThrownBy(() -> RecordCondition.parse("operation = 'DELETE"))
        .hasMessage("Invalid condition 'operation = 'DELETE': the quote at character 13 is not closed (close it with ')");
    assertThatThrownBy(() -> RecordCondition.parse("operation LIKE 'D%'"))
        .hasMessageStartingWith("Invalid condition 'operation LIKE 'D%'': unexpected LIKE at character 11");
    assertThatThrownBy(() -> RecordCondition.parse("a = 1 AND"))
        .hasMessageStartingWith("Invalid condition 'a = 1 AND': a condition is missing at the end");
    assertThatThrownBy(() -> RecordCondition.parse("upper(a) = 'X'"))
        .hasMessageStartingWith("Invalid condition 'upper(a) = 'X'': unexpected ( at character 6");
  }
}
