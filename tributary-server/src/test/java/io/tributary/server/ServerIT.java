package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.core.config.ListenAddress;
import io.tributary.core.config.Secret;
import io.tributary.core.config.ServerConfig;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.core.pipeline.Pipeline;
import io.tributary.core.pipeline.PipelineSettings;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.core.alert.AlertSeverity;
import io.tributary.core.alert.Alerts;
import io.tributary.core.check.CheckOutcome;
import io.tributary.core.check.TableCheck;
import io.tributary.lake.CheckRecords;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresSlotProbe;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.models.Model;
import io.tributary.sql.models.ModelProject;
import io.tributary.sql.models.ModelRunResult;
import io.tributary.sql.models.ModelRunner;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;

/**
 * The server over a real pipeline: embedded PostgreSQL captured into a lake, a gold model run, and the
 * API's answers compared with what the lake and the source hold. One pipeline for the whole class.
 */
class ServerIT {
  static final String PASSWORD = "Canary-pw-7f3e91";
  static final String TOKEN = "t0ken-5b8c2d";
  static final int ITEMS = 60;
  static final int UPDATES_OF_ITEM_7 = 3;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-z_]+)(\\{[^}]*\\})? (\\S+)$");

  @TempDir static Path work;

  static EmbeddedPostgresServer postgres;
  static Lake lake;
  static IcebergLakeWriter writer;
  static Pipeline pipeline;
  static PostgresSlotProbe probe;
  static MetricsRegistry metrics;
  static ModelRunResult modelRun;
  static Alerts alerts;
  static TributaryServer server;
  static TributaryServer guarded;
  static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void startPipelineAndServers() throws Exception {
    postgres = EmbeddedPostgresServer.start();
    postgres.createDatabase("shop");
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL)");
      statement.execute("INSERT INTO items SELECT i, 'item ' || i, i % 7 FROM generate_series(1, " + ITEMS + ") i");
    }
    lake = Lake.open(work.resolve("lake"));
    writer = new IcebergLakeWriter(lake);
    metrics = new MetricsRegistry();
    TableActivity activity = new TableActivity();
    PostgresSourceSettings settings = new PostgresSourceSettings("shop", postgres.host(), postgres.port(), "shop",
        EmbeddedPostgresServer.USER, Optional.of(PASSWORD), List.of("public.items"), "", "server_it", "server_it",
        Duration.ofSeconds(1), SnapshotMode.INITIAL, work.resolve("work"));
    pipeline = new Pipeline(new PostgresSource(settings), writer, new PipelineSettings(Duration.ofMillis(300), 1000, 10_000),
        activity.listener(), metrics);
    probe = new PostgresSlotProbe(settings, Duration.ZERO);
    Path models = Files.createDirectories(work.resolve("models"));
    Files.writeString(models.resolve("qty_by_bucket.sql"), "SELECT qty, count(*) AS items FROM silver.items GROUP BY qty");
    ModelProject project = ModelProject.load(models);
    ModelActivity modelActivity = new ModelActivity(project, metrics);
    alerts = new Alerts("it", List.of());
    alerts.raise("check:silver.items", AlertSeverity.CRITICAL, "silver.items differs from its source",
        "2 keys differ");
    alerts.resolve("check:silver.items", "silver.items equals its source again");
    alerts.raise("lag:shop", AlertSeverity.WARNING, "Source shop lags 12 min", "Its last commit is 12 min old");
    // As in run and demo, the servers start before the pipeline, so they see every commit.
    ServerContext context = new ServerContext("it", lake, () -> List.of(pipeline.status()),
        List.of(new SourceInfo("shop", "postgres", List.of("public.items"), Optional.of("server_it"), probe)),
        metrics, activity, Optional.of(modelActivity), Optional.of(alerts));
    server = TributaryServer.start(new ServerConfig(true, new ListenAddress("127.0.0.1", 0), Optional.empty(),
        Duration.ofSeconds(5), 10), context);
    guarded = TributaryServer.start(new ServerConfig(true, new ListenAddress("127.0.0.1", 0),
        Optional.of(Secret.of(TOKEN)), Duration.ofSeconds(5), 10), context);

    pipeline.start();
    awaitTrue("the snapshot in silver", () -> lakeCount("silver.items") == ITEMS);
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement()) {
      for (int i = 1; i <= UPDATES_OF_ITEM_7; i++) {
        statement.execute("UPDATE items SET qty = qty + " + i + " WHERE id = 7");
      }
      statement.execute("DELETE FROM items WHERE id = 60");
      statement.execute("INSERT INTO items VALUES (61, 'item 61', 3)");
    }
    awaitTrue("the changes in bronze", () -> lakeCount("bronze.items") == ITEMS + UPDATES_OF_ITEM_7 + 2);
    awaitTrue("silver to equal the source", () -> lakeCount("silver.items") == ITEMS);

    // What bin/tributary check stores after finding one key of silver.items different from the source.
    new CheckRecords(lake).write(List.of(new TableCheck("shop", "public.items", "silver.items", CheckOutcome.DIFFERENT,
        pipeline.status().committedPosition().orElseThrow().sortKey(), ITEMS, ITEMS, List.of(), 1, 0,
        List.of("id", "name", "qty"), List.of(), Instant.now(), Duration.ofMillis(40), Optional.empty())));

    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
      ModelRunner runner = new ModelRunner(lake, engine);
      Model model = project.models().get(0);
      modelRun = runner.run(model);
      modelActivity.ran(modelRun, runner.lastTests().getOrDefault(model.name(), List.of()));
    }
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {server, guarded, alerts, pipeline, writer, probe, lake, postgres}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  @Test
  void tablesAnswerWithTheLakesRowsFilesAndCommits() throws Exception {
    JsonNode tables = getJson(server, "api/tables");

    Map<String, JsonNode> byName = new HashMap<>();
    tables.forEach(table -> byName.put(table.get("name").asText(), table));
    assertThat(names(tables)).as("layer order")
        .containsExactly("bronze.items", "silver.items", "history.items", "gold.qty_by_bucket");
    for (JsonNode table : tables) {
      String name = table.get("name").asText();
      Table iceberg = lake.catalog().loadTable(TableIdentifier.parse(name));
      assertThat(table.get("rows").asLong()).as("rows of %s", name).isEqualTo(lakeCount(name));
      assertThat(table.get("lastCommit").get("snapshotId").asLong()).as("last commit of %s", name)
          .isEqualTo(iceberg.currentSnapshot().snapshotId());
      assertThat(table.get("dataFiles").asLong()).as("data files of %s", name)
          .isEqualTo(Long.parseLong(iceberg.currentSnapshot().summary().get("total-data-files")));
      assertThat(table.get("freshnessSeconds").asDouble()).isGreaterThanOrEqualTo(0);
    }
    assertThat(byName.get("silver.items").get("rows").asLong()).isEqualTo(sourceCount());
    assertThat(byName.get("bronze.items").get("source").asText()).isEqualTo("shop");
    assertThat(byName.get("bronze.items").get("sourceTable").asText()).isEqualTo("public.items");
  }

  @Test
  void sourceShowsItsCommittedPositionAndSlot() throws Exception {
    // Heartbeats keep committing: take an answer that no commit went through halfway.
    JsonNode[] answer = new JsonNode[1];
    String[] checkpoint = new String[1];
    long[] changesCommitted = new long[1];
    awaitTrue("an answer between two commits", () -> {
      long commits = pipeline.status().commits();
      String before = new Checkpoints(lake).read("shop").orElseThrow().position().sortKey();
      answer[0] = getJson(server, "api/sources").get(0);
      checkpoint[0] = new Checkpoints(lake).read("shop").orElseThrow().position().sortKey();
      changesCommitted[0] = pipeline.status().changesCommitted();
      return pipeline.status().commits() == commits && before.equals(checkpoint[0]);
    });
    JsonNode source = answer[0];

    assertThat(source.get("name").asText()).isEqualTo("shop");
    assertThat(source.get("state").asText()).isEqualTo("running");
    assertThat(source.get("position").asText()).isEqualTo(checkpoint[0]);
    assertThat(source.get("changesCommitted").asLong()).isEqualTo(changesCommitted[0]);
    assertThat(source.get("slot").get("name").asText()).isEqualTo("server_it");
    assertThat(source.get("slot").get("retainedWalBytes").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(source.get("lagBytes").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(source.get("lagSeconds").isNumber()).as("lag of streamed changes").isTrue();
  }

  @Test
  void tablePageHasSchemaActivityAndCommits() throws Exception {
    JsonNode table = getJson(server, "api/tables/silver.items");

    assertThat(names(table.get("schema"))).containsExactly("id", "name", "qty", "_position", "_commit_ts");
    assertThat(table.get("schema").get(0).get("key").asBoolean()).isTrue();
    assertThat(table.get("keyColumns").get(0).asText()).isEqualTo("id");
    assertThat(table.get("lastHour")).hasSize(TableActivity.MINUTES);
    // The per-minute figures add up to what the commits reported: for silver, rows upserted or deleted.
    assertThat(sumOfRows(table.get("lastHour"))).isEqualTo(pipeline.status().rowsByTable().get("silver.items"));
    // Bronze only appends, so there they add up to the table's rows.
    assertThat(sumOfRows(getJson(server, "api/tables/bronze.items").get("lastHour")))
        .isEqualTo(lakeCount("bronze.items"));
    assertThat(table.get("rowsLastHour").asLong()).isEqualTo(pipeline.status().rowsByTable().get("silver.items"));
    // The streamed changes' lag (source commit to lake commit) is recorded in their minute.
    List<Double> lags = new ArrayList<>();
    table.get("lastHour").forEach(minute -> {
      if (!minute.get("maxLagSeconds").isNull()) {
        lags.add(minute.get("maxLagSeconds").asDouble());
      }
    });
    assertThat(lags).isNotEmpty().allSatisfy(lag -> assertThat(lag).isGreaterThanOrEqualTo(0));
    Table silver = lake.catalog().loadTable(TableIdentifier.parse("silver.items"));
    assertThat(table.get("recentCommits").get(0).get("snapshotId").asLong())
        .isEqualTo(silver.currentSnapshot().snapshotId());

    assertThat(status(server, "api/tables/silver.nothing")).isEqualTo(404);
  }

  @Test
  void recentCommitsAreTheLakesSnapshotsNewestFirst() throws Exception {
    JsonNode commits = getJson(server, "api/commits?limit=4");

    assertThat(commits).hasSize(4);
    long previous = Long.MAX_VALUE;
    for (JsonNode commit : commits) {
      Table table = lake.catalog().loadTable(TableIdentifier.parse(commit.get("table").asText()));
      var snapshot = table.snapshot(commit.get("snapshotId").asLong());
      assertThat(snapshot).isNotNull();
      assertThat(snapshot.timestampMillis()).isLessThanOrEqualTo(previous);
      previous = snapshot.timestampMillis();
    }
  }

  @Test
  void historyOfOneKeyListsItsVersions() throws Exception {
    JsonNode history = getJson(server, "api/tables/silver.items/history?id=7");

    assertThat(history.get("from").asText()).isEqualTo("history.items");
    List<String> columns = new ArrayList<>();
    history.get("columns").forEach(column -> columns.add(column.asText()));
    List<String> versions = new ArrayList<>();
    for (JsonNode row : history.get("rows")) {
      versions.add(row.get(columns.indexOf("qty")).asInt() + (row.get(columns.indexOf("_is_current")).asBoolean() ? " current" : ""));
    }
    assertThat(versions).containsExactly("0", "1", "3", "6 current");
    assertThat(lakeCount("history.items")).isPositive();

    assertThat(status(server, "api/tables/silver.items/history?name=x")).isEqualTo(400);
  }

  @Test
  void modelRunsAndModelsShowTheGoldLayer() throws Exception {
    JsonNode model = getJson(server, "api/models").get(0);
    JsonNode run = getJson(server, "api/model-runs").get(0);

    assertThat(model.get("name").asText()).isEqualTo("qty_by_bucket");
    assertThat(model.get("references").get(0).asText()).isEqualTo("silver.items");
    assertThat(run.get("outcome").asText()).isEqualTo("succeeded");
    assertThat(run.get("rowsWritten").asLong()).isEqualTo(modelRun.rowsWritten()).isEqualTo(lakeCount("gold.qty_by_bucket"));
  }

  @Test
  void checksShowTheStoredReconciliation() throws Exception {
    JsonNode check = getJson(server, "api/checks").get(0);

    assertThat(check.get("table").asText()).isEqualTo("silver.items");
    assertThat(check.get("outcome").asText()).isEqualTo("different");
    assertThat(check.get("differences").asLong()).isEqualTo(1);
    String metrics = send(server, "metrics", Optional.empty()).body();
    assertThat(metrics).contains("tributary_check_outcome{table=\"silver.items\",outcome=\"different\"} 1\n")
        .contains("tributary_check_outcome{table=\"silver.items\",outcome=\"equal\"} 0\n")
        .contains("tributary_check_differences{table=\"silver.items\"} 1\n");
  }

  @Test
  void alertsShowWhatIsActive() throws Exception {
    JsonNode answer = getJson(server, "api/alerts");

    assertThat(answer.get("active")).hasSize(1);
    assertThat(answer.get("active").get(0).get("key").asText()).isEqualTo("lag:shop");
    assertThat(answer.get("active").get(0).get("severity").asText()).isEqualTo("warning");
    assertThat(answer.get("recent").get(0).get("status").asText()).isEqualTo("FIRING");
    assertThat(send(server, "metrics", Optional.empty()).body()).contains("tributary_alerts_active{severity=\"warning\"} 1\n");
  }

  @Test
  void sqlConsoleReadsTheLakeWithinItsRowLimit() throws Exception {
    JsonNode count = postSql(server, "SELECT count(*) AS n FROM silver.items;");
    assertThat(count.get("rows").get(0).get(0).asLong()).isEqualTo(sourceCount());
    assertThat(count.get("truncated").asBoolean()).isFalse();

    JsonNode limited = postSql(server, "SELECT * FROM bronze.items ORDER BY _position");
    assertThat(limited.get("rows")).hasSize(10);
    assertThat(limited.get("truncated").asBoolean()).isTrue();
    assertThat(limited.get("maxRows").asInt()).isEqualTo(10);
  }

  @Test
  void sqlConsoleRefusesStatementsThatWriteOrReachOutside() throws Exception {
    assertRefused("INSERT INTO silver.items VALUES (1, 'x', 1)",
        "Cannot run INSERT: the SQL console only reads the lake");
    assertRefused("DROP VIEW silver.items", "Cannot run DROP: the SQL console only reads the lake");
    assertRefused("SELECT 1; DROP VIEW silver.items", "Cannot run more than one statement at once");
    assertRefused("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "Cannot run a statement containing INSERT");
    assertRefused("EXPLAIN ANALYZE COPY (SELECT 1) TO '/tmp/x.csv'", "Cannot run a statement containing COPY");
    assertRefused("SELECT * FROM read_csv('/etc/passwd')", "");
    assertRefused("SELECT * FROM read_text('" + work.resolve("lake/catalog.db") + "')", "");
    // A write keyword inside a string is data, not a statement.
    assertThat(postSql(server, "SELECT 'drop table x' AS text").get("rows").get(0).get(0).asText())
        .isEqualTo("drop table x");
    // After all that the lake's views are intact.
    assertThat(postSql(server, "SELECT count(*) FROM silver.items").get("rows").get(0).get(0).asLong())
        .isEqualTo(sourceCount());
  }

  @Test
  void tokenIsRequiredForEveryCallWhenConfigured() throws Exception {
    for (String path : List.of("api/tables", "api/sources", "metrics", "api/openapi.json")) {
      assertThat(send(guarded, path, Optional.empty()).statusCode()).as("%s without a token", path).isEqualTo(401);
      assertThat(send(guarded, path, Optional.of("Bearer wrong")).statusCode()).as("%s, wrong token", path)
          .isEqualTo(401);
      assertThat(send(guarded, path, Optional.of("Bearer " + TOKEN)).statusCode()).as("%s with the token", path)
          .isEqualTo(200);
    }
    HttpResponse<String> refused = send(guarded, "api/tables", Optional.of("Basic " + TOKEN));
    assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"tributary\"");
    assertThat(refused.body()).contains("Missing or wrong token").doesNotContain(TOKEN);
    // The UI's files hold no data; the page asks for the token and sends it with each call.
    assertThat(send(guarded, "", Optional.empty()).statusCode()).isEqualTo(200);
  }

  @Test
  void noAnswerShowsTheSourcePassword() throws Exception {
    for (String path : List.of("api/pipeline", "api/sources", "api/tables", "api/tables/bronze.items", "api/commits",
        "api/models", "api/model-runs", "metrics")) {
      assertThat(send(server, path, Optional.empty()).body()).as(path).doesNotContain(PASSWORD);
    }
  }

  @Test
  void metricsAgreeWithTheCommittedCounts() throws Exception {
    // The pipeline keeps committing (heartbeats): take a scrape that no commit went through halfway.
    Map<String, Double> samples = new HashMap<>();
    awaitTrue("a scrape between two commits", () -> {
      samples.clear();
      samples.putAll(scrape());
      Double commits = samples.get("tributary_commits_total{source=\"shop\"}");
      return commits != null && commits == pipeline.status().commits()
          && commits.equals(samples.get("tributary_commit_duration_seconds_count{source=\"shop\"}"))
          && commits.equals(samples.get("tributary_commit_duration_seconds_bucket{source=\"shop\",le=\"+Inf\"}"));
    });

    long bronze = lakeCount("bronze.items");
    assertThat(samples.get("tributary_rows_written_total{table=\"bronze.items\"}")).isEqualTo((double) bronze);
    assertThat(samples.get("tributary_changes_committed_total{source=\"shop\",table=\"public.items\"}"))
        .isEqualTo((double) bronze);
    assertThat(samples.get("tributary_changes_received_total{source=\"shop\",table=\"public.items\"}"))
        .isGreaterThanOrEqualTo((double) bronze);
    double commits = samples.get("tributary_commits_total{source=\"shop\"}");
    assertThat(commits).as("commits, equal to the pipeline's own count when scraped").isPositive();
    assertThat(samples.get("tributary_commit_duration_seconds_count{source=\"shop\"}")).isEqualTo(commits);
    assertThat(samples.get("tributary_commit_duration_seconds_bucket{source=\"shop\",le=\"+Inf\"}")).isEqualTo(commits);
    assertThat(samples.get("tributary_pipeline_state{source=\"shop\",state=\"running\"}")).isEqualTo(1.0);
    assertThat(samples).containsKey("tributary_replication_slot_retained_wal_bytes{source=\"shop\",slot=\"server_it\"}");
    assertThat(samples.get("tributary_model_runs_total{model=\"qty_by_bucket\",outcome=\"succeeded\"}")).isEqualTo(1.0);
    assertThat(samples.get("tributary_model_run_duration_seconds_count{model=\"qty_by_bucket\"}")).isEqualTo(1.0);
    assertThat(samples.get("jvm_memory_used_bytes{area=\"heap\"}")).isPositive();
    assertThat(samples.get("jvm_threads_live")).isPositive();
    assertThat(send(server, "metrics", Optional.empty()).body()).contains("# TYPE tributary_commit_duration_seconds histogram\n");
  }

  @Test
  void openApiDescribesEveryEndpoint() throws Exception {
    JsonNode paths = getJson(server, "api/openapi.json").get("paths");

    assertThat(paths.fieldNames()).toIterable().containsExactlyInAnyOrder("/api/pipeline", "/api/sources",
        "/api/tables", "/api/tables/{table}", "/api/tables/{table}/history", "/api/commits", "/api/models",
        "/api/model-runs", "/api/dead-letters", "/api/dead-letters/{table}", "/api/checks", "/api/alerts", "/api/sql", "/metrics");
  }

  /**
   * The web UI in headless Chromium: the overview draws the flow and lists the tables with their rows (checked in
   * the page and in a screenshot), a table page shows a key's versions, the SQL console runs a query and refuses
   * a write, and a server with a token asks for it.
   */
  @Test
  void webUiShowsTheLakeInARealBrowser() throws Exception {
    assumeTrue(WebUi.available(), "Debian's chromium and chromium-driver are installed (.ci/run installs them)");
    Path screenshots = Files.createDirectories(Path.of("target", "ui-screenshots"));
    try (WebUi ui = new WebUi(work.resolve("chromium-profile"))) {
      ui.open(server.uri().toString());
      assertThat(ui.text("#tables tr[data-table='silver.items']")).startsWith("silver.items " + sourceCount() + " ");
      assertThat(ui.text("#tables tr[data-table='bronze.items']"))
          .startsWith("bronze.items " + lakeCount("bronze.items") + " ");
      assertThat(ui.text("#flow [data-node='silver.items']")).contains("silver.items").contains(sourceCount() + " rows");
      assertThat(ui.text("#flow [data-node='gold.qty_by_bucket']")).contains("gold.qty_by_bucket");
      assertThat(ui.text("#flow [data-node='source:shop']")).contains("shop").contains("running");
      assertThat(ui.text("#sources tr[data-source='shop']")).contains("running");
      assertThat(ui.text("#checks tr[data-check='silver.items']")).contains("different").contains("1");
      assertThat(ui.text("#alerts tr[data-alert='lag:shop']")).contains("warning").contains("Source shop lags 12 min");
      assertThat(ui.driver().findElement(By.tagName("body")).getText()).doesNotContain(PASSWORD);
      byte[] png = ((TakesScreenshot) ui.driver()).getScreenshotAs(OutputType.BYTES);
      Files.write(screenshots.resolve("overview.png"), png);
      assertNonTrivialImage(png);

      ui.open(server.uri() + "#/alerts");
      assertThat(ui.text("#active-alerts tr[data-alert='lag:shop']")).contains("warning")
          .contains("Source shop lags 12 min").contains("Its last commit is 12 min old");
      assertThat(ui.text("#recent-alerts tr[data-alert='lag:shop'][data-state='active']")).contains("active");
      assertThat(ui.text("#recent-alerts tr[data-alert='check:silver.items'][data-state='resolved']"))
          .contains("critical").contains("silver.items differs from its source")
          .contains("silver.items equals its source again");
      assertThat(ui.driver().findElements(By.cssSelector("#recent-alerts tr[data-alert]"))).hasSize(2);
      Files.write(screenshots.resolve("alerts.png"), ((TakesScreenshot) ui.driver()).getScreenshotAs(OutputType.BYTES));

      ui.open(server.uri() + "#/table/silver.items?id=7");
      WebElement history = ui.await("#history-rows");
      assertThat(history.findElements(By.cssSelector("tr"))).hasSize(1 + 1 + UPDATES_OF_ITEM_7);
      assertThat(ui.await("#schema").getText()).contains("qty").contains("key");
      Files.write(screenshots.resolve("table.png"), ((TakesScreenshot) ui.driver()).getScreenshotAs(OutputType.BYTES));

      ui.open(server.uri() + "#/sql");
      WebElement editor = ui.await("#sql");
      editor.clear();
      editor.sendKeys("SELECT count(*) AS n FROM silver.items");
      ui.await("#run-sql").click();
      assertThat(ui.await("#sql-rows").getText()).contains("n").contains(String.valueOf(sourceCount()));
      editor.clear();
      editor.sendKeys("SELECT * FROM bronze.items");
      ui.await("#run-sql").click();
      assertThat(ui.await("#sql-truncated").getText()).contains("Only the first 10 rows");
      editor.clear();
      editor.sendKeys("DELETE FROM silver.items");
      ui.await("#run-sql").click();
      assertThat(ui.await("#sql-error").getText()).startsWith("Cannot run DELETE: the SQL console only reads the lake");

      ui.open(guarded.uri().toString());
      ui.await("#token-input").sendKeys(TOKEN);
      ui.await("#token-form button").click();
      assertThat(ui.text("#tables tr[data-table='silver.items']")).startsWith("silver.items ");
    }
  }

  private static void assertNonTrivialImage(byte[] png) throws Exception {
    assertThat(png.length).as("screenshot size").isGreaterThan(20_000);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image.getWidth()).isGreaterThanOrEqualTo(1000);
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 4) {
      for (int x = 0; x < image.getWidth(); x += 4) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertThat(colours.size()).as("distinct colours in the screenshot").isGreaterThan(50);
  }

  private static void assertRefused(String sql, String message) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri().resolve("api/sql"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("sql", sql)))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", sql, response.body()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("error").asText()).as(sql).startsWith(message.isEmpty() ? "Cannot" : message);
  }

  static JsonNode postSql(TributaryServer target, String sql) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(target.uri().resolve("api/sql"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("sql", sql)))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", sql, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  static JsonNode getJson(TributaryServer target, String path) throws Exception {
    HttpResponse<String> response = send(target, path, Optional.empty());
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static int status(TributaryServer target, String path) throws Exception {
    return send(target, path, Optional.empty()).statusCode();
  }

  static HttpResponse<String> send(TributaryServer target, String path, Optional<String> authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(target.uri().resolve(path));
    authorization.ifPresent(value -> request.header("Authorization", value));
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long sumOfRows(JsonNode minutes) {
    long rows = 0;
    for (JsonNode minute : minutes) {
      rows += minute.get("rows").asLong();
    }
    return rows;
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(element -> names.add(element.get("name").asText()));
    return names;
  }

  static long lakeCount(String table) {
    try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
      if (!engine.tables().contains(table)) {
        return -1;
      }
      return ((Number) engine.query("SELECT count(*) FROM " + table).rows().get(0).get(0)).longValue();
    }
  }

  private static long sourceCount() throws Exception {
    try (Connection connection = postgres.connection("shop"); Statement statement = connection.createStatement();
        var result = statement.executeQuery("SELECT count(*) FROM items")) {
      result.next();
      return result.getLong(1);
    }
  }

  private static Map<String, Double> scrape() throws Exception {
    String text = send(server, "metrics", Optional.empty()).body();
    Map<String, Double> samples = new HashMap<>();
    Matcher line = SAMPLE.matcher(text);
    while (line.find()) {
      samples.put(line.group(1) + (line.group(2) == null ? "" : line.group(2)), Double.parseDouble(line.group(3)));
    }
    return samples;
  }

  private static void awaitTrue(String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() < deadline) {
      if (pipeline.state() == PipelineState.FAILED) {
        throw new AssertionError("The pipeline failed", pipeline.failure().orElse(null));
      }
      if (condition.call()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Timed out waiting for " + what);
  }
}
