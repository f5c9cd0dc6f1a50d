package io.tributary.cli;

import io.tributary.core.alert.Alert;
import io.tributary.core.alert.AlertEvent;
import io.tributary.core.alert.AlertJournal;
import io.tributary.core.check.CheckOutcome;
import io.tributary.core.config.PostgresSourceConfig;
import io.tributary.core.config.SourceConfig;
import io.tributary.core.config.TributaryConfig;
import io.tributary.lake.CheckRecords;
import io.tributary.lake.Checkpoint;
import io.tributary.core.pipeline.ReplicationSlotStatus;
import io.tributary.sources.postgres.PostgresSlotProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.catalog.Namespace;
import io.tributary.lake.Checkpoints;
import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.models.Model;
import io.tributary.sql.models.ModelRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code tributary status}: how far each source got and what each table holds. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show each source's committed position and the lake's tables.")
final class StatusCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--lake", paramLabel = "DIR", description = "The lake's warehouse directory (default: lake, or the"
      + " configuration's warehouse).")
  Path lake;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Pipeline configuration: adds each source's replication slot (WAL retained, lag in bytes).")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    TributaryConfig configuration = config == null ? null : TributaryConfig.load(config, System.getenv());
    Path directory = lake != null ? lake
        : configuration != null ? configuration.lake().warehouse() : Path.of("lake");
    try (Lake opened = ExistingLake.open(directory, "show status of");
        LakeSqlEngine engine = new LakeSqlEngine(opened.catalog())) {
      Map<String, Checkpoint> checkpoints = new Checkpoints(opened).all();
      out.println("Sources");
      if (checkpoints.isEmpty()) {
        out.println("  (none has committed yet)");
      }
      checkpoints.forEach((source, checkpoint) -> out.printf("  %-16s position %s%s, committed %s (%s ago)%n", source,
          checkpoint.position().sortKey(), checkpoint.position().inSnapshot() ? " (initial snapshot running)" : "",
          checkpoint.committedAt(), Progress.duration(Duration.between(checkpoint.committedAt(), Instant.now()))));
      if (configuration != null) {
        printSlots(out, configuration);
      }
      out.println("Tables");
      for (String table : engine.tables()) {
        Object rows = engine.query("SELECT count(*) FROM " + table).rows().get(0).get(0);
        out.printf("  %-32s %,12d rows%s%n", table, ((Number) rows).longValue(),
            table.startsWith(Lake.ERRORS + ".") ? errorDetails(engine, table) : goldDetails(opened, table));
      }
      printProblems(out, opened);
      out.flush();
    }
    return 0;
  }

  /** For a dead-letter table: that its rows did not reach silver, and when the last one came. */
  private static String errorDetails(LakeSqlEngine engine, String table) {
    Object last = engine.query("SELECT max(_recorded_at) FROM " + table).rows().get(0).get(0);
    return " did not reach silver" + (last == null ? "" : ", last recorded " + last)
        + " (SELECT * FROM " + table + " shows why)";
  }

  private static void printSlots(PrintWriter out, TributaryConfig configuration) {
    for (SourceConfig source : configuration.sources().values()) {
      if (!(source instanceof PostgresSourceConfig postgres)) {
        continue;
      }
      try (PostgresSlotProbe monitor = new PostgresSlotProbe(PipelineGroup.settings(configuration, postgres),
          Duration.ZERO)) {
        Optional<ReplicationSlotStatus> slot = monitor.read();
        if (slot.isEmpty()) {
          out.printf("  %-16s slot %s does not exist (the next run creates it and takes a snapshot)%n", source.name(),
              postgres.slot());
          continue;
        }
        ReplicationSlotStatus state = slot.get();
        String level = state.retainedBytes() >= postgres.walCritical() ? " CRITICAL: above wal-critical"
            : state.retainedBytes() >= postgres.walWarning() ? " WARNING: above wal-warning" : "";
        out.printf("  %-16s slot %s %s, retains %s of WAL, lake %s behind the server%s%n", source.name(), state.slot(),
            state.active() ? "streaming" : "idle", OperationsMonitor.bytes(state.retainedBytes()),
            OperationsMonitor.bytes(state.lagBytes()), level);
      } catch (RuntimeException e) {
        out.printf("  %-16s slot %s cannot be read: %s%n", source.name(), postgres.slot(), e.getMessage());
      }
    }
  }

  /**
   * The alerts each pipeline on this lake keeps in its journal: active ones of running pipelines,
   * and the last state of those that stopped. Returns the active alerts of running pipelines.
   */
  private static List<String> printAlerts(PrintWriter out, Path warehouse) {
    List<String> active = new ArrayList<>();
    List<AlertJournal> journals = AlertJournal.all(warehouse);
    out.println("Alerts");
    if (journals.isEmpty()) {
      out.println("  (no pipeline has run with alerts on this lake)");
    }
    for (AlertJournal journal : journals) {
      Optional<AlertJournal.Entry> read;
      try {
        read = journal.read();
      } catch (RuntimeException e) {
        out.printf("  %s%n", e.getMessage());
        continue;
      }
      if (read.isEmpty()) {
        continue;
      }
      AlertJournal.Entry entry = read.get();
      if (!entry.live()) {
        out.printf("  pipeline %s is not running (%s %s)%s%n", entry.pipeline(),
            entry.running() ? "its process is gone; last alert change" : "stopped", entry.updated(),
            entry.active().isEmpty() ? "" : ": when it stopped, " + entry.active().size() + " alerts were active ("
                + String.join(", ", entry.active().stream().map(Alert::key).toList()) + ")");
        continue;
      }
      if (entry.active().isEmpty()) {
        out.printf("  pipeline %s: no alert is active%n", entry.pipeline());
      }
      for (Alert alert : entry.active()) {
        out.printf("  %-8s %-24s %s: %s (since %s, %s)%n", alert.severity().name(), alert.key(), alert.title(),
            alert.message(), alert.since(), Progress.duration(Duration.between(alert.since(), Instant.now())));
        active.add("alert " + alert.key() + ": " + alert.title());
      }
      long resolved = entry.recent().stream().filter(AlertEvent::resolved).count();
      if (resolved > 0) {
        AlertEvent last = entry.recent().stream().filter(AlertEvent::resolved).reduce((a, b) -> b).orElseThrow();
        out.printf("  pipeline %s: %d alerts resolved since it started, the last %s at %s%n", entry.pipeline(), resolved,
            last.alert().key(), last.at());
      }
    }
    return active;
  }

  /** Failing checks and model tests, active alerts, or that there are none. */
  private static void printProblems(PrintWriter out, Lake lake) {
    Map<String, CheckRecords.Stored> checks = new CheckRecords(lake).all();
    out.println("Checks");
    if (checks.isEmpty()) {
      out.println("  (none yet: run tributary check, or set checks.interval)");
    }
    checks.values().forEach(check -> out.printf("  %-10s %s (%s)%n", check.outcome().name(), check.summary(),
        check.checkedAt()));
    List<String> failing = new ArrayList<>();
    checks.values().stream().filter(check -> check.outcome() != CheckOutcome.EQUAL)
        .forEach(check -> failing.add("check of " + check.lakeTable() + ": " + check.outcome().name().toLowerCase()));
    for (TableIdentifier identifier : tablesOf(lake, Model.GOLD)) {
      String tests = lake.catalog().loadTable(identifier).properties().get(ModelRunner.TESTS_PROPERTY);
      if (tests != null && tests.contains(" failed")) {
        failing.add("tests of gold." + identifier.name() + ": " + tests);
      }
    }
    failing.addAll(printAlerts(out, lake.warehouse()));
    out.println(failing.isEmpty() ? "No failing checks, tests or active alerts" : "Failing");
    failing.forEach(problem -> out.println("  " + problem));
  }

  private static List<TableIdentifier> tablesOf(Lake lake, String namespace) {
    return lake.catalog().namespaceExists(Namespace.of(namespace))
        ? lake.catalog().listTables(Namespace.of(namespace)) : List.of();
  }

  /** For a gold table: when its model last refreshed it and how its tests went. */
  private static String goldDetails(Lake lake, String table) {
    if (!table.startsWith(Model.GOLD + ".")) {
      return "";
    }
    Table gold = lake.catalog().loadTable(TableIdentifier.parse(table));
    String refreshed = gold.currentSnapshot() == null ? "never refreshed"
        : "refreshed " + Instant.ofEpochMilli(gold.currentSnapshot().timestampMillis());
    String tests = gold.properties().get(ModelRunner.TESTS_PROPERTY);
    return ", " + refreshed + (tests == null ? "" : ", tests: " + tests);
  }
}
