package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.tributary.lake.Checkpoint;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary run} on the first example of docs/configuration.md, unchanged but for the
 * warehouse and the port, plus {@code models: ./models} with one gold model: pgbench's tables captured
 * by a child JVM while pgbench-like transactions run, the gold table refreshed after the commits, then
 * stopped with SIGTERM.
 */
class RunCommandIT {
  /** The example from docs/configuration.md, verbatim. */
  private static final String EXAMPLE = """
      lake:
        warehouse: /var/lib/tributary/lake
      sources:
        bench:
          type: postgres
          host: 127.0.0.1
          port: 5432
          database: bench
          user: postgres
          password: ${env:PGPASSWORD}
          tables: [public.pgbench_accounts, public.pgbench_branches, public.pgbench_tellers, public.pgbench_history]
      """;
  /** The gold layer of the issue: one model over silver, in a models directory beside the configuration. */
  private static final String MODELS = "models: ./models\n";
  /** Tests never take a fixed port: the HTTP server picks a free one and the log says which. */
  private static final String SERVER = "server:\n  listen: 127.0.0.1:0\n";
  private static final Pattern SERVER_URI = Pattern.compile("Web UI and API of pipeline tributary at (http://\\S+/)");
  private static final String BRANCH_BALANCE =
      "SELECT bid, sum(abalance) AS balance FROM silver.pgbench_accounts GROUP BY bid\n";
  /** The server trusts local connections, so any password works; a distinctive one can be looked for in the log. */
  private static final String PASSWORD = "Pgb3nch-s3cret-9f2a";
  private static final int BRANCHES = 4;
  private static final int TELLERS = 40;
  private static final int ACCOUNTS = 4_000;
  private static final int HISTORY = 500;

  @TempDir Path directory;

  @Test
  void capturesPgbenchTablesUntilSigterm() throws Exception {
    Path warehouse = directory.resolve("lake");
    Path log = directory.resolve("run.log");
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("bench");
      try (Connection connection = postgres.connection("bench")) {
        createPgbench(connection);
      }
      Path config = writeConfig(warehouse, postgres.port());

      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--config",
          config.toString());
      builder.environment().put("PGPASSWORD", PASSWORD);
      builder.redirectErrorStream(true).redirectOutput(log.toFile());
      Process child = builder.start();
      try {
        int transactions = runTransactionsUntilStreaming(postgres, warehouse, child, log);
        assertThat(transactions).isGreaterThan(100);
        awaitLakeEqualsSource(postgres, warehouse, child, log);
        awaitGoldEqualsSource(postgres, warehouse, child, log);
        assertServerShowsTheLake(log);

        try (Connection connection = postgres.connection("bench")) {
          assertThat(strings(connection, "SELECT pubname FROM pg_publication")).containsExactly("tributary_bench");
          assertThat(strings(connection,
              "SELECT slot_name || ' ' || plugin || ' ' || database FROM pg_replication_slots"))
              .containsExactly("tributary_bench pgoutput bench");
          assertThat(strings(connection,
              "SELECT tablename FROM pg_publication_tables WHERE pubname = 'tributary_bench'"))
              .containsExactlyInAnyOrder("pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history");
        }

        child.destroy();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("exits within 60 s of SIGTERM; log:%n%s", read(log))
            .isTrue();
        assertThat(child.exitValue()).as("exit code; log:%n%s", read(log)).isZero();
      } finally {
        child.destroyForcibly();
      }

