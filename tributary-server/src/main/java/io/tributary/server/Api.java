package io.tributary.server;

import static java.util.Objects.requireNonNull;

import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.core.pipeline.ReplicationSlotStatus;
import io.tributary.lake.CheckRecords;
import io.tributary.sql.QueryResult;
import io.tributary.sql.models.Model;
import io.tributary.sql.models.ModelRunner;
import io.tributary.sql.models.TestResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;

/** The answers of the REST API, as JSON-ready maps and lists; {@link TributaryServer} routes to them. */
final class Api {
  private static final int MAX_LIMIT = 1000;

  private final ServerContext context;
  private final LakeView lake;
  private final SqlConsole console;
  private final Clock clock;

  Api(ServerContext context, LakeView lake, SqlConsole console, Clock clock) {
    this.context = requireNonNull(context, "context is null");
    this.lake = requireNonNull(lake, "lake is null");
    this.console = requireNonNull(console, "console is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  Map<String, Object> pipeline() {
    return Json.object("name", context.pipeline(), "now", clock.instant(),
        "sources", context.sources().stream().map(SourceInfo::name).toList(),
        "models", context.models().map(models -> models.project().models().size()).orElse(0),
        "sql", Json.object("timeoutSeconds", console.timeout().toSeconds(), "maxRows", console.maxRows()));
  }

  List<Map<String, Object>> sources() {
    List<Map<String, Object>> sources = new ArrayList<>();
    for (SourceInfo source : context.sources()) {
      Optional<PipelineStatus> status = context.status(source.name());
      Map<String, Object> slot = null;
      String slotError = null;
      try {
        slot = source.probe().read().map(Api::slot).orElse(null);
      } catch (RuntimeException e) {
        slotError = e.getMessage();
      }
      sources.add(Json.object(
          "name", source.name(),
          "type", source.type(),
          "tables", source.tables(),
          "state", status.map(s -> s.state().name().toLowerCase(java.util.Locale.ROOT)).orElse("unknown"),
          "snapshotting", status.map(PipelineStatus::snapshotting).orElse(false),
          "position", status.flatMap(PipelineStatus::committedPosition).map(position -> position.sortKey()),
          "lastCommitAt", status.flatMap(PipelineStatus::lastCommitAt),
          "lagSeconds", status.flatMap(PipelineStatus::lag),
          "lagBytes", slot == null ? null : slot.get("lagBytes"),
          "changesReceived", status.map(PipelineStatus::changesReceived).orElse(0L),
          "changesCommitted", status.map(PipelineStatus::changesCommitted).orElse(0L),
          "commits", status.map(PipelineStatus::commits).orElse(0L),
          "queued", status.map(PipelineStatus::queued).orElse(0),
          "failure", status.flatMap(PipelineStatus::failure),
          "slot", slot,
          "slotError", slotError));
    }
    return sources;
  }

  private static Map<String, Object> slot(ReplicationSlotStatus slot) {
    return Json.object("name", slot.slot(), "active", slot.active(), "lagBytes", slot.lagBytes(),
        "retainedWalBytes", slot.retainedBytes(), "confirmedPosition", slot.confirmedPosition(),
        "currentPosition", slot.currentPosition());
  }

  List<Map<String, Object>> tables() {
    List<Map<String, Object>> tables = new ArrayList<>();
    for (String name : lake.tables()) {
      lake.table(name).ifPresent(table -> {
        Map<String, Object> summary = lake.summary(name, table);
        summary.put("rowsLastHour", context.activity().rowsLastHour(name));
        tables.add(summary);
      });
    }
    return tables;
  }

  Map<String, Object> table(String name) {
    Table table = lake.table(name).orElseThrow(() -> notFound(name));
    Map<String, Object> answer = lake.summary(name, table);
    answer.put("rowsLastHour", context.activity().rowsLastHour(name));
    answer.put("schema", LakeView.schema(table));
    answer.put("keyColumns", lake.keyColumns(name));
    answer.put("partitioning", table.spec().fields().stream().map(Object::toString).toList());
    answer.put("location", table.location());
    answer.put("properties", visibleProperties(table.properties()));
    List<Map<String, Object>> minutes = new ArrayList<>();
    for (TableActivity.Minute minute : context.activity().lastHour(name)) {
      minutes.add(Json.object("start", minute.start(), "rows", minute.rows(), "commits", minute.commits(),
          "maxLagSeconds", minute.maxLag()));
    }
    answer.put("lastHour", minutes);
    answer.put("recentCommits", lake.recentCommits(20, Optional.of(name)));
    return answer;
  }

  /** Table properties that say how the table is written; nothing else (a property could hold anything). */
  private static Map<String, String> visibleProperties(Map<String, String> properties) {
    Map<String, String> visible = new LinkedHashMap<>();
    new java.util.TreeMap<>(properties).forEach((key, value) -> {
      if (key.startsWith("tributary.") || key.startsWith("write.") || key.equals("format-version")) {
        visible.put(key, value);
      }
    });
    return visible;
  }

  Map<String, Object> history(String name, Map<String, String> key) {
    lake.table(name).orElseThrow(() -> notFound(name));
    return lake.history(name, key);
  }

  List<Map<String, Object>> commits(int limit) {
    return lake.recentCommits(limit(limit), Optional.empty());
  }

  List<Map<String, Object>> models() {
    if (context.models().isEmpty()) {
      return List.of();
    }
    ModelActivity activity = context.models().get();
    Map<String, List<TestResult>> tests = activity.lastTests();
    Map<String, ModelActivity.Run> lastRuns = new LinkedHashMap<>();
    for (ModelActivity.Run run : activity.recentRuns(ModelActivity.KEPT_RUNS)) {
      lastRuns.putIfAbsent(run.result().model(), run);
    }
    List<Map<String, Object>> models = new ArrayList<>();
    for (Model model : activity.project().models()) {
      Optional<Table> table = lake.table(model.table());
      ModelActivity.Run last = lastRuns.get(model.name());
      models.add(Json.object(
          "name", model.name(),
          "table", model.table(),
          "materialization", model.materialization().toString().toLowerCase(java.util.Locale.ROOT),
          "references", model.references().stream().sorted().toList(),
          "refresh", model.refresh().toString(),
          "lastRun", last == null ? null : run(last),
          "refreshedAt", table.map(t -> t.currentSnapshot() == null ? null
              : java.time.Instant.ofEpochMilli(t.currentSnapshot().timestampMillis())).orElse(null),
          "tests", tests.getOrDefault(model.name(), List.of()).stream().map(Api::test).toList(),
          "testSummary", table.map(t -> t.properties().get(ModelRunner.TESTS_PROPERTY)).orElse(null)));
    }
    return models;
  }

  List<Map<String, Object>> modelRuns(int limit) {
    return context.models().map(activity -> activity.recentRuns(limit(limit)).stream().map(Api::run).toList())
        .orElse(List.of());
  }

  private static Map<String, Object> run(ModelActivity.Run run) {
    var result = run.result();
    return Json.object("model", result.model(), "finishedAt", run.finishedAt(),
        "outcome", result.outcome().name().toLowerCase(java.util.Locale.ROOT), "rowsWritten", result.rowsWritten(),
        "rowsDeleted", result.rowsDeleted(), "durationSeconds", result.duration(), "snapshotId", result.snapshotId(),
        "recomputedKeys", result.recomputedKeys(), "error", result.error());
  }

  private static Map<String, Object> test(TestResult test) {
    return Json.object("test", test.test(), "passed", test.passed(), "failingRows", test.failingRows(),
        "sample", test.sample(), "error", test.error());
  }

  List<Map<String, Object>> deadLetters() {
    List<Map<String, Object>> tables = new ArrayList<>();
    for (String name : lake.tables()) {
      if (name.startsWith(LakeView.ERRORS + ".")) {
        lake.table(name).ifPresent(table -> tables.add(lake.summary(name, table)));
      }
    }
    return tables;
  }

  Map<String, Object> deadLetters(String name, int limit) {
    if (!name.startsWith(LakeView.ERRORS + ".")) {
      throw new LakeView.NotFoundException("Cannot show dead letters of " + name
          + ": dead-letter tables are errors.<table> (list them at /api/dead-letters)");
    }
    lake.table(name).orElseThrow(() -> notFound(name));
    QueryResult rows = lake.rows(name, limit(limit));
    return Json.object("table", name, "columns", rows.columnNames(), "types", rows.columnTypes(),
        "rows", rows.rows());
  }

  /** The last reconciliation check of each table, as {@code check} or a running pipeline stored it in the lake. */
  List<Map<String, Object>> checks() {
    List<Map<String, Object>> checks = new ArrayList<>();
    new CheckRecords(context.lake()).all().values().forEach(check -> checks.add(Json.object(
        "table", check.lakeTable(),
        "outcome", check.outcome().name().toLowerCase(java.util.Locale.ROOT),
        "differences", check.differences(),
        "summary", check.summary(),
        "checkedAt", check.checkedAt())));
    return checks;
  }

  /** The active alerts and the latest alert events (newest first), or empty when the process raises none. */
  Optional<Map<String, Object>> alerts() {
    return context.alerts().map(alerts -> {
      List<Map<String, Object>> active = new ArrayList<>();
      alerts.active().forEach(alert -> active.add(Json.object("key", alert.key(),
          "severity", alert.severity().name().toLowerCase(java.util.Locale.ROOT), "title", alert.title(),
          "message", alert.message(), "since", alert.since())));
      List<Map<String, Object>> recent = new ArrayList<>();
      alerts.recent().forEach(event -> recent.add(0, Json.object("key", event.alert().key(), "status", event.status(),
          "severity", event.alert().severity().name().toLowerCase(java.util.Locale.ROOT), "title", event.alert().title(),
          "message", event.message(), "at", event.at())));
      return Json.object("active", active, "recent", recent);
    });
  }

  Map<String, Object> sql(String statement) {
    SqlConsole.Answer answer = console.run(statement);
    return Json.object("columns", answer.columns(), "types", answer.types(), "rows", answer.rows(),
        "rowCount", answer.rows().size(), "truncated", answer.truncated(), "maxRows", console.maxRows(),
        "elapsedMillis", answer.elapsedMillis());
  }

  private static int limit(int limit) {
    return Math.max(1, Math.min(limit, MAX_LIMIT));
  }

  private LakeView.NotFoundException notFound(String name) {
    return new LakeView.NotFoundException("Cannot find table " + name + " in the lake (tables: "
        + String.join(", ", lake.tables()) + ")");
  }
}
