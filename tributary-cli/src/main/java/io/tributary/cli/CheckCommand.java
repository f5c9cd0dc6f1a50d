package io.tributary.cli;

import io.tributary.api.TableId;
import io.tributary.core.check.CheckOutcome;
import io.tributary.core.check.KeyDifference;
import io.tributary.core.check.TableCheck;
import io.tributary.core.config.TributaryConfig;
import io.tributary.lake.CheckRecords;
import io.tributary.lake.Lake;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary check}: compares the source tables with silver at one consistent point. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Compare each source table with its silver table at one consistent point of the source and "
        + "print the keys that differ.",
        "Exit code: 0 equal, 3 a table differs, 1 a table could not be compared."})
final class CheckCommand implements Callable<Integer> {
  /** The exit code when a table differs. */
  static final int DIFFERENT = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, defaultValue = "tributary.yaml", paramLabel = "FILE",
      description = "Pipeline configuration (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--wait", defaultValue = "2m", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long to wait for the running pipeline to commit past the check's point (default: ${DEFAULT-VALUE}).")
  Duration wait;

  @Parameters(paramLabel = "TABLE", arity = "0..*",
      description = "Tables to check (schema.table or the lake name); all configured tables by default.")
  List<String> tables = new ArrayList<>();

  @Override
  public Integer call() {
    TributaryConfig configuration = TributaryConfig.load(config, System.getenv());
    PrintWriter out = spec.commandLine().getOut();
    try (Lake lake = ExistingLake.open(configuration.lake().warehouse(), "check")) {
      Reconciler reconciler = new Reconciler(configuration, lake, wait);
      Map<String, List<TableId>> selected = reconciler.select(tables);
      List<TableCheck> results = reconciler.check(selected);
      new CheckRecords(lake).write(results);
      print(out, results);
      out.flush();
      if (results.stream().anyMatch(result -> result.outcome() == CheckOutcome.FAILED)) {
        return 1;
      }
      return results.stream().anyMatch(result -> result.outcome() == CheckOutcome.DIFFERENT) ? DIFFERENT : 0;
    }
  }

  /** The report of a check run, as {@code check} prints it. */
  static void print(PrintWriter out, List<TableCheck> results) {
    for (TableCheck result : results) {
      String table = result.source() + ":" + result.sourceTable();
      switch (result.outcome()) {
        case EQUAL -> out.printf(Locale.ROOT, "EQUAL      %s = %s: %,d rows at %s%s%n", table, result.lakeTable(),
            result.lakeRows(), result.position(), rechecked(result));
        case DIFFERENT -> {
          out.printf(Locale.ROOT, "DIFFERENT  %s vs %s: %,d keys differ (%,d rows in the source, %,d in the lake)"
              + " at %s%s%n", table, result.lakeTable(), result.differenceCount(), result.sourceRows(),
              result.lakeRows(), result.position(), rechecked(result));
          for (KeyDifference difference : result.differences()) {
            out.println("  " + describe(difference));
          }
          if (result.moreDifferences() > 0) {
            out.printf(Locale.ROOT, "  ... and %,d more keys%n", result.moreDifferences());
          }
        }
        case FAILED -> out.printf("FAILED     %s vs %s: %s%n", table, result.lakeTable(), result.error().orElse(""));
      }
      if (result.outcome() != CheckOutcome.FAILED) {
        out.println("  compared by name: " + String.join(", ", result.comparedColumns()));
        if (!result.notCompared().isEmpty()) {
          out.println("  not compared: " + String.join("; ", result.notCompared()));
        }
      }
    }
  }

  static String describe(KeyDifference difference) {
    return switch (difference.kind()) {
      case MISSING_IN_LAKE -> "missing in lake:  " + difference.keyText();
      case EXTRA_IN_LAKE -> "extra in lake:    " + difference.keyText();
      case DIFFERENT_VALUES -> "different values: " + difference.keyText() + ": " + difference.columns().stream()
          .map(column -> column.column() + " source " + column.source().orElse("NULL") + ", lake "
              + column.lake().orElse("NULL"))
          .reduce((a, b) -> a + "; " + b).orElse("");
    };
  }

  private static String rechecked(TableCheck result) {
    return result.recheckedKeys() == 0 ? ""
        : String.format(Locale.ROOT, " (%,d keys changed after the point, compared next time)", result.recheckedKeys());
  }
}
