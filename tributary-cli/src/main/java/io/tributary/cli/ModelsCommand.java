package io.tributary.cli;

import io.tributary.core.config.TributaryConfig;
import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.models.Model;
import io.tributary.sql.models.ModelProject;
import io.tributary.sql.models.ModelRunResult;
import io.tributary.sql.models.ModelRunner;
import io.tributary.sql.models.TestResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary models}: run, test and show the gold layer's SQL models. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "Run, test or show the SQL models that make the gold layer.",
    subcommands = {ModelsCommand.Run.class, ModelsCommand.Test.class, ModelsCommand.Graph.class})
final class ModelsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the models and the lake are: a configuration file, or both directories. */
  static final class Location {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Pipeline configuration naming the lake and `models`.")
    Path config;

    @Option(names = "--lake", paramLabel = "DIR", description = "The lake's warehouse directory (instead of --config).")
    Path lake;

    @Option(names = "--models", paramLabel = "DIR", description = "The models directory (instead of --config).")
    Path models;

    Path lake() {
      return lake != null ? lake : configuration().lake().warehouse();
    }

    Path models() {
      if (models != null) {
        return models;
      }
      TributaryConfig configuration = configuration();
      return configuration.models().orElseThrow(() -> new IllegalArgumentException(
          "Cannot find models: " + configuration.file() + " has no `models` key (add models: ./models, or give --models DIR)"));
    }

    private TributaryConfig configuration() {
      if (config == null) {
        throw new IllegalArgumentException("Cannot find the models and the lake: give --config FILE, or --lake DIR and --models DIR");
      }
      return TributaryConfig.load(config, System.getenv());
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true, description = "Refresh models now (all, or the selected ones), then test them.")
  static final class Run implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @ArgGroup(exclusive = false) Location location = new Location();

    @Option(names = {"-s", "--select"}, paramLabel = "SELECTOR",
        description = "name, name+ (with what reads it), +name (with what it reads); default: every model.")
    String select;

    @Override
    public Integer call() {
      return withRunner(location, spec.commandLine().getOut(), (project, runner, out) -> {
        List<Model> models = select == null ? project.models() : project.select(select);
        List<ModelRunResult> results = runner.runAll(models);
        boolean ok = true;
        for (ModelRunResult result : results) {
          out.println(describe(result));
          ok &= result.succeeded();
        }
        for (ModelRunResult result : results) {
          if (result.succeeded()) {
            // The runner tested each model right after its run; running the tests again would double the work.
            for (TestResult test : runner.lastTests().getOrDefault(result.model(), List.of())) {
              out.println(describe(test));
              ok &= test.passed();
            }
          }
        }
        return ok ? 0 : 1;
      });
    }
  }

  @Command(name = "test", mixinStandardHelpOptions = true, description = "Run the models' tests against the gold tables as they are.")
  static final class Test implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @ArgGroup(exclusive = false) Location location = new Location();

    @Option(names = {"-s", "--select"}, paramLabel = "SELECTOR", description = "name, name+ or +name; default: every model.")
    String select;

    @Override
    public Integer call() {
      return withRunner(location, spec.commandLine().getOut(), (project, runner, out) -> {
        boolean ok = true;
        for (Model model : select == null ? project.models() : project.select(select)) {
          for (TestResult test : runner.test(model)) {
            out.println(describe(test));
            ok &= test.passed();
          }
        }
        return ok ? 0 : 1;
      });
    }
  }

  @Command(name = "graph", mixinStandardHelpOptions = true, description = "Print each model with the tables it reads, upstream first.")
  static final class Graph implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @ArgGroup(exclusive = false) Location location = new Location();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.print(ModelProject.load(location.models()).graph());
      out.flush();
      return 0;
    }
  }

  private interface RunnerAction {
    int apply(ModelProject project, ModelRunner runner, PrintWriter out);
  }

  private static int withRunner(Location location, PrintWriter out, RunnerAction action) {
    ModelProject project = ModelProject.load(location.models());
    try (Lake lake = ExistingLake.open(location.lake(), "run models on");
        LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
      project.validate(engine);
      int code = action.apply(project, new ModelRunner(lake, engine), out);
      out.flush();
      return code;
    }
  }

  static String describe(ModelRunResult result) {
    String line = String.format(Locale.ROOT, "%-9s gold.%s", result.outcome(), result.model());
    if (result.succeeded()) {
      line += String.format(Locale.ROOT, ": %,d rows written, %,d deleted in %s", result.rowsWritten(), result.rowsDeleted(),
          Progress.duration(result.duration()));
    }
    return line + result.error().map(error -> ": " + error).orElse("");
  }

  static String describe(TestResult test) {
    if (test.passed()) {
      return String.format(Locale.ROOT, "PASS      %s %s", test.model(), test.test());
    }
    List<String> sample = new ArrayList<>();
    for (List<Object> row : test.sample()) {
      sample.add(row.toString());
    }
    return String.format(Locale.ROOT, "FAIL      %s %s: %s%s", test.model(), test.test(),
        test.error().orElse(String.format(Locale.ROOT, "%,d failing %s", test.failingRows(),
            test.failingRows() == 1 ? "row" : "rows")),
        sample.isEmpty() ? "" : ", e.g. " + String.join(" ", sample));
  }
}
