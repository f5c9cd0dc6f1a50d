package io.tributary.cli;

import io.tributary.core.config.MaintenanceConfig;
import io.tributary.core.config.TributaryConfig;
import io.tributary.lake.Lake;
import io.tributary.lake.LakeMaintenance;
import io.tributary.lake.TableReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary maintain}: one maintenance round over the lake's tables, beside a running pipeline or not. */
@Command(name = "maintain", mixinStandardHelpOptions = true,
    description = "Compact small files and deletes, expire old snapshots and remove orphan files, once, table by "
        + "table; safe while a pipeline writes the lake.")
final class MaintainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final class Target {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "Pipeline configuration: its lake and its lake.maintenance settings.")
    Path config;

    @Option(names = "--lake", paramLabel = "DIR", description = "The lake's warehouse directory, with the default "
        + "maintenance settings (default: lake).")
    Path lake;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Target target;

  @Option(names = "--table", paramLabel = "TABLE", description = "Only this table, such as silver.orders.")
  String table;

  @Option(names = "--dry-run", description = "Say what would be done; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    Path directory;
    MaintenanceConfig settings;
    if (target != null && target.config != null) {
      TributaryConfig configuration = TributaryConfig.load(target.config, System.getenv());
      directory = configuration.lake().warehouse();
      settings = configuration.lake().maintenance();
    } else {
      directory = target != null && target.lake != null ? target.lake : Path.of("lake");
      settings = MaintenanceConfig.defaults();
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Lake lake = ExistingLake.open(directory, "maintain")) {
      out.printf("Maintaining lake %s%s%n", lake.warehouse(), dryRun ? " (dry run: nothing is changed)" : "");
      out.flush();
      List<TableReport> reports = new LakeMaintenance(lake, settings).run(Optional.ofNullable(table), dryRun);
      int failed = 0;
      for (TableReport report : reports) {
        out.printf("  %-28s %s%n", report.table(), report.describe(dryRun));
        if (report.problem().isPresent()) {
          failed++;
        }
      }
      if (reports.isEmpty()) {
        out.println("  (the lake has no tables yet)");
      }
      out.flush();
      return failed == 0 ? 0 : 1;
    }
  }
}
