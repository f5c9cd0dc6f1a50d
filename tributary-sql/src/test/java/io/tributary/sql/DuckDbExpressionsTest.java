package io.tributary.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.core.shape.ShapedRow;
import io.tributary.core.shape.SqlExpressions;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DuckDbExpressionsTest {
  private static final TableSchema CLIENTS = new TableSchema(new TableId("app", "public", "clients"), List.of(
      new Column("id", DataType.of(DataType.Kind.INT64), false),
      new Column("first_name", DataType.of(DataType.Kind.STRING), true),
      new Column("last_name", DataType.of(DataType.Kind.STRING), true),
      new Column("idade", DataType.of(DataType.Kind.STRING), true),
      new Column("balance", DataType.decimal(10, 2), true),
      new Column("signup", DataType.of(DataType.Kind.TIMESTAMPTZ), true)), List.of("id"));

  private static DuckDbExpressions expressions;

  @BeforeAll
  static void start() {
    expressions = new DuckDbExpressions();
  }

  @AfterAll
  static void stop() {
    expressions.close();
  }

  private static Map<String, String> computed(String... namesAndExpressions) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndExpressions.length; i += 2) {
      map.put(namesAndExpressions[i], namesAndExpressions[i + 1]);
    }
    return map;
  }

  private static Map<String, Object> client(long id, String first, String idade, String balance) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("first_name", first);
    row.put("last_name", "Gomes");
    row.put("idade", idade);
    row.put("balance", balance == null ? null : new BigDecimal(balance));
    row.put("signup", OffsetDateTime.parse("2026-03-04T23:30:00Z"));
    return row;
  }

  @Test
  void derivesTypesAndEvaluatesOverTheBatch() {
    SqlExpressions.Compiled compiled = expressions.compile("clients", CLIENTS, computed(
        "full_name", "first_name || ' ' || last_name",
        "doubled", "balance * 2",
        "signup_day", "CAST(signup AS DATE)",
        "next_id", "id + 1",
        "adult", "CAST(idade AS INTEGER) >= 18"));

    assertThat(compiled.columns()).extracting(Column::type).containsExactly(
        DataType.of(DataType.Kind.STRING), DataType.decimal(18, 2), DataType.of(DataType.Kind.DATE),
        DataType.of(DataType.Kind.INT64), DataType.of(DataType.Kind.BOOLEAN));
    List<ShapedRow> rows = compiled.evaluate(List.of(client(1, "Ana", "30", "10.25"), client(2, null, "12", null)));

    assertThat(rows.get(0).row()).containsExactly(Map.entry("full_name", "Ana Gomes"),
        Map.entry("doubled", new BigDecimal("20.50")), Map.entry("signup_day", LocalDate.of(2026, 3, 4)),
        Map.entry("next_id", 2L), Map.entry("adult", true));
    assertThat(rows.get(1).row()).containsEntry("full_name", null).containsEntry("doubled", null)
        .containsEntry("adult", false);
  }

  @Test
  void rejectsOnlyTheRowsWhoseExpressionFails() {
    SqlExpressions.Compiled compiled = expressions.compile("clients", CLIENTS, computed(
        "full_name", "first_name || ' ' || last_name",
        "age", "CAST(idade AS INTEGER)"));
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(client(i, "c" + i, i == 17 || i == 80 ? "unknown" : Integer.toString(i), "1.00"));
    }

    List<ShapedRow> rows = compiled.evaluate(batch);

    assertThat(rows).hasSize(100);
    for (int i = 0; i < 100; i++) {
      if (i == 17 || i == 80) {
        assertThat(rows.get(i).rejection()).hasValueSatisfying(rejection -> {
          assertThat(rejection.column()).isEqualTo("age");
          assertThat(rejection.reason()).startsWith("Cannot compute column age of table clients: Conversion Error")
              .contains("unknown");
        });
      } else {
        assertThat(rows.get(i).row()).containsEntry("age", i).containsEntry("full_name", "c" + i + " Gomes");
      }
    }
  }

  @Test
  void anExpressionThatDoesNotCompileNamesTheTableColumnAndKey() {
    assertThatThrownBy(() -> expressions.compile("clients", CLIENTS, computed("x", "upper(nickname)")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot compute column x of table clients: its expression upper(nickname) does not "
            + "compile: Binder Error")
        .hasMessageContaining("nickname")
        .hasMessageEndingWith("(correct tables.clients.computed.x; it reads the source columns id, first_name, "
            + "last_name, idade, balance, signup)");
    assertThatThrownBy(() -> expressions.compile("clients", CLIENTS, computed("total", "sum(balance)")))
        .hasMessageStartingWith("Cannot compute column total of table clients: its expression sum(balance) does not compile");
  }
}
