package io.tributary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.core.config.TributaryConfig;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.lake.Lake;
import io.tributary.sources.feed.ClientRecords;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.testkit.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The feed scenarios of {@code tributary demo}: {@code kafka-clients} (an in-process Kafka broker,
 * generated client records, history by e-mail), {@code files} (JSON lines files dropped into a
 * folder) and {@code http} (a paged API of breweries and a document of people in space, served on
 * 127.0.0.1). Each writes its configuration beside the lake, runs it like {@code tributary run},
 * feeds its source while it runs, and prints where its data is and queries to try.
 */
final class FeedDemo {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String scenario;
  private final PrintWriter out;
  private final Path warehouse;
  private final Path home;
  private final int rate;

  FeedDemo(String scenario, PrintWriter out, Path warehouse, int rate) {
    this.scenario = scenario;
    this.out = out;
    this.warehouse = warehouse;
    this.home = warehouse.resolve("_demo").resolve(scenario);
    this.rate = Math.max(1, rate);
  }

  void run(StopRequest stop, Optional<Duration> duration) throws Exception {
    Files.createDirectories(home);
    AtomicBoolean feeding = new AtomicBoolean(true);
    AtomicLong fed = new AtomicLong();
    List<String> queries;
    AutoCloseable resource;
    DemoApi api = null;
    Thread feeder;
    String config;
    switch (scenario) {
      case "kafka-clients" -> {
        out.printf("Starting a Kafka broker (in-process, log in %s)%n", home.resolve("kafka"));
        out.flush();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(home.resolve("kafka"));
        broker.createTopic("clients", 3);
        resource = broker;
        config = """
            name: demo_kafka_clients
            lake:
              warehouse: %s
              commit-interval: 1s
            sources:
              clients:
                type: kafka
                bootstrap-servers: %s
                topic: clients
                format: json
                columns: {data_cadastro: date, amount: double}
            tables:
              clients:
                key: [email]
                sequence-by: data_cadastro
                history:
                  effective-from: data_cadastro
            """.formatted(warehouse, broker.bootstrapServers());
        Path published = home.resolve("published.jsonl");
        feeder = thread(() -> publish(broker, published, feeding, fed));
        out.printf("Publishing generated client records to topic clients at %s (%d a second); e-mails come back "
            + "with later registration dates; a copy of each record goes to %s%n", broker.bootstrapServers(), rate,
            published);
        queries = List.of(
            "SELECT city, count(*) AS clients, round(sum(amount), 2) AS amount FROM silver.clients GROUP BY city ORDER BY clients DESC",
            "SELECT email, city, data_cadastro, _valid_from, _valid_to FROM history.clients WHERE email = "
                + "'ana.almeida.0@example.com' ORDER BY _valid_from");
      }
      case "files" -> {
        Path in = Files.createDirectories(home.resolve("in"));
        Path done = home.resolve("done");
        resource = () -> { };
        config = """
            name: demo_files
            lake:
              warehouse: %s
              commit-interval: 1s
            sources:
              users:
                type: files
                path: %s
                format: jsonl
                archive: %s
                poll-interval: 500ms
            tables:
              users:
                key: [userId]
                sequence-by: sequenceNum
                delete-when: "operation = 'DELETE'"
                history:
                  effective-from: sequenceNum
            """.formatted(warehouse, in, done);
        feeder = thread(() -> dropFiles(in, feeding, fed));
        out.printf("Dropping JSON lines files of users into %s (read files move to %s); drop your own there too: "
            + "write under a name starting with . then rename%n", in, done);
        queries = List.of(
            "SELECT operation, count(*) FROM bronze.users GROUP BY operation",
            "SELECT userId, name, sequenceNum FROM silver.users ORDER BY userId LIMIT 5");
      }
      case "http" -> {
        DemoApi served = DemoApi.start();
        api = served;
        resource = served;
        config = """
            name: demo_http
            lake:
              warehouse: %s
              commit-interval: 1s
            sources:
              breweries:
                type: http
                url: %s/breweries
                interval: 2s
                pagination: page
                page-size-param: per_page
                page-size: 10
                incremental-param: since
                incremental-field: updated_at
              astronauts:
                type: http
                url: %s/astronauts
                interval: 10s
                records: people
            tables:
              breweries: {key: [id]}
              astronauts: {key: [name]}
            """.formatted(warehouse, served.url(), served.url());
        feeder = thread(() -> served.changeBreweries(feeding, fed, rate));
        out.printf("Serving a paged list of breweries and a document of people in space on %s; breweries change "
            + "while it runs%n", served.url());
        queries = List.of(
            "SELECT state, count(*) AS breweries FROM silver.breweries GROUP BY state ORDER BY breweries DESC",
            "SELECT name, craft FROM silver.astronauts ORDER BY craft, name");
      }
      default -> throw new IllegalArgumentException("Invalid scenario " + scenario
          + " (use postgres, kafka-clients, files or http)");
    }
    Path file = Files.writeString(home.resolve("tributary.yaml"), config);
    out.printf("Pipeline configuration: %s (bin/tributary run --config %s runs it alone)%n", file, file);
    out.flush();
    TributaryConfig configuration = TributaryConfig.load(file, Map.of());
    Instant started = Instant.now();
    try (AutoCloseable closing = resource;
        Lake lake = Lake.open(warehouse);
        PipelineGroup group = new PipelineGroup(lake, PipelineGroup.sources(configuration),
            configuration.lake().pipelineSettings(), CommitListener.NONE, configuration::table)) {
      group.start();
      feeder.start();
      Instant nextReport = Instant.now();
      while (!stop.isRequested()) {
        if (duration.isPresent() && Duration.between(started, Instant.now()).compareTo(duration.get()) >= 0) {
          break;
        }
        Optional<Throwable> failure = group.failure();
        if (failure.isPresent()) {
          throw new IllegalStateException("The demo pipeline failed", failure.get());
        }
        if (!Instant.now().isBefore(nextReport)) {
          for (PipelineStatus status : group.statuses()) {
            out.printf("[%s] %s | fed %,d records%n", Progress.duration(Duration.between(started, Instant.now())),
                Progress.line(status, new SnapshotMeter(0)), fed.get());
          }
          out.flush();
          nextReport = Instant.now().plusSeconds(2);
        }
        Thread.sleep(100);
      }
      feeding.set(false);
      feeder.join();
      out.println("Stopped feeding: waiting for the lake to catch up");
      out.flush();
      if (api != null) {
        awaitCatchUp(group, api, Duration.ofSeconds(60));
      } else {
        awaitCatchUp(group, fed.get(), Duration.ofSeconds(60));
      }
      group.close();
      if (api != null) {
        Path saved = api.save(home.resolve("api"));
        out.printf("The API's data as it stood at the end: %s%n", saved);
      }
      summary(lake, queries);
    }
  }

