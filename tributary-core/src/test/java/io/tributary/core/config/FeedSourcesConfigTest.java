package io.tributary.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedSourcesConfigTest {
  /** The example of the feeds' issue, as written, under a lake section. */
  static final String ISSUE_EXAMPLE = """
      sources:
        users:
          type: files
          path: /data/users-in
          format: jsonl
        clients:
          type: kafka
          bootstrap-servers: 127.0.0.1:9092
          topic: clients
          format: json
      tables:
        users:
          key: [userId]
          sequence-by: sequenceNum
          delete-when: "operation = 'DELETE'"
          history:
            effective-from: sequenceNum
        clients:
          key: [email]
          sequence-by: data_cadastro
          history:
            effective-from: data_cadastro
      """;

  @TempDir Path dir;

  @Test
  void readsTheFeedExampleAsWritten() throws IOException {
    TributaryConfig config = load("lake: {warehouse: /lake}\n" + ISSUE_EXAMPLE);

    FilesSourceConfig users = (FilesSourceConfig) config.sources().get("users");
    assertThat(users.table()).isEqualTo("users");
    assertThat(users.path()).isEqualTo(Path.of("/data/users-in"));
    assertThat(users.format()).isEqualTo(FilesSourceConfig.Format.JSONL);
    assertThat(users.glob()).isEqualTo("*");
    assertThat(users.archive()).isEmpty();
    assertThat(users.settleTime()).isEmpty();
    assertThat(users.pollInterval()).isEqualTo(Duration.ofSeconds(1));
    KafkaSourceConfig clients = (KafkaSourceConfig) config.sources().get("clients");
    assertThat(clients.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(clients.topic()).isEqualTo("clients");
    assertThat(clients.format()).isEqualTo(KafkaSourceConfig.Format.JSON);
    assertThat(clients.start()).isEqualTo(KafkaSourceConfig.Start.EARLIEST);
    assertThat(clients.lakeTables()).containsValue("clients");
    assertThat(config.table("users").key()).containsExactly("userId");
    assertThat(config.table("users").deleteWhen()).contains("operation = 'DELETE'");
    assertThat(config.table("clients").sequenceBy()).contains("data_cadastro");
  }

  @Test
  void readsHttpAndGeneratorSources() throws IOException {
    TributaryConfig config = load("""
        lake: {warehouse: /lake}
        sources:
          breweries:
            type: http
            url: http://127.0.0.1:8080/breweries
            interval: 5m
            records: /data
            pagination: page
            page-size-param: per_page
            page-size: 50
            headers: {Authorization: "Bearer ${env:TOKEN}"}
            incremental-param: since
            incremental-field: updated_at
            rate-limit: 4
          fake:
            type: generator
            table: clients
            rate: 100
            seed: 42
        tables:
          breweries: {key: [id]}
        """, Map.of("TOKEN", "s3cret"));

    HttpSourceConfig http = (HttpSourceConfig) config.sources().get("breweries");
    assertThat(http.interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(http.records()).contains("/data");
    assertThat(http.pagination()).isEqualTo(HttpSourceConfig.Pagination.PAGE);
    assertThat(http.pageParam()).isEqualTo("page");
    assertThat(http.pageSize()).contains(50);
    assertThat(http.headers().get("Authorization").reveal()).isEqualTo("Bearer s3cret");
    assertThat(http.headers().get("Authorization").toString()).doesNotContain("s3cret");
    assertThat(http.incrementalField()).contains("updated_at");
    assertThat(http.rateLimit()).contains(4);
    assertThat(http.retries()).isEqualTo(5);
    GeneratorSourceConfig generator = (GeneratorSourceConfig) config.sources().get("fake");
    assertThat(generator.table()).isEqualTo("clients");
    assertThat(generator.rate()).isEqualTo(100);
    assertThat(generator.seed()).isEqualTo(42L);
    assertThat(generator.limit()).isEqualTo(Optional.empty());
    assertThat(generator.defaultKey()).isEqualTo(List.of("email"));
  }

  @Test
  void aFeedWithoutAKeyIsAnErrorNamingTheKey() throws IOException {
    Path file = write("""
        lake: {warehouse: /lake}
        sources:
          users:
            type: files
            path: /in
            format: csv
        """);

    assertThatThrownBy(() -> TributaryConfig.load(file, Map.of()))
        .hasMessage("Missing required key tables.users.key at line 3 of " + file + ": source users (type files) "
            + "writes lake table users, and a feed's records need the columns that identify them "
            + "(add tables: {users: {key: [column, ...]}})");
  }

  @Test
  void aBadDeleteConditionIsAnErrorAtItsLine() throws IOException {
    Path file = write("""
        lake: {warehouse: /lake}
        sources:
          users: {type: files, path: /in, format: jsonl}
        tables:
          users:
            key: [id]
            delete-when: "operation = = 'DELETE'"
        """);

    assertThatThrownBy(() -> TributaryConfig.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid value for tables.users.delete-when at line 7 of " + file
            + ": Invalid condition 'operation = = 'DELETE'': expected a column or a value, found = at character 13");
  }

  @Test
  void cursorPaginationNeedsACursorPath() throws IOException {
    Path file = write("""
        lake: {warehouse: /lake}
        sources:
          api:
            type: http
            url: https://example.com/items
            pagination: cursor
        tables:
          api: {key: [id]}
        """);

    assertThatThrownBy(() -> TributaryConfig.load(file, Map.of()))
        .hasMessage("Missing required key sources.api.cursor-path at line 6 of " + file + ": pagination: cursor needs "
            + "to know where the next cursor is in an answer (add cursor-path, such as cursor-path: meta.next_cursor)");
  }

  @Test
  void twoFeedsCannotShareALakeTable() throws IOException {
    Path file = write("""
        lake: {warehouse: /lake}
        sources:
          a: {type: files, path: /a, format: jsonl, table: users}
          b: {type: files, path: /b, format: jsonl, table: users}
        tables:
          users: {key: [id]}
        """);

    assertThatThrownBy(() -> TributaryConfig.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Duplicate lake table name for sources.b.table");
  }

  @Test
  void unknownFeedKeysAreRefusedWithASuggestion() throws IOException {
    Path file = write("""
        lake: {warehouse: /lake}
        sources:
          users: {type: files, path: /in, format: jsonl, archiv: /done}
        tables:
          users: {key: [id]}
        """);

    assertThatThrownBy(() -> TributaryConfig.load(file, Map.of()))
        .hasMessage("Unknown key sources.users.archiv at line 3 of " + file + " (did you mean archive?)");
  }

  private TributaryConfig load(String text) throws IOException {
    return load(text, Map.of());
  }

  private TributaryConfig load(String text, Map<String, String> environment) throws IOException {
    return TributaryConfig.load(write(text), environment);
  }

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("feeds.yaml"), text);
  }
}