      String output = read(log);
      assertThat(output)
          .contains("Pipeline tributary: lake " + warehouse)
          .contains("Stopping pipeline tributary")
          .contains("Pipeline tributary stopped")
          .contains("Gold layer: 1 models from " + directory.resolve("models"))
          .contains("Model branch_balance (table) refreshed gold.branch_balance")
          .doesNotContain(PASSWORD)
          .doesNotContain("Exception");
      // After the clean stop the lake still equals the source.
      try (Connection connection = postgres.connection("bench"); Lake lake = Lake.open(warehouse)) {
        assertThat(differences(connection, lake)).isEmpty();
        assertThat(goldDifferences(connection, lake)).isEmpty();
      }
    }
  }

  @Test
  void missingPasswordVariableIsNamedWithKeyAndLine() throws IOException {
    assumeThat(System.getenv("PGPASSWORD")).as("PGPASSWORD is set in the test environment").isNull();
    Path config = writeConfig(directory.resolve("lake"), 5432);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), "run", "--config", config.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).isEqualTo("Error: Cannot resolve ${env:PGPASSWORD} for sources.bench.password"
        + " at line 10 of " + config.toAbsolutePath() + ": environment variable PGPASSWORD is not set"
        + " (set PGPASSWORD in the environment that starts tributary)" + System.lineSeparator());
    assertThat(directory.resolve("lake")).doesNotExist();
  }

  /** The running process serves its API: the accounts table with its rows, the metrics, and no password. */
  private static void assertServerShowsTheLake(Path log) throws Exception {
    Matcher uri = SERVER_URI.matcher(read(log));
    assertThat(uri.find()).as("server address in the log:%n%s", read(log)).isTrue();
    HttpClient client = HttpClient.newHttpClient();
    String tables = client.send(HttpRequest.newBuilder(URI.create(uri.group(1) + "api/tables")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(tables).contains("\"name\":\"silver.pgbench_accounts\",\"layer\":\"silver\",\"table\":\"pgbench_accounts\","
        + "\"source\":\"bench\",\"sourceTable\":\"public.pgbench_accounts\",\"rows\":" + ACCOUNTS + ",");
    String sources = client.send(HttpRequest.newBuilder(URI.create(uri.group(1) + "api/sources")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(sources).contains("\"name\":\"bench\"").contains("\"slot\":{\"name\":\"tributary_bench\"")
        .doesNotContain(PASSWORD);
    String metrics = client.send(HttpRequest.newBuilder(URI.create(uri.group(1) + "metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("tributary_commits_total{source=\"bench\"} ")
        .contains("tributary_replication_slot_retained_wal_bytes{source=\"bench\",slot=\"tributary_bench\"} ");
  }

  private Path writeConfig(Path warehouse, int port) throws IOException {
    String yaml = EXAMPLE.replace("/var/lib/tributary/lake", warehouse.toString())
        .replace("port: 5432", "port: " + port) + MODELS + SERVER;
    Files.writeString(Files.createDirectories(directory.resolve("models")).resolve("branch_balance.sql"),
        BRANCH_BALANCE);
    Path config = directory.resolve("tributary.yaml");
    Files.writeString(config, yaml);
    return config;
  }

  private static void createPgbench(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))");
      statement.execute("CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))");
      statement.execute("CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))");
      statement.execute(
          "CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))");
      statement.execute("INSERT INTO pgbench_branches SELECT b, 0, 'branch ' || b"
          + " FROM generate_series(1, " + BRANCHES + ") b");
      statement.execute("INSERT INTO pgbench_tellers SELECT t, (t - 1) % " + BRANCHES + " + 1, 0, NULL"
          + " FROM generate_series(1, " + TELLERS + ") t");
      statement.execute("INSERT INTO pgbench_accounts SELECT a, (a - 1) % " + BRANCHES + " + 1, 0, 'account ' || a"
          + " FROM generate_series(1, " + ACCOUNTS + ") a");
      statement.execute("INSERT INTO pgbench_history SELECT h % " + TELLERS + " + 1, h % " + BRANCHES + " + 1, h, 0,"
          + " timestamp '2024-02-29 23:59:59.123456' + h * interval '1 second', NULL"
          + " FROM generate_series(1, " + HISTORY + ") h");
    }
  }

  /**
   * pgbench's TPC-B-like transaction, over and over, until the source has streamed for a while after its
   * snapshot, so that both the snapshot and streaming see concurrent changes. Returns how many ran.
   */
  private static int runTransactionsUntilStreaming(EmbeddedPostgresServer postgres, Path warehouse, Process child,
      Path log) throws Exception {
    Random random = new Random(42);
    Instant deadline = Instant.now().plusSeconds(90);
    Optional<Instant> streamingSince = Optional.empty();
    Instant nextCheck = Instant.now();
    int transactions = 0;
    try (Connection connection = postgres.connection("bench");
        PreparedStatement account =
            connection.prepareStatement("UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?");
        PreparedStatement teller =
            connection.prepareStatement("UPDATE pgbench_tellers SET tbalance = tbalance + ? WHERE tid = ?");
        PreparedStatement branch =
            connection.prepareStatement("UPDATE pgbench_branches SET bbalance = bbalance + ? WHERE bid = ?");
        PreparedStatement history = connection.prepareStatement(
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
      connection.setAutoCommit(false);
      while (streamingSince.isEmpty() || Duration.between(streamingSince.get(), Instant.now()).toSeconds() < 4) {
        assertThat(Instant.now()).as("source streaming within 90 s; log:%n%s", read(log)).isBefore(deadline);
        assertThat(child.isAlive()).as("tributary run is alive; log:%n%s", read(log)).isTrue();
        int aid = 1 + random.nextInt(ACCOUNTS);
        int tid = 1 + random.nextInt(TELLERS);
        int bid = 1 + random.nextInt(BRANCHES);
        int delta = random.nextInt(10_001) - 5_000;
        account.setInt(1, delta);
        account.setInt(2, aid);
        account.executeUpdate();
        teller.setInt(1, delta);
        teller.setInt(2, tid);
        teller.executeUpdate();
        branch.setInt(1, delta);
        branch.setInt(2, bid);
        branch.executeUpdate();
        history.setInt(1, tid);
        history.setInt(2, bid);
        history.setInt(3, aid);
        history.setInt(4, delta);
        history.executeUpdate();
        connection.commit();
        transactions++;
        if (streamingSince.isEmpty() && !Instant.now().isBefore(nextCheck)) {
          nextCheck = Instant.now().plusMillis(500);
          if (streaming(warehouse)) {
            streamingSince = Optional.of(Instant.now());
          }
        }
        Thread.sleep(5);
      }
    }
    return transactions;
  }

  private static boolean streaming(Path warehouse) {
    if (!Files.exists(warehouse.resolve("catalog.db"))) {
      return false;
    }
    try (Lake lake = Lake.open(warehouse)) {
      return new Checkpoints(lake).read("bench").map(Checkpoint::position)
          .filter(position -> !position.inSnapshot())
          .isPresent();
    }
  }

  private static void awaitLakeEqualsSource(EmbeddedPostgresServer postgres, Path warehouse, Process child, Path log)
      throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    List<String> differences = List.of("not compared yet");
    while (Instant.now().isBefore(deadline) && child.isAlive()) {
      try (Connection connection = postgres.connection("bench"); Lake lake = Lake.open(warehouse)) {
        differences = differences(connection, lake);
      }
      if (differences.isEmpty()) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("The lake did not come to equal the source within 60 s (alive: " + child.isAlive()
        + "): " + differences + "\nlog:\n" + read(log));
  }

  /** Waits until gold.branch_balance, refreshed by the running process after its commits, equals the source. */
  private static void awaitGoldEqualsSource(EmbeddedPostgresServer postgres, Path warehouse, Process child, Path log)
      throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    List<String> differences = List.of("not compared yet");
    while (Instant.now().isBefore(deadline) && child.isAlive()) {
      try (Connection connection = postgres.connection("bench"); Lake lake = Lake.open(warehouse)) {
        differences = goldDifferences(connection, lake);
      }
      if (differences.isEmpty()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("gold.branch_balance did not come to equal the source within 30 s (alive: "
        + child.isAlive() + "): " + differences + "\nlog:\n" + read(log));
  }

  /** What differs between gold.branch_balance and the same aggregate computed by PostgreSQL, row by row. */
  private static List<String> goldDifferences(Connection connection, Lake lake) throws SQLException {
    if (!LakeRows.exists(lake, "gold", "branch_balance")) {
      return List.of("gold.branch_balance does not exist");
    }
    // PostgreSQL's sum(int) is bigint, DuckDB's is HUGEINT (decimal(38,0) in gold): compare the numbers' text.
    List<String> expected = query(connection, "SELECT bid, sum(abalance) FROM pgbench_accounts GROUP BY bid")
        .stream().map(Object::toString).sorted().toList();
    List<String> actual = LakeRows.read(lake, "gold", "branch_balance", List.of("bid", "balance"))
        .stream().map(Object::toString).sorted().toList();
    return expected.equals(actual) ? List.of()
        : List.of("gold.branch_balance " + actual + ", source " + expected);
  }

  /** What differs between the source's tables and the lake: silver for the keyed tables, bronze for history. */
  private static List<String> differences(Connection connection, Lake lake) throws SQLException {
    List<String> differences = new ArrayList<>();
    compare(connection, lake, "silver", "pgbench_accounts", List.of("aid", "bid", "abalance", "filler"), differences);
    compare(connection, lake, "silver", "pgbench_branches", List.of("bid", "bbalance", "filler"), differences);
    compare(connection, lake, "silver", "pgbench_tellers", List.of("tid", "bid", "tbalance", "filler"), differences);
    compare(connection, lake, "bronze", "pgbench_history", List.of("tid", "bid", "aid", "delta", "mtime", "filler"),
        differences);
    if (LakeRows.exists(lake, "silver", "pgbench_history")) {
      differences.add("silver.pgbench_history exists, though the table has no primary key");
    }
    return differences;
  }

  private static void compare(Connection connection, Lake lake, String layer, String table, List<String> columns,
      List<String> differences) throws SQLException {
    if (!LakeRows.exists(lake, layer, table)) {
      differences.add(layer + "." + table + " does not exist");
      return;
    }
    List<List<Object>> expected = sorted(query(connection, "SELECT " + String.join(", ", columns) + " FROM " + table));
    List<List<Object>> actual = sorted(LakeRows.read(lake, layer, table, columns));
    if (!expected.equals(actual)) {
      List<List<Object>> missing = new ArrayList<>(expected);
      missing.removeAll(actual);
      List<List<Object>> extra = new ArrayList<>(actual);
      extra.removeAll(expected);
      differences.add(layer + "." + table + ": " + actual.size() + " rows, source " + expected.size() + "; missing "
          + first(missing) + ", unexpected " + first(extra));
    }
  }

  private static List<List<Object>> query(Connection connection, String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData metadata = result.getMetaData();
      while (result.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= metadata.getColumnCount(); i++) {
          boolean timestamp = metadata.getColumnTypeName(i).equals("timestamp");
          row.add(timestamp ? result.getObject(i, LocalDateTime.class) : result.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static List<String> strings(Connection connection, String sql) throws SQLException {
    return query(connection, sql).stream().map(row -> String.valueOf(row.get(0))).toList();
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparing(Object::toString));
    return copy;
  }

  private static String first(List<List<Object>> rows) {
    return rows.size() <= 3 ? rows.toString() : rows.subList(0, 3) + " and " + (rows.size() - 3) + " more";
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
