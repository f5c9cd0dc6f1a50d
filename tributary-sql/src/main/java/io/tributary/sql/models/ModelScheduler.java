package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when models run. Commits reported through {@link #onCommitted(Set)} mark the models reading those
 * tables, and everything downstream of them, dirty; {@link #runDue()} runs the dirty models whose
 * min-interval has passed and the scheduled models whose cron time came, upstream first. A dirty model waits
 * while a model it reads is dirty but not due, so it does not run twice for one change. Calls of
 * {@link #runDue()} do not overlap, so a model never runs twice at once; commits may be reported meanwhile.
 */
public final class ModelScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(ModelScheduler.class);

  private final Predicate<String> tableExists;
  private final ModelProject project;
  private final ModelRunner runner;
  private final Clock clock;
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> lastRun = new ConcurrentHashMap<>();
  private final Map<String, Instant> nextScheduled = new ConcurrentHashMap<>();
  private final Map<String, ModelRunResult> lastResults = new ConcurrentHashMap<>();
  private final Map<String, List<TestResult>> lastTests = new ConcurrentHashMap<>();
  /** Why each waiting model waits, as last logged: runDue polls, and the log should say it once. */
  private final Map<String, String> waitReported = new ConcurrentHashMap<>();
  private final Object running = new Object();

  public ModelScheduler(ModelProject project, ModelRunner runner, Clock clock) {
    this(project, runner, clock, table -> true);
  }

  /**
   * @param tableExists whether a lake table ({@code silver.orders}) exists: a model reading one
   *     that does not exist yet waits for its first commit instead of failing
   */
  public ModelScheduler(ModelProject project, ModelRunner runner, Clock clock, Predicate<String> tableExists) {
    this.tableExists = requireNonNull(tableExists, "tableExists is null");
    this.project = requireNonNull(project, "project is null");
    this.runner = requireNonNull(runner, "runner is null");
    this.clock = requireNonNull(clock, "clock is null");
    Instant now = clock.instant();
    for (Model model : project.models()) {
      model.refresh().schedule().ifPresent(cron -> nextScheduled.put(key(model), cron.nextRun(now)));
    }
  }

  /** Marks the event-driven models reading any of {@code tables} ({@code silver.orders}) and their downstream. */
  public void onCommitted(Set<String> tables) {
    requireNonNull(tables, "tables is null");
    Set<String> changed = new java.util.HashSet<>();
    tables.forEach(table -> changed.add(table.toLowerCase(Locale.ROOT)));
    for (Model model : project.models()) {
      if (model.references().stream().anyMatch(changed::contains)) {
        markDirty(model);
        project.downstream(model).forEach(this::markDirty);
      }
    }
  }

  private void markDirty(Model model) {
    if (model.refresh().isEventDriven()) {
      dirty.add(key(model));
    }
  }

  /** The models waiting for a run, by name. */
  public Set<String> dirtyModels() {
    return Set.copyOf(dirty);
  }

  /** When a scheduled model runs next. */
  public Map<String, Instant> nextScheduledRuns() {
    return Map.copyOf(nextScheduled);
  }

  /** Runs what is due now, upstream first; returns the runs in the order they happened. */
  public List<ModelRunResult> runDue() {
    synchronized (running) {
      Instant now = clock.instant();
      List<Model> due = new ArrayList<>();
      Set<String> waiting = new java.util.HashSet<>();
      for (Model model : project.models()) {
        String key = key(model);
        boolean upstreamWaiting = model.goldReferences().stream().anyMatch(waiting::contains);
        if (isDue(model, now) && !upstreamWaiting) {
          due.add(model);
        } else if (dirty.contains(key)) {
          waiting.add(key);
        }
      }
      if (due.isEmpty()) {
        return List.of();
      }
      LOG.debug("Running due models {}", due.stream().map(Model::name).toList());
      List<ModelRunResult> results = new ArrayList<>();
      Map<String, ModelRunResult> thisPass = new HashMap<>();
      Map<String, String> waitingFor = new HashMap<>();
      for (Model model : due) {
        String key = key(model);
        Optional<String> missing = model.references().stream()
            .filter(table -> !table.startsWith(Model.GOLD + ".") && !tableExists.test(table))
            .findFirst();
        Optional<String> waitingUpstream = model.goldReferences().stream().filter(waitingFor::containsKey).findFirst();
        if (missing.isPresent() || waitingUpstream.isPresent()) {
          // Stays dirty, and so do the models reading it: they run once the missing table has its first commit.
          String table = missing.orElseGet(() -> Model.GOLD + "." + waitingUpstream.get());
          String reason = missing.isPresent()
              ? "waiting for " + table + ", which has no rows yet"
              : "waiting for " + table + ", which is " + waitingFor.get(waitingUpstream.get());
          waitingFor.put(key, reason);
          if (!reason.equals(waitReported.put(key, reason))) {
            LOG.info("Model {} is {}", model.name(), reason);
          }
          results.add(ModelRunResult.skipped(model.name(), reason));
          continue;
        }
        waitReported.remove(key);
        dirty.remove(key);
        lastRun.put(key, now);
        model.refresh().schedule().ifPresent(cron -> nextScheduled.put(key, cron.nextRun(now)));
        // A model reading one that failed in this pass is skipped, as in runAll.
        var failedUpstream = model.goldReferences().stream()
            .map(thisPass::get).filter(r -> r != null && !r.succeeded()).findFirst();
        ModelRunResult result = failedUpstream.isPresent()
            ? ModelRunResult.skipped(model.name(), "skipped: upstream model " + failedUpstream.get().model() + " "
                + failedUpstream.get().outcome().name().toLowerCase(Locale.ROOT) + " (fix it and run again)")
            : runner.run(model);
        thisPass.put(key, result);
        lastResults.put(model.name(), result);
        if (result.succeeded()) {
          List<TestResult> tests = runner.lastTests().get(model.name());
          if (tests != null) {
            lastTests.put(model.name(), tests);
          }
        }
        results.add(result);
      }
      return results;
    }
  }

  private boolean isDue(Model model, Instant now) {
    String key = key(model);
    RefreshPolicy policy = model.refresh();
    if (policy.schedule().isPresent()) {
      Instant next = nextScheduled.get(key);
      return next != null && !now.isBefore(next);
    }
    if (!dirty.contains(key)) {
      return false;
    }
    Instant last = lastRun.get(key);
    return policy.minInterval().isEmpty() || last == null || !now.isBefore(last.plus(policy.minInterval().get()));
  }

  /** The last run of each model this scheduler started, by model name. */
  public Map<String, ModelRunResult> lastResults() {
    return Map.copyOf(new LinkedHashMap<>(lastResults));
  }

  /** The tests after each model's last successful run, by model name. */
  public Map<String, List<TestResult>> lastTests() {
    return Map.copyOf(lastTests);
  }

  private static String key(Model model) {
    return model.name().toLowerCase(Locale.ROOT);
  }
}
