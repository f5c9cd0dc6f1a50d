package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.lake.Lake;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary demo}: a first run that creates the shop, and a second that carries on from it. */
class DemoIT {
  /** A summary line: table, lake rows, and for silver tables the source's count in parentheses. */
  private static final Pattern SUMMARY_LINE = Pattern.compile(
      "(?m)^ +(\\w+\\.\\w+) +([\\d,]+) rows(?: +\\(([\\d,]+)\\))?$");

  @TempDir Path directory;

  @Test
  void firstRunCreatesTheShopAndSecondRunCarriesOn() {
    Path lake = directory.resolve("lake");

    String first = demo(lake, "25s", "--clients", "200", "--orders", "500");

    assertThat(first)
        .contains("Starting PostgreSQL 17")
        .contains("Created the shop: 200 clients, 500 orders")
        .contains("Capturing [public.clients, public.orders] into the lake at " + lake)
        .containsPattern("Web UI, REST API and metrics at http://127\\.0\\.0\\.1:\\d+/ ")
        .containsPattern("snapshot \\[[#.]{20}\\] \\d+% [\\d,]+/700 rows")
        .contains("The lake now holds")
        .doesNotContain("The shop exists");
    Map<String, Counts> firstSummary = summary(first);
    assertThat(firstSummary).containsOnlyKeys("bronze.clients", "bronze.orders", "silver.clients", "silver.orders",
        "history.clients", "history.orders", "gold.client_orders", "gold.clients_moved_by_month",
        "gold.revenue_by_city_day");
    assertThat(firstSummary.get("history.clients").lake()).as("versions of clients")
        .isGreaterThanOrEqualTo(firstSummary.get("silver.clients").lake());
    assertSilverMatchesSource(firstSummary);
    // The workload only adds clients (it moves them, never deletes them), so the first load is all there.
    assertThat(firstSummary.get("silver.clients").source()).isGreaterThanOrEqualTo(200);
    assertThat(firstSummary.get("bronze.orders").lake()).isGreaterThan(500);
    assertLakeHolds(lake, firstSummary);
    assertGoldIsRefreshed(first, lake);

    String second = demo(lake, "10s");

    assertThat(second)
        .contains("The shop exists from an earlier run: carrying on")
        .doesNotContain("Created the shop")
        .contains("The lake now holds");
    Map<String, Counts> secondSummary = summary(second);
    assertSilverMatchesSource(secondSummary);
    assertThat(secondSummary.get("silver.clients").source())
        .isGreaterThanOrEqualTo(firstSummary.get("silver.clients").source());
    assertThat(secondSummary.get("bronze.orders").lake()).isGreaterThan(firstSummary.get("bronze.orders").lake());
    assertLakeHolds(lake, secondSummary);
    assertGoldIsRefreshed(second, lake);
  }

