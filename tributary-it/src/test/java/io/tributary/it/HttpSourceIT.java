package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.core.fault.CrashPoints;
import io.tributary.lake.Lake;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two HTTP APIs served by this JVM from fixtures in src/test/resources/http: a paged list of
 * breweries asked incrementally by {@code updated_at} behind a bearer token (its second page answers
 * 503 once, its third page once takes longer than the timeout), and a document of people in space.
 * {@code tributary run} polls them in a child JVM killed with SIGKILL at places of the commit path
 * while breweries change. After a last clean run, bronze holds every version served exactly once and
 * silver the breweries as the API has them.
 */
class HttpSourceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "brewery-token-1";
  private static HttpServer server;
  private static final List<ObjectNode> breweries = new ArrayList<>();
  private static final List<String> versions = new ArrayList<>();
  private static final AtomicInteger unavailable = new AtomicInteger();
  private static final AtomicInteger slow = new AtomicInteger();
  private static final AtomicInteger refused = new AtomicInteger();

  @TempDir Path work;

  @BeforeAll
  static void startServer() throws IOException {
    for (JsonNode brewery : JSON.readTree(fixture("breweries.json"))) {
      breweries.add((ObjectNode) brewery);
      versions.add(brewery.get("id").asText() + "@" + brewery.get("updated_at").asText());
    }
    ObjectNode nameless = JSON.createObjectNode().put("name", "nameless").put("updated_at", "2024-05-20T00:00:00Z");
    breweries.add(nameless);
    byte[] astronauts = fixture("astronauts.json");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/breweries", HttpSourceIT::breweries);
    server.createContext("/astronauts", exchange -> answer(exchange, 200, astronauts));
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void everyVersionServedLandsExactlyOnceAcrossKills() throws Exception {
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    Path config = Files.writeString(work.resolve("tributary.yaml"), """
        name: httptest
        server:
          listen: 127.0.0.1:0
        lake:
          warehouse: lake
          commit-interval: 200ms
          max-batch-changes: 8
        sources:
          breweries:
            type: http
            url: %s/breweries
            interval: 500ms
            pagination: page
            page-size-param: per_page
            page-size: 10
            incremental-param: since
            incremental-field: updated_at
            headers: {Authorization: "Bearer ${env:BREWERY_TOKEN}"}
            timeout: 1s
            retry-backoff: 100ms
            rate-limit: 20
          astronauts:
            type: http
            url: %s/astronauts
            interval: 1s
            records: people
        tables:
          breweries: {key: [id]}
          astronauts: {key: [name]}
        """.formatted(base, base));
    Map<String, String> environment = Map.of("BREWERY_TOKEN", TOKEN);
    ChildRun.start(config, CrashPoints.AFTER_COMMIT + ":4", work.resolve("run-1.log"), environment)
        .awaitCrashPointAndKill();
    change(1);
    ChildRun.start(config, CrashPoints.AFTER_CHECKPOINT + ":4", work.resolve("run-2.log"), environment)
        .awaitCrashPointAndKill();
    change(2);
    ChildRun.start(config, CrashPoints.BEFORE_COMMIT + ":3", work.resolve("run-3.log"), environment)
        .awaitCrashPointAndKill();
    change(3);

    try (ChildRun last = ChildRun.start(config, "", work.resolve("run-4.log"), environment);
        Lake lake = Lake.open(work.resolve("lake"))) {
      Awaits.until(Duration.ofMinutes(2), "silver to hold the breweries as served",
          () -> expectedSilver().equals(silver(lake)) && bronze(lake).size() >= expectedBronze().size());
      assertThat(bronze(lake)).isEqualTo(expectedBronze());
      assertThat(silver(lake)).containsExactlyEntriesOf(expectedSilver());
      List<Record> people = LakeComparison.records(lake.catalog(), "silver", "astronauts");
      assertThat(people).extracting(record -> record.getField("name").toString())
          .containsExactlyInAnyOrder("Oleg Kononenko", "Nikolai Chub", "Tracy Caldwell Dyson", "Matthew Dominick",
              "Michael Barratt", "Jeanette Epps", "Li Guangsu");
      List<Record> errors = LakeComparison.records(lake.catalog(), "errors", "breweries");
      assertThat(errors).hasSize(1);
      assertThat(errors.get(0).getField("reason")).isEqualTo("key column id is missing (every record needs its key: id)");
      assertThat(errors.get(0).getField("payload").toString()).contains("nameless");
      assertThat(unavailable.get()).as("the 503 was answered").isGreaterThan(0);
      assertThat(slow.get()).as("the slow page was asked").isGreaterThan(0);
      assertThat(refused.get()).as("requests without the token").isZero();
      String logs = "";
      for (int run = 1; run <= 4; run++) {
        logs += Files.readString(work.resolve("run-" + run + ".log"));
      }
      assertThat(logs).contains("answered 503; retry 1 of 5").contains("timed out after 1000 ms; retry 1 of 5")
          .doesNotContain(TOKEN);
      assertThat(last.isAlive()).isTrue();
    }
  }

  /** Changes some breweries and adds one, each with a later updated_at than anything before. */
  private static synchronized void change(int round) {
    String time = "2024-06-0" + round + "T12:00:00Z";
    for (int i = round; i < 25; i += 6) {
      ObjectNode brewery = breweries.get(i);
      brewery.put("name", brewery.get("name").asText() + " renamed " + round).put("updated_at", time);
      versions.add(brewery.get("id").asText() + "@" + time);
    }
    breweries.add(JSON.createObjectNode().put("id", "n-" + round).put("name", "New " + round).put("brewery_type", "micro")
        .put("city", "Lisboa").put("state", "Lisboa").putNull("website_url").put("updated_at", time));
    versions.add("n-" + round + "@" + time);
  }

  private static void breweries(HttpExchange exchange) throws IOException {
    if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      refused.incrementAndGet();
      answer(exchange, 401, "{\"error\": \"unauthorized\"}".getBytes(StandardCharsets.UTF_8));
      return;
    }
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    int page = Integer.parseInt(query.getOrDefault("page", "1"));
    int size = Integer.parseInt(query.getOrDefault("per_page", "20"));
    String since = query.get("since");
    if (page == 2 && unavailable.getAndIncrement() == 0) {
      answer(exchange, 503, "{\"error\": \"try later\"}".getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (page == 3 && slow.getAndIncrement() == 0) {
      try {
        Thread.sleep(3_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ArrayNode answer = JSON.createArrayNode();
    synchronized (HttpSourceIT.class) {
      List<ObjectNode> matching = breweries.stream()
          .filter(brewery -> since == null || brewery.get("updated_at").asText().compareTo(since) > 0)
          .sorted(java.util.Comparator.comparing((ObjectNode brewery) -> brewery.get("updated_at").asText())
              .thenComparing(brewery -> brewery.path("id").asText()))
          .toList();
      for (int i = (page - 1) * size; i < Math.min(matching.size(), page * size); i++) {
        answer.add(matching.get(i).deepCopy());
      }
    }
    answer(exchange, 200, JSON.writeValueAsBytes(answer));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int equals = pair.indexOf('=');
        query.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    return query;
  }

  private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    } catch (IOException e) {
      // the client gave up (a timeout): nothing to answer
    }
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = HttpSourceIT.class.getResourceAsStream("/http/" + name)) {
      return in.readAllBytes();
    }
  }

  private static synchronized Map<String, List<String>> expectedSilver() {
    Map<String, List<String>> rows = new TreeMap<>();
    for (ObjectNode brewery : breweries) {
      if (brewery.has("id")) {
        rows.put(brewery.get("id").asText(), List.of(brewery.get("name").asText(), brewery.get("updated_at").asText()));
      }
    }
    return rows;
  }

  /** Every version served: the initial breweries and each change, as id@updated_at, sorted. */
  private static synchronized List<String> expectedBronze() {
    return versions.stream().sorted().toList();
  }

  private static Map<String, List<String>> silver(Lake lake) {
    Map<String, List<String>> rows = new TreeMap<>();
    for (Record record : LakeComparison.records(lake.catalog(), "silver", "breweries")) {
      rows.put(record.getField("id").toString(), List.of(record.getField("name").toString(),
          record.getField("updated_at").toString()));
    }
    return rows;
  }

  private static List<String> bronze(Lake lake) {
    return LakeComparison.records(lake.catalog(), "bronze", "breweries").stream()
        .map(record -> record.getField("id") + "@" + record.getField("updated_at")).sorted().toList();
  }
}