  /**
   * Waits until the pipelines committed {@code records} changes, or nothing moved for ten seconds
   * after something did (a slow start is waited for).
   */
  private static void awaitCatchUp(PipelineGroup group, long records, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    long last = -1;
    Instant moved = Instant.now();
    while (Instant.now().isBefore(deadline)) {
      long committed = group.statuses().stream().mapToLong(PipelineStatus::changesCommitted).sum();
      if (records > 0 && committed >= records) {
        return;
      }
      if (committed != last) {
        last = committed;
        moved = Instant.now();
      } else if (committed > 0 && Duration.between(moved, Instant.now()).toSeconds() >= 10) {
        // Moved before, then stood still: some records were rejected (see errors.<table>).
        return;
      }
      Thread.sleep(250);
    }
  }

  /**
   * Waits until the source asked the API for breweries changed after its newest one, after the
   * changes stopped (so it has read every change), and the pipelines committed all they received.
   */
  private static void awaitCatchUp(PipelineGroup group, DemoApi api, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    api.forgetRequests();
    while (Instant.now().isBefore(deadline)) {
      if (api.caughtUp() && group.statuses().stream()
          .allMatch(status -> status.queued() == 0 && status.changesCommitted() >= status.changesReceived())) {
        return;
      }
      Thread.sleep(250);
    }
  }