  @Test
  void mariadbScenarioCapturesTheShopFromTheBinlog() {
    Path lake = directory.resolve("maria-lake");

    String output = demo(lake, "20s", "--scenario", "mariadb", "--clients", "100", "--orders", "300");

    assertThat(output)
        .contains("Starting MariaDB 11.4 (embedded, data in " + lake.resolve("_demo/mariadb") + ")")
        .contains("Created the shop: 100 clients, 300 orders")
        .contains("Capturing [shop.clients, shop.orders] into the lake at " + lake)
        .contains("The lake now holds")
        .contains("bin/tributary query --lake " + lake + " \"SELECT status, count(*), sum(amount) FROM silver.orders GROUP BY status\"");
    Map<String, Counts> summary = summary(output);
    assertThat(summary).containsKeys("bronze.clients", "bronze.orders", "silver.clients", "silver.orders");
    assertSilverMatchesSource(summary);
    assertThat(summary.get("bronze.orders").lake()).as("the snapshot and the streamed changes").isGreaterThan(300);
    assertLakeHolds(lake, summary);
    assertGoldIsRefreshed(output, lake);

    StringWriter err = new StringWriter();
    int exit = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "demo", "--lake", lake.toString(), "--duration=1s", "--scenario", "postgres");
    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("Cannot run scenario postgres in the lake at " + lake
        + ": it holds the mariadb scenario (give this one its own directory with --lake)");
  }

  /**
   * The feed scenarios, one after the other: each prints where its data is and queries to try, and
   * its lake holds what it fed, compared record by record with what it generated (the files it
   * dropped, a copy of the records it published, the API's data as it stood at the end).
   */
  @Test
  void feedScenariosLandWhatTheyFed() throws Exception {
    ObjectMapper json = new ObjectMapper();

    Path filesLake = directory.resolve("files-lake");
    String files = demo(filesLake, "6s", "--scenario", "files");
    Path in = filesLake.resolve("_demo/files/in");
    assertThat(files)
        .contains("Dropping JSON lines files of users into " + in + " (read files move to " + filesLake.resolve("_demo/files/done"))
        .contains("Pipeline configuration: " + filesLake.resolve("_demo/files/tributary.yaml"))
        .contains("The lake at " + filesLake + " now holds:")
        .contains("bin/tributary query --lake " + filesLake + " \"SELECT userId, name, sequenceNum FROM silver.users ORDER BY userId LIMIT 5\"");
    List<JsonNode> dropped = new ArrayList<>();
    try (var listing = Files.list(filesLake.resolve("_demo/files/done"))) {
      for (Path file : listing.filter(path -> path.toString().endsWith(".jsonl")).toList()) {
        for (String line : Files.readAllLines(file)) {
          dropped.add(json.readTree(line));
        }
      }
    }
    try (var left = Files.list(in)) {
      assertThat(left.filter(path -> !path.getFileName().toString().startsWith(".")).toList()).as("files left unread").isEmpty();
    }
    assertThat(dropped).as("records in the files the demo dropped").isNotEmpty();
    Map<String, JsonNode> latestUser = latest(dropped, "userId", "sequenceNum");
    Map<String, List<String>> expectedUsers = new TreeMap<>();
    latestUser.forEach((user, record) -> {
      if (!record.get("operation").asText().equals("DELETE")) {
        expectedUsers.put(user, List.of(record.get("name").asText(), record.get("sequenceNum").asText()));
      }
    });
    try (Lake lake = Lake.open(filesLake)) {
      assertThat(rows(lake, "silver", "users", "userId", "name", "sequenceNum")).isEqualTo(expectedUsers);
      assertThat(LakeRows.read(lake, "bronze", "users", List.of("userId"))).hasSize(dropped.size());
    }

    Path kafkaLake = directory.resolve("kafka-lake");
    String kafka = demo(kafkaLake, "5s", "--scenario", "kafka-clients");
    Path published = kafkaLake.resolve("_demo/kafka-clients/published.jsonl");
    assertThat(kafka)
        .contains("Starting a Kafka broker (in-process, log in " + kafkaLake.resolve("_demo/kafka-clients/kafka") + ")")
        .contains("a copy of each record goes to " + published)
        .contains("The lake at " + kafkaLake + " now holds:")
        .contains("bin/tributary query --lake " + kafkaLake + " \"SELECT email, city, data_cadastro, _valid_from, _valid_to FROM "
            + "history.clients WHERE email = 'ana.almeida.0@example.com' ORDER BY _valid_from\"");
    List<JsonNode> sent = new ArrayList<>();
    for (String line : Files.readAllLines(published)) {
      sent.add(json.readTree(line));
    }
    assertThat(sent).as("records the demo published").isNotEmpty();
    Map<String, List<String>> expectedClients = new TreeMap<>();
    latest(sent, "email", "data_cadastro").forEach((email, record) -> expectedClients.put(email,
        List.of(record.get("name").asText(), record.get("city").asText(), record.get("data_cadastro").asText())));
    Map<String, Long> versions = new TreeMap<>();
    sent.forEach(record -> versions.merge(record.get("email").asText(), 1L, Long::sum));
    try (Lake lake = Lake.open(kafkaLake)) {
      assertThat(rows(lake, "silver", "clients", "email", "name", "city", "data_cadastro")).isEqualTo(expectedClients);
      assertThat(LakeRows.read(lake, "bronze", "clients", List.of("email"))).hasSize(sent.size());
      Map<String, Long> history = new TreeMap<>();
      LakeRows.read(lake, "history", "clients", List.of("email")).forEach(row -> history.merge(row.get(0).toString(), 1L, Long::sum));
      assertThat(history).as("one version per record of an e-mail: each comes back with a later date").isEqualTo(versions);
    }

    Path httpLake = directory.resolve("http-lake");
    String http = demo(httpLake, "6s", "--scenario", "http");
    Path api = httpLake.resolve("_demo/http/api");
    assertThat(http)
        .containsPattern("Serving a paged list of breweries and a document of people in space on http://127\\.0\\.0\\.1:\\d+;")
        .contains("The API's data as it stood at the end: " + api)
        .contains("The lake at " + httpLake + " now holds:")
        .contains("bin/tributary query --lake " + httpLake + " \"SELECT name, craft FROM silver.astronauts ORDER BY craft, name\"");
    Map<String, List<String>> expectedBreweries = new TreeMap<>();
    int changed = 0;
    for (JsonNode brewery : json.readTree(api.resolve("breweries.json").toFile())) {
      expectedBreweries.put(brewery.get("id").asText(), List.of(brewery.get("name").asText(),
          brewery.get("brewery_type").asText(), brewery.get("updated_at").asText()));
      changed += brewery.get("updated_at").asText().startsWith("2024-") ? 0 : 1;
    }
    assertThat(changed).as("breweries the API changed while the demo ran").isPositive();
    Map<String, List<String>> expectedAstronauts = new TreeMap<>();
    for (JsonNode person : json.readTree(api.resolve("astronauts.json").toFile()).get("people")) {
      expectedAstronauts.put(person.get("name").asText(), List.of(person.get("craft").asText()));
    }
    try (Lake lake = Lake.open(httpLake)) {
      assertThat(rows(lake, "silver", "breweries", "id", "name", "brewery_type", "updated_at"))
          .as("silver holds every brewery as the API serves it at the end, changes included").isEqualTo(expectedBreweries);
      assertThat(rows(lake, "silver", "astronauts", "name", "craft")).isEqualTo(expectedAstronauts);
    }
  }

  /** The record of each key with the greatest {@code order} value (as text: numbers of one width, ISO dates). */
  private static Map<String, JsonNode> latest(List<JsonNode> records, String key, String order) {
    Map<String, JsonNode> latest = new TreeMap<>();
    for (JsonNode record : records) {
      latest.merge(record.get(key).asText(), record, (old, next) -> compare(next.get(order), old.get(order)) > 0 ? next : old);
    }
    return latest;
  }

  private static int compare(JsonNode a, JsonNode b) {
    return a.isNumber() ? Long.compare(a.asLong(), b.asLong()) : a.asText().compareTo(b.asText());
  }

  /** A lake table as key to the other columns, each as text; a key twice fails. */
  private static Map<String, List<String>> rows(Lake lake, String layer, String table, String... columns) {
    Map<String, List<String>> rows = new TreeMap<>();
    for (List<Object> row : LakeRows.read(lake, layer, table, List.of(columns))) {
      List<String> values = row.subList(1, row.size()).stream().map(DemoIT::text).toList();
      assertThat(rows.put(row.get(0).toString(), values)).as("%s.%s holds %s twice", layer, table, row.get(0)).isNull();
    }
    return rows;
  }

  private static String text(Object value) {
    return value instanceof java.time.OffsetDateTime time ? time.toInstant().toString() : String.valueOf(value);
  }

  private static String demo(Path lake, String duration, String... more) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = new String[5 + more.length];
    args[0] = "demo";
    args[1] = "--lake";
    args[2] = lake.toString();
    args[3] = "--duration=" + duration;
    args[4] = "--listen=127.0.0.1:0";
    System.arraycopy(more, 0, args, 5, more.length);

    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);

    assertThat(exit).as("exit code; output:%n%s%nerrors:%n%s", out, err).isZero();
    assertThat(err.toString()).isEmpty();
    return out.toString();
  }

  private static Map<String, Counts> summary(String output) {
    String summary = output.substring(output.indexOf("The lake now holds"));
    Map<String, Counts> counts = new TreeMap<>();
    Matcher line = SUMMARY_LINE.matcher(summary);
    while (line.find()) {
      counts.put(line.group(1), new Counts(number(line.group(2)), line.group(3) == null ? -1 : number(line.group(3))));
    }
    return counts;
  }

  private static void assertSilverMatchesSource(Map<String, Counts> summary) {
    for (String table : List.of("silver.clients", "silver.orders")) {
      assertThat(summary).containsKey(table);
      assertThat(summary.get(table).lake()).as("%s rows against the source's", table)
          .isEqualTo(summary.get(table).source());
    }
  }

  /** The lake itself, read with Iceberg rather than through the demo's SQL engine, holds what the summary says. */
  private static void assertLakeHolds(Path warehouse, Map<String, Counts> summary) {
    try (Lake lake = Lake.open(warehouse)) {
      summary.forEach((table, counts) -> {
        String[] parts = table.split("\\.");
        assertThat(LakeRows.read(lake, parts[0], parts[1], List.of("id"))).as(table).hasSize((int) counts.lake());
      });
      assertThat(LakeRows.read(lake, "silver", "clients", List.of("id")))
          .doesNotHaveDuplicates()
          .hasSize((int) summary.get("silver.clients").source());
    }
  }

  /**
   * The demo's models ran at the end and their gold tables agree with silver, computed here with Iceberg's own
   * reads: one client_orders row per client, with the client's number of orders.
   */
  private static void assertGoldIsRefreshed(String output, Path warehouse) {
    assertThat(output).containsPattern("(?m)^SUCCEEDED gold\\.client_orders: [\\d,]+ rows written")
        .containsPattern("(?m)^SUCCEEDED gold\\.revenue_by_city_day: [\\d,]+ rows written")
        .containsPattern("(?m)^SUCCEEDED gold\\.clients_moved_by_month: [\\d,]+ rows written")
        .doesNotContain("FAILED").doesNotContain("SKIPPED");
    try (Lake lake = Lake.open(warehouse)) {
      assertThat(LakeRows.exists(lake, "gold", "revenue_by_city_day")).isTrue();
      assertThat(LakeRows.read(lake, "gold", "revenue_by_city_day", List.of("orders"))).isNotEmpty();
      Map<Long, Long> expected = new TreeMap<>();
      LakeRows.read(lake, "silver", "clients", List.of("id"))
          .forEach(row -> expected.put(((Number) row.get(0)).longValue(), 0L));
      LakeRows.read(lake, "silver", "orders", List.of("client_id")).stream()
          .filter(row -> row.get(0) != null && expected.containsKey(((Number) row.get(0)).longValue()))
          .forEach(row -> expected.merge(((Number) row.get(0)).longValue(), 1L, Long::sum));
      Map<Long, Long> actual = new TreeMap<>();
      for (List<Object> row : LakeRows.read(lake, "gold", "client_orders", List.of("client_id", "orders"))) {
        Long previous = actual.put(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue());
        assertThat(previous).as("client %s appears once in gold.client_orders", row.get(0)).isNull();
      }
      assertThat(expected).isNotEmpty();
      assertThat(actual).isEqualTo(expected);
    }
  }

  private static long number(String text) {
    return Long.parseLong(text.replace(",", ""));
  }

  private record Counts(long lake, long source) {}
}
