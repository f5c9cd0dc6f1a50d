package io.tributary.cli;

import io.tributary.core.config.TributaryConfig;
import io.tributary.core.shape.Shaping;
import io.tributary.lake.Lake;
import io.tributary.lake.LakeReplay;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary replay}: rebuilds bronze, silver and history of lake tables from raw. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Rebuild bronze, silver and history of lake tables from the raw change files, in the order the "
        + "pipeline wrote them, leaving out redelivered duplicates.",
        "Refused while a pipeline writes the lake: stop it first; it resumes from its checkpoint afterwards. "
            + "A replay cut short is finished by running it again (pipelines refuse the lake until then)."})
final class ReplayCommand implements Callable<Integer> {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final class Target {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "Pipeline configuration: its lake, and the tables' shaping and history settings.")
    Path config;

    @Option(names = "--lake", paramLabel = "DIR",
        description = "The lake's warehouse directory, for tables without shaping (default: lake).")
    Path lake;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Target target;

  @Parameters(paramLabel = "TABLE", arity = "0..*",
      description = "Lake tables to rebuild (orders or silver.orders); every table raw holds by default.")
  List<String> tables = new ArrayList<>();

  @Override
  public Integer call() {
    Path directory;
    TributaryConfig configuration = null;
    if (target != null && target.config != null) {
      configuration = TributaryConfig.load(target.config, System.getenv());
      directory = configuration.lake().warehouse();
    } else {
      directory = target != null && target.lake != null ? target.lake : Path.of("lake");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Lake lake = ExistingLake.open(directory, "replay");
        PipelineGroup.LazyExpressions expressions = new PipelineGroup.LazyExpressions()) {
      Shaping shaping = configuration == null ? Shaping.NONE : new Shaping(configuration::table, expressions);
      LakeReplay replay = new LakeReplay(lake, shaping);
      LakeReplay.Plan plan = replay.plan(tables);
      if (plan.tables().isEmpty()) {
        out.printf("Lake %s holds no raw changes: nothing to replay%n", lake.warehouse());
        out.flush();
        return 0;
      }
      out.printf(Locale.ROOT, "Replaying %s of lake %s from %,d raw changes%n", String.join(", ", plan.tables()),
          lake.warehouse(), plan.lines());
      plan.restartedAt().forEach((source, at) -> out.printf(
          "  source %s read its snapshot again at %s: raw before that is left out, as the pipeline emptied its "
              + "tables there%n", source, at));
      out.flush();
      Instant started = Instant.now();
      SnapshotMeter meter = new SnapshotMeter("replay", plan.lines(), false);
      meter.line(0, started);
      Instant[] next = {started.plus(PROGRESS_EVERY)};
      List<LakeReplay.Result> results = replay.run(plan, (done, total) -> {
        Instant now = Instant.now();
        if (!now.isBefore(next[0]) || done == total) {
          next[0] = now.plus(PROGRESS_EVERY);
          out.printf("[%s] %s%n", Progress.duration(Duration.between(started, now)), meter.line(done, now));
          out.flush();
        }
      });
      for (LakeReplay.Result result : results) {
        out.printf(Locale.ROOT, "  %-24s %,d changes from %,d raw files, %,d redelivered duplicates left out%n",
            result.table(), result.changes(), result.files(), result.duplicates());
      }
      out.printf("Replay done in %s%n", Progress.duration(Duration.between(started, Instant.now())));
      out.flush();
      return 0;
    }
  }
}
