package io.tributary.cli;

import io.tributary.lake.Checkpoint;
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

  @Option(names = "--lake", defaultValue = "lake", paramLabel = "DIR", description = "The lake's warehouse directory (default: ${DEFAULT-VALUE}).")
  Path lake;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Lake opened = ExistingLake.open(lake, "show status of");
        LakeSqlEngine engine = new LakeSqlEngine(opened.catalog())) {
      Map<String, Checkpoint> checkpoints = new Checkpoints(opened).all();
      out.println("Sources");
      if (checkpoints.isEmpty()) {
        out.println("  (none has committed yet)");
      }
      checkpoints.forEach((source, checkpoint) -> out.printf("  %-16s position %s%s, committed %s (%s ago)%n", source,
          checkpoint.position().sortKey(), checkpoint.position().inSnapshot() ? " (initial snapshot running)" : "",
          checkpoint.committedAt(), Progress.duration(Duration.between(checkpoint.committedAt(), Instant.now()))));
      out.println("Tables");
      for (String table : engine.tables()) {
        Object rows = engine.query("SELECT count(*) FROM " + table).rows().get(0).get(0);
        out.printf("  %-32s %,12d rows%s%n", table, ((Number) rows).longValue(),
            table.startsWith(Lake.ERRORS + ".") ? errorDetails(engine, table) : goldDetails(opened, table));
      }
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
