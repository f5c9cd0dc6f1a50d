package io.tributary.server;

import static java.util.Objects.requireNonNull;

import io.tributary.core.metrics.Counter;
import io.tributary.core.metrics.Histogram;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.sql.models.ModelProject;
import io.tributary.sql.models.ModelRunResult;
import io.tributary.sql.models.TestResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gold layer as the server shows it: the models, their recent runs (kept in memory, the newest
 * {@value #KEPT_RUNS}) and their last tests. Whoever runs the models reports each run with
 * {@link #ran(ModelRunResult, List)}; runs and failing tests are counted in the metrics as well.
 */
public final class ModelActivity {
  static final int KEPT_RUNS = 200;

  private final ModelProject project;
  private final Clock clock;
  private final Deque<Run> runs = new ArrayDeque<>();
  private final Map<String, List<TestResult>> tests = new ConcurrentHashMap<>();
  private final Histogram durations;
  private final Counter outcomes;

  /** A run and when it finished. */
  public record Run(Instant finishedAt, ModelRunResult result) {}

  public ModelActivity(ModelProject project, MetricsRegistry metrics) {
    this(project, metrics, Clock.systemUTC());
  }

  ModelActivity(ModelProject project, MetricsRegistry metrics, Clock clock) {
    this.project = requireNonNull(project, "project is null");
    this.clock = requireNonNull(clock, "clock is null");
    requireNonNull(metrics, "metrics is null");
    this.durations = metrics.histogram("tributary_model_run_duration_seconds",
        "Time one model run took, by model.", Histogram.DURATION_SECONDS, "model");
    this.outcomes = metrics.counter("tributary_model_runs_total",
        "Model runs by model and outcome (succeeded, failed, skipped).", "model", "outcome");
    metrics.gauge("tributary_model_tests_failing", "Data tests of a model that failed in its last run.",
        List.of("model"), () -> {
          Map<List<String>, Double> failing = new LinkedHashMap<>();
          tests.forEach((model, results) ->
              failing.put(List.of(model), (double) results.stream().filter(test -> !test.passed()).count()));
          return failing;
        });
  }

  public ModelProject project() {
    return project;
  }

  /** Records a run; {@code testResults} are the tests run after it (empty when none ran). */
  public void ran(ModelRunResult result, List<TestResult> testResults) {
    requireNonNull(result, "result is null");
    requireNonNull(testResults, "testResults is null");
    if (result.outcome() == ModelRunResult.Outcome.SKIPPED && result.duration().isZero()
        && result.error().map(error -> error.startsWith("waiting for")).orElse(false)) {
      // A model waiting for its first upstream commit is asked every round; that is not a run.
      return;
    }
    outcomes.inc(result.model(), result.outcome().name().toLowerCase(Locale.ROOT));
    if (result.outcome() != ModelRunResult.Outcome.SKIPPED) {
      durations.observe(result.duration().toNanos() / 1e9, result.model());
    }
    if (!testResults.isEmpty()) {
      tests.put(result.model(), List.copyOf(testResults));
    }
    synchronized (runs) {
      runs.addFirst(new Run(clock.instant(), result));
      while (runs.size() > KEPT_RUNS) {
        runs.removeLast();
      }
    }
  }

  /** The newest runs first. */
  public List<Run> recentRuns(int limit) {
    synchronized (runs) {
      return new ArrayList<>(runs).subList(0, Math.min(limit, runs.size()));
    }
  }

  /** The last tests of each model that has run its tests in this process. */
  public Map<String, List<TestResult>> lastTests() {
    return Map.copyOf(tests);
  }
}
