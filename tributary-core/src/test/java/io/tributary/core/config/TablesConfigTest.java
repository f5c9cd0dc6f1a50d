package io.tributary.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TablesConfigTest {
  private static final String SOURCES = """
      lake:
        warehouse: /lake
      sources:
        shop:
          type: postgres
          database: shop
          user: tributary
          tables: [clients, orders]
      """;
  private static final Map<String, String> ENV = Map.of("SALT", "pepper");

  @TempDir
  Path dir;

  @Test
  void readsTheHistoryExampleAsWritten() throws IOException {
    TributaryConfig config = load("""
        tables:
          clients:
            history:
              effective-from: signup_date
              track: [email, city, age]
        """);

    assertThat(config.tables()).containsOnlyKeys("clients");
    TableConfig clients = config.table("clients");
    assertThat(clients.history())
        .isEqualTo(new HistoryConfig(true, Optional.of("signup_date"), List.of("email", "city", "age")));
    assertThat(clients.key()).isEmpty();
    assertThat(clients.shape().isIdentity()).isTrue();
  }

  @Test
  void tablesWithoutAnEntryGetTheDefaults() throws IOException {
    TributaryConfig config = load("");

    assertThat(config.tables()).isEmpty();
    assertThat(config.table("orders")).isEqualTo(TableConfig.defaults("orders"));
    assertThat(config.table("orders").history()).isEqualTo(HistoryConfig.DEFAULT);
    assertThat(HistoryConfig.DEFAULT.enabled()).isTrue();
    assertThat(HistoryConfig.DEFAULT.track()).isEmpty();
  }

  @Test
  void readsEveryKeyInFileOrder() throws IOException {
    TributaryConfig config = load("""
        tables:
          clients:
            key: [email]
            sequence-by: data_cadastro
            delete-when: "operation = 'DELETE'"
            rename: {idade: age, nome: name}
            cast: {idade: int, saldo: "decimal(12, 2)", ativo: boolean}
            drop: [notes]
            mask: [cpf]
            mask-salt: ${env:SALT}
            computed:
              full_name: "nome || ' ' || sobrenome"
            history:
              enabled: false
        """);

    TableConfig clients = config.table("clients");
    assertThat(clients.key()).containsExactly("email");
    assertThat(clients.sequenceBy()).contains("data_cadastro");
    assertThat(clients.deleteWhen()).contains("operation = 'DELETE'");
    assertThat(clients.history().enabled()).isFalse();
    ShapeConfig shape = clients.shape();
    assertThat(shape.rename()).containsExactly(Map.entry("idade", "age"), Map.entry("nome", "name"));
    assertThat(shape.cast()).containsExactly(
        Map.entry("idade", CastType.parse("int").orElseThrow()),
        Map.entry("saldo", new CastType(CastType.Kind.DECIMAL, OptionalInt.of(12), OptionalInt.of(2))),
        Map.entry("ativo", CastType.parse("boolean").orElseThrow()));
    assertThat(shape.drop()).containsExactly("notes");
    assertThat(shape.mask()).containsExactly("cpf");
    assertThat(shape.maskSalt().orElseThrow().reveal()).isEqualTo("pepper");
    assertThat(shape.maskSalt().orElseThrow().toString()).doesNotContain("pepper");
    assertThat(shape.computed()).containsExactly(Map.entry("full_name", "nome || ' ' || sobrenome"));
    assertThat(shape.isIdentity()).isFalse();
  }

  @Test
  void castTypesReadAsTheyAreSpelled() {
    assertThat(CastType.parse(" BIGINT ").orElseThrow().kind()).isEqualTo(CastType.Kind.BIGINT);
    assertThat(CastType.parse("decimal(38,0)").orElseThrow()).hasToString("decimal(38,0)");
    assertThat(CastType.parse("timestamptz").orElseThrow()).hasToString("timestamptz");
    assertThat(CastType.parse("decimal(39,2)")).isEmpty();
    assertThat(CastType.parse("decimal(5,6)")).isEmpty();
    assertThat(CastType.parse("integer")).isEmpty();
  }

  @Test
  void rejectsAnUnknownKeyWithASuggestion() throws IOException {
    assertError("""
        tables:
          clients:
            histroy:
              track: [city]
        """, "Unknown key tables.clients.histroy at line 11 of %s (did you mean history?)");
    assertError("""
        tables:
          clients:
            history:
              effective_from: signup_date
        """, "Unknown key tables.clients.history.effective_from at line 12 of %s (did you mean effective-from?)");
  }

  @Test
  void rejectsABadCastType() throws IOException {
    assertError("""
        tables:
          clients:
            cast: {idade: integer}
        """, "Invalid value for tables.clients.cast.idade at line 11 of %s: 'integer' is not a type a column can "
        + "be cast to (use one of: " + CastType.SPELLINGS + " (decimal precision 1 to 38))");
  }

  @Test
  void rejectsAMaskWithoutSalt() throws IOException {
    assertError("""
        tables:
          clients:
            mask: [cpf]
        """, "Missing required key tables.clients.mask-salt at line 10 of %s (masking needs a salt: add "
        + "mask-salt: ${env:NAME} under tables.clients)");
  }

  @Test
  void rejectsConflictingShapes() throws IOException {
    assertError("""
        tables:
          clients:
            rename: {idade: age}
            drop: [idade]
        """, "Invalid value for tables.clients.drop at line 12 of %s: column idade is dropped but also listed in "
        + "rename (a dropped column is not in silver: remove it from one of the two)");
    assertError("""
        tables:
          clients:
            rename: {nome: name, apelido: name}
        """, "Invalid value for tables.clients.rename at line 11 of %s: columns nome and apelido are both renamed "
        + "to name (give them different names)");
    assertError("""
        tables:
          clients:
            computed: {_score: "1"}
        """, "Invalid value for tables.clients.computed._score at line 11 of %s: '_score' starts with _, which "
        + "Tributary keeps for its own columns (choose a name that starts with a letter)");
  }

  @Test
  void rejectsBadColumnLists() throws IOException {
    assertError("""
        tables:
          clients:
            history:
              track: [city, city]
        """, "Invalid value for tables.clients.history.track[1] at line 12 of %s: column city is listed twice "
        + "(remove one of them)");
    assertError("""
        tables:
          clients:
            key: []
        """, "Invalid value for tables.clients.key at line 11 of %s: the list is empty (list at least one column, "
        + "or remove the key)");
    assertError("""
        tables:
          clients:
            history:
              enabled: maybe
        """, "Invalid value for tables.clients.history.enabled at line 12 of %s: 'maybe' is not true or false "
        + "(write true or false)");
  }

  private TributaryConfig load(String tables) throws IOException {
    return TributaryConfig.load(write(tables), ENV);
  }

  private Path write(String tables) throws IOException {
    return Files.writeString(dir.resolve("tributary.yaml"), SOURCES + tables);
  }

  private void assertError(String tables, String message) throws IOException {
    Path file = write(tables);
    assertThatThrownBy(() -> TributaryConfig.load(file, ENV))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message.formatted(file));
  }
}
