package io.tributary.core.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.core.config.CastType;
import io.tributary.core.config.HistoryConfig;
import io.tributary.core.config.Secret;
import io.tributary.core.config.ShapeConfig;
import io.tributary.core.config.TableConfig;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class TableShaperTest {
  private static final TableSchema CLIENTS = new TableSchema(new TableId("app", "public", "clients"), List.of(
      new Column("id", DataType.of(DataType.Kind.INT64), false),
      new Column("first_name", DataType.of(DataType.Kind.STRING), true),
      new Column("last_name", DataType.of(DataType.Kind.STRING), true),
      new Column("idade", DataType.of(DataType.Kind.STRING), true),
      new Column("cpf", DataType.of(DataType.Kind.STRING), true),
      new Column("notes", DataType.of(DataType.Kind.STRING), true)), List.of("id"));
  private static final Secret SALT = Secret.of("pepper");

  /** Expressions as Java functions, keyed by their text: stands in for the SQL engine. */
  private static final class FunctionExpressions implements SqlExpressions {
    final Map<String, Function<Map<String, Object>, Object>> functions;

    FunctionExpressions(Map<String, Function<Map<String, Object>, Object>> functions) {
      this.functions = functions;
    }

    @Override
    public Compiled compile(String table, TableSchema schema, Map<String, String> expressions) {
      expressions.forEach((name, text) -> {
        if (!functions.containsKey(text)) {
          throw new IllegalArgumentException("Cannot compile " + text);
        }
      });
      return new Compiled() {
        @Override
        public List<Column> columns() {
          return expressions.keySet().stream().map(name -> new Column(name, DataType.of(DataType.Kind.STRING), true))
              .toList();
        }

        @Override
        public List<ShapedRow> evaluate(List<Map<String, Object>> rows) {
          return rows.stream().map(row -> {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<String, String> expression : expressions.entrySet()) {
              try {
                values.put(expression.getKey(), functions.get(expression.getValue()).apply(row));
              } catch (RuntimeException e) {
                return ShapedRow.rejected(new Rejection(expression.getKey(), Optional.empty(), e.getMessage()));
              }
            }
            return ShapedRow.of(values);
          }).toList();
        }
      };
    }
  }

  private static final SqlExpressions EXPRESSIONS = new FunctionExpressions(Map.of(
      "first_name || ' ' || last_name", row -> row.get("first_name") + " " + row.get("last_name"),
      "1 / length(notes)", row -> {
        if (((String) row.get("notes")).isEmpty()) {
          throw new ArithmeticException("Division by zero");
        }
        return "ok";
      }));

  private static TableShaper shaper(ShapeConfig shape) {
    return new Shaping(name -> new TableConfig(name, List.of(), Optional.empty(), Optional.empty(),
        HistoryConfig.DEFAULT, shape), EXPRESSIONS).shaper(CLIENTS);
  }

  private static ShapeConfig shape(Map<String, String> rename, Map<String, CastType> cast, List<String> drop,
      List<String> mask, Map<String, String> computed) {
    return new ShapeConfig(rename, cast, drop, mask, computed, mask.isEmpty() ? Optional.empty() : Optional.of(SALT));
  }

  private static CastType type(String spelling) {
    return CastType.parse(spelling).orElseThrow();
  }

  private static Map<String, Object> client(long id, String idade, String cpf) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("first_name", "Ana");
    row.put("last_name", "Gomes");
    row.put("idade", idade);
    row.put("cpf", cpf);
    row.put("notes", "vip");
    return row;
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void renamesCastsDropsMasksAndComputes() throws Exception {
    TableShaper shaper = shaper(shape(Map.of("idade", "age", "id", "client_id"), Map.of("idade", type("int")),
        List.of("notes"), List.of("cpf"), Map.of("full_name", "first_name || ' ' || last_name")));

    assertThat(shaper.schema().columns()).containsExactly(
        new Column("client_id", DataType.of(DataType.Kind.INT64), false),
        new Column("first_name", DataType.of(DataType.Kind.STRING), true),
        new Column("last_name", DataType.of(DataType.Kind.STRING), true),
        new Column("age", DataType.of(DataType.Kind.INT32), true),
        new Column("cpf", DataType.of(DataType.Kind.STRING), true),
        new Column("full_name", DataType.of(DataType.Kind.STRING), true));
    assertThat(shaper.schema().key()).containsExactly("client_id");

    ShapedRow row = shaper.shape(client(7, " 42 ", "123.456.789-00"));
    assertThat(row.row()).containsExactly(
        Map.entry("client_id", 7L), Map.entry("first_name", "Ana"), Map.entry("last_name", "Gomes"),
        Map.entry("age", 42), Map.entry("cpf", sha256("pepper123.456.789-00")), Map.entry("full_name", "Ana Gomes"));
    assertThat(shaper.shapeKey(Map.of("id", 7L)).row()).containsExactly(Map.entry("client_id", 7L));
  }

  @Test
  void aValueThatDoesNotCastRejectsItsRowOnly() {
    TableShaper shaper = shaper(shape(Map.of("idade", "age"), Map.of("idade", type("int")), List.of(), List.of(),
        Map.of()));

    List<ShapedRow> rows = shaper.shape(List.of(client(1, "30", null), client(2, "abc", null), client(3, null, null)));

    assertThat(rows.get(0).row()).containsEntry("age", 30);
    assertThat(rows.get(1).rejection()).hasValueSatisfying(rejection -> {
      assertThat(rejection.column()).isEqualTo("idade");
      assertThat(rejection.value()).contains("abc");
      assertThat(rejection.reason()).isEqualTo("Cannot cast column idade of table clients to int: 'abc' is not an "
          + "integer (tables.clients.cast.idade; fix the value at the source or change the cast)");
    });
    assertThat(rows.get(2).row()).as("null casts to null").containsEntry("age", null);
  }

  @Test
  void castsToEveryType() {
    assertThat(Casts.cast("12", type("int"))).isEqualTo(12);
    assertThat(Casts.cast(new BigDecimal("12.000"), type("int"))).isEqualTo(12);
    assertThat(Casts.cast(12L, type("int"))).isEqualTo(12);
    assertThat(Casts.cast("9000000000", type("bigint"))).isEqualTo(9_000_000_000L);
    assertThat(Casts.cast(7, type("bigint"))).isEqualTo(7L);
    assertThat(Casts.cast("2.5", type("double"))).isEqualTo(2.5);
    assertThat(Casts.cast(new BigDecimal("2.25"), type("double"))).isEqualTo(2.25);
    assertThat(Casts.cast("yes", type("boolean"))).isEqualTo(true);
    assertThat(Casts.cast(0, type("boolean"))).isEqualTo(false);
    assertThat(Casts.cast("2026-03-04", type("date"))).isEqualTo(LocalDate.of(2026, 3, 4));
    assertThat(Casts.cast(LocalDateTime.parse("2026-03-04T10:00"), type("date"))).isEqualTo(LocalDate.of(2026, 3, 4));
    assertThat(Casts.cast("2026-03-04 10:11:12.5", type("timestamp")))
        .isEqualTo(LocalDateTime.parse("2026-03-04T10:11:12.5"));
    assertThat(Casts.cast("2026-03-04T10:11:12+02:00", type("timestamptz")))
        .isEqualTo(OffsetDateTime.parse("2026-03-04T08:11:12Z"));
    assertThat(Casts.cast("2026-03-04 10:11:12", type("timestamptz")))
        .as("without an offset: UTC").isEqualTo(OffsetDateTime.parse("2026-03-04T10:11:12Z"));
    assertThat(Casts.cast(new BigDecimal("1.50"), type("text"))).isEqualTo("1.50");
    assertThat(Casts.cast(LocalDate.of(2026, 1, 2), type("text"))).isEqualTo("2026-01-02");
    assertThat(Casts.cast("12.345", type("decimal(5,2)"))).isEqualTo(new BigDecimal("12.35"));
    assertThat(Casts.cast(3, type("decimal(5,2)"))).isEqualTo(new BigDecimal("3.00"));
  }

  @Test
  void refusesValuesThatDoNotFit() {
    assertThatThrownBy(() -> Casts.cast("4.5", type("int"))).hasMessageContaining("fractional part");
    assertThatThrownBy(() -> Casts.cast(3_000_000_000L, type("int"))).hasMessage("3000000000 is out of the range of int");
    assertThatThrownBy(() -> Casts.cast("x", type("double"))).hasMessage("'x' is not a number");
    assertThatThrownBy(() -> Casts.cast("maybe", type("boolean"))).hasMessageStartingWith("'maybe' is not a boolean");
    assertThatThrownBy(() -> Casts.cast(2, type("boolean"))).hasMessageStartingWith("2 is not a boolean");
    assertThatThrownBy(() -> Casts.cast("04/03/2026", type("date"))).hasMessageStartingWith("'04/03/2026' is not a date");
    assertThatThrownBy(() -> Casts.cast("noon", type("timestamp"))).hasMessageStartingWith("'noon' is not a timestamp");
    assertThatThrownBy(() -> Casts.cast("later", type("timestamptz")))
        .hasMessageStartingWith("'later' is not a timestamp with time zone");
    assertThatThrownBy(() -> Casts.cast("1234.5", type("decimal(5,2)")))
        .hasMessage("1234.5 has more than 3 digits before the point, too many for decimal(5,2)");
    assertThatThrownBy(() -> Casts.cast(true, type("date"))).hasMessage("a Boolean value (true) cannot be cast to date");
  }

  @Test
  void masksAreDeterministicSaltedAndKeepNulls() throws Exception {
    TableShaper shaper = shaper(shape(Map.of(), Map.of(), List.of(), List.of("cpf", "id"), Map.of()));
    TableShaper again = shaper(shape(Map.of(), Map.of(), List.of(), List.of("cpf", "id"), Map.of()));
    TableShaper otherSalt = new Shaping(name -> new TableConfig(name, List.of(), Optional.empty(), Optional.empty(),
        HistoryConfig.DEFAULT, new ShapeConfig(Map.of(), Map.of(), List.of(), List.of("cpf"), Map.of(),
            Optional.of(Secret.of("salt2")))), EXPRESSIONS).shaper(CLIENTS);

    Map<String, Object> first = shaper.shape(client(1, "1", "111")).row();
    assertThat(first.get("cpf")).isEqualTo(sha256("pepper111"));
    assertThat(first.get("id")).as("a masked key is the mask of its text").isEqualTo(sha256("pepper1"));
    assertThat(shaper.schema().column("id").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.STRING));
    assertThat(again.shape(client(2, "1", "111")).row().get("cpf")).isEqualTo(first.get("cpf"));
    assertThat(otherSalt.shape(client(1, "1", "111")).row().get("cpf")).isNotEqualTo(first.get("cpf"));
    assertThat(shaper.shape(client(3, "1", null)).row().get("cpf")).isNull();
    assertThat(shaper.toString()).doesNotContain("pepper");
    assertThat(shaper.fingerprint()).doesNotContain("pepper");
  }

  @Test
  void aFailingExpressionRejectsItsRowOnly() {
    TableShaper shaper = shaper(shape(Map.of(), Map.of(), List.of(), List.of(), Map.of("ratio", "1 / length(notes)")));
    Map<String, Object> empty = client(2, "1", null);
    empty.put("notes", "");

    List<ShapedRow> rows = shaper.shape(List.of(client(1, "1", null), empty));

    assertThat(rows.get(0).row()).containsEntry("ratio", "ok");
    assertThat(rows.get(1).rejection()).hasValueSatisfying(rejection -> {
      assertThat(rejection.column()).isEqualTo("ratio");
      assertThat(rejection.reason()).contains("Division by zero");
    });
  }

  @Test
  void aConfiguredColumnTheSourceDoesNotHaveIsAnErrorNamingTableColumnAndKey() {
    for (String key : List.of("rename", "cast", "drop", "mask")) {
      ShapeConfig config = switch (key) {
        case "rename" -> shape(Map.of("age", "years"), Map.of(), List.of(), List.of(), Map.of());
        case "cast" -> shape(Map.of(), Map.of("age", type("int")), List.of(), List.of(), Map.of());
        case "drop" -> shape(Map.of(), Map.of(), List.of("age"), List.of(), Map.of());
        default -> shape(Map.of(), Map.of(), List.of(), List.of("age"), Map.of());
      };
      assertThatThrownBy(() -> shaper(config))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot shape table clients: tables.clients." + key + " names column age, which "
              + "app:public.clients does not have (its columns: id, first_name, last_name, idade, cpf, notes; "
              + "correct the name in tables.clients." + key + " or remove it)");
    }
  }

  @Test
  void refusesShapingThatContradictsItself() {
    assertThatThrownBy(() -> shaper(shape(Map.of(), Map.of(), List.of("id"), List.of(), Map.of())))
        .hasMessageContaining("tables.clients.drop drops key column id");
    assertThatThrownBy(() -> shaper(shape(Map.of("cpf", "tax_id"), Map.of(), List.of("cpf"), List.of(), Map.of())))
        .hasMessageContaining("column cpf is in tables.clients.drop and in tables.clients.rename");
    assertThatThrownBy(() -> shaper(shape(Map.of("first_name", "last_name"), Map.of(), List.of(), List.of(), Map.of())))
        .hasMessageContaining("would both be column last_name in silver");
    assertThatThrownBy(() -> shaper(shape(Map.of(), Map.of(), List.of(), List.of(),
        Map.of("cpf", "first_name || ' ' || last_name"))))
        .hasMessageContaining("tables.clients.computed.cpf and source column cpf would both be column cpf");
    assertThatThrownBy(() -> shaper(shape(Map.of("notes", "_notes"), Map.of(), List.of(), List.of(), Map.of())))
        .hasMessageContaining("names starting with _ are Tributary's own columns");
    assertThatThrownBy(() -> shaper(shape(Map.of(), Map.of(), List.of(), List.of(), Map.of("x", "nonsense("))))
        .hasMessageContaining("Cannot compile nonsense(");
  }

  @Test
  void fingerprintChangesWithTheShapingOnly() {
    ShapeConfig one = shape(Map.of("idade", "age"), Map.of("idade", type("int")), List.of(), List.of("cpf"), Map.of());
    ShapeConfig same = shape(Map.of("idade", "age"), Map.of("idade", type("int")), List.of(), List.of("cpf"), Map.of());
    ShapeConfig other = shape(Map.of("idade", "years"), Map.of("idade", type("int")), List.of(), List.of("cpf"), Map.of());

    assertThat(TableShaper.fingerprint(one)).isEqualTo(TableShaper.fingerprint(same))
        .isNotEqualTo(TableShaper.fingerprint(other));
    assertThat(TableShaper.fingerprint(ShapeConfig.NONE)).isEmpty();
    assertThat(shaper(ShapeConfig.NONE).isIdentity()).isTrue();
    assertThat(shaper(ShapeConfig.NONE).schema()).isEqualTo(CLIENTS);
  }
}