  private void summary(Lake lake, List<String> queries) {
    out.println();
    out.printf("The lake at %s now holds:%n", warehouse);
    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
      for (String table : engine.tables()) {
        long rows = ((Number) engine.query("SELECT count(*) FROM " + table).rows().get(0).get(0)).longValue();
        out.printf("  %-26s %,10d rows%n", table, rows);
      }
    }
    String lakeArgument = warehouse.equals(Path.of("lake").toAbsolutePath().normalize()) ? "" : " --lake " + warehouse;
    out.println();
    out.println("Try:");
    for (String query : queries) {
      out.printf("  bin/tributary query%s \"%s\"%n", lakeArgument, query);
    }
    out.printf("  bin/tributary status%s%n", lakeArgument);
    out.flush();
  }

  private static Thread thread(ThrowingRunnable body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        throw new IllegalStateException("The demo's feeder failed: " + e.getMessage(), e);
      }
    }, "tributary-demo-feeder");
    thread.setDaemon(true);
    return thread;
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private void publish(EmbeddedKafkaBroker broker, Path copy, AtomicBoolean feeding, AtomicLong fed) throws Exception {
    ClientRecords records = new ClientRecords(System.currentTimeMillis(), 500);
    try (KafkaProducer<String, String> producer = broker.producer();
        java.io.BufferedWriter copies = Files.newBufferedWriter(copy, StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
      while (feeding.get()) {
        Map<String, Object> record = records.next();
        String json = ClientRecords.json(record);
        producer.send(new ProducerRecord<>("clients", record.get("email").toString(), json));
        copies.write(json);
        copies.newLine();
        fed.incrementAndGet();
        Thread.sleep(1000L / rate);
      }
      producer.flush();
    }
  }

  private void dropFiles(Path in, AtomicBoolean feeding, AtomicLong fed) throws Exception {
    Random random = new Random();
    long sequence = System.currentTimeMillis();
    while (feeding.get()) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < Math.max(1, rate * 2); i++) {
        int user = 1 + random.nextInt(200);
        boolean delete = random.nextInt(20) == 0;
        lines.append("{\"userId\": ").append(user).append(", \"name\": \"user ").append(user)
            .append("\", \"email\": \"user").append(user).append("@example.com\", \"sequenceNum\": ").append(++sequence)
            .append(", \"operation\": \"").append(delete ? "DELETE" : "UPSERT").append("\"}\n");
        fed.incrementAndGet();
      }
      String name = "users-" + sequence + ".jsonl";
      Path temporary = in.resolve("." + name + ".tmp");
      Files.writeString(temporary, lines);
      Files.move(temporary, in.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(2_000);
    }
  }

  /** The demo's HTTP API on 127.0.0.1: {@code /breweries} (paged, {@code since}) and {@code /astronauts}. */
  private static final class DemoApi implements AutoCloseable {
    private final HttpServer server;
    private final List<ObjectNode> breweries = new ArrayList<>();
    private final byte[] astronauts;
    /** The answer of the poll being paged through, by its {@code since}: later pages come from it. */
    private final Map<String, List<ObjectNode>> polls = new HashMap<>();
    private String lastSince;

    private DemoApi(HttpServer server, byte[] breweries, byte[] astronauts) throws IOException {
      this.server = server;
      for (JsonNode brewery : JSON.readTree(breweries)) {
        this.breweries.add((ObjectNode) brewery);
      }
      this.astronauts = astronauts;
    }

    static DemoApi start() throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      DemoApi api = new DemoApi(server, resource("breweries.json"), resource("astronauts.json"));
      server.createContext("/breweries", api::breweries);
      server.createContext("/astronauts", exchange -> answer(exchange, api.astronauts));
      server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "tributary-demo-api");
        thread.setDaemon(true);
        return thread;
      }));
      server.start();
      return api;
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void changeBreweries(AtomicBoolean feeding, AtomicLong fed, int rate) throws InterruptedException {
      Random random = new Random();
      while (feeding.get()) {
        synchronized (this) {
          ObjectNode brewery = breweries.get(random.nextInt(breweries.size()));
          brewery.put("brewery_type", List.of("micro", "brewpub", "regional", "nano").get(random.nextInt(4)))
              .put("updated_at", Instant.now().toString());
        }
        fed.incrementAndGet();
        Thread.sleep(Math.max(100, 1000L / rate));
      }
    }

    private void breweries(HttpExchange exchange) throws IOException {
      Map<String, String> query = new HashMap<>();
      String raw = exchange.getRequestURI().getRawQuery();
      if (raw != null) {
        for (String pair : raw.split("&")) {
          int equals = pair.indexOf('=');
          if (equals > 0) {
            query.put(pair.substring(0, equals), URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
          }
        }
      }
      int page = Integer.parseInt(query.getOrDefault("page", "1"));
      int size = Integer.parseInt(query.getOrDefault("per_page", "20"));
      String since = query.get("since");
      ArrayNode answer = JSON.createArrayNode();
      synchronized (this) {
        // A poll's pages come from the list as it stood at its first page, as a consistent API
        // serves them: paging a list that changes underneath would skip the records that move
        // past a page boundary, and those changes would never be read.
        String poll = since == null ? "" : since;
        lastSince = poll;
        List<ObjectNode> matching = page == 1 ? null : polls.get(poll);
        if (matching == null) {
          matching = breweries.stream()
              .filter(brewery -> since == null || brewery.get("updated_at").asText().compareTo(since) > 0)
              .sorted(Comparator.comparing((ObjectNode brewery) -> brewery.get("updated_at").asText())
                  .thenComparing(brewery -> brewery.get("id").asText()))
              .map(ObjectNode::deepCopy)
              .toList();
          polls.clear();
          polls.put(poll, matching);
        }
        for (int i = (page - 1) * size; i >= 0 && i < Math.min(matching.size(), page * size); i++) {
          answer.add(matching.get(i).deepCopy());
        }
      }
      answer(exchange, JSON.writeValueAsBytes(answer));
    }

    synchronized void forgetRequests() {
      lastSince = null;
    }

    /** The last request since {@link #forgetRequests} asked for changes after the newest brewery. */
    synchronized boolean caughtUp() {
      String newest = breweries.stream().map(brewery -> brewery.get("updated_at").asText()).max(String::compareTo).orElse("");
      return lastSince != null && lastSince.compareTo(newest) >= 0;
    }

    /** Writes the API's data as it stands to {@code directory}, for comparing with the lake. */
    synchronized Path save(Path directory) throws IOException {
      Files.createDirectories(directory);
      ArrayNode all = JSON.createArrayNode();
      breweries.stream().sorted(Comparator.comparing(brewery -> brewery.get("id").asText())).forEach(all::add);
      Files.write(directory.resolve("breweries.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
      Files.write(directory.resolve("astronauts.json"), astronauts);
      return directory;
    }

    private static void answer(HttpExchange exchange, byte[] body) throws IOException {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    private static byte[] resource(String name) throws IOException {
      try (InputStream in = FeedDemo.class.getResourceAsStream("/demo/" + name)) {
        return in.readAllBytes();
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
