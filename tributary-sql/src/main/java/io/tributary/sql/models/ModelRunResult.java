package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * What one run of a model did. A failed run changed nothing (the gold table keeps its previous rows); a
 * skipped run did not start because a model it reads failed or was skipped, as {@code error} says.
 *
 * @param snapshotId the gold table's snapshot after the run (unchanged when nothing changed), if it has one
 * @param recomputedKeys for a run that recomputed only the unique keys touched since the last run
 *     ({@code incremental-by}), how many keys it recomputed; empty when the whole query ran
 */
public record ModelRunResult(
    String model,
    Outcome outcome,
    long rowsWritten,
    long rowsDeleted,
    Optional<Long> snapshotId,
    Duration duration,
    Optional<String> error,
    Optional<Long> recomputedKeys) {
  /** How a run ended. */
  public enum Outcome { SUCCEEDED, FAILED, SKIPPED }

  public ModelRunResult {
    requireNonNull(model, "model is null");
    requireNonNull(outcome, "outcome is null");
    requireNonNull(snapshotId, "snapshotId is null");
    requireNonNull(duration, "duration is null");
    requireNonNull(error, "error is null");
    requireNonNull(recomputedKeys, "recomputedKeys is null");
    if (rowsWritten < 0 || rowsDeleted < 0) {
      throw new IllegalArgumentException("Invalid run result of model " + model + ": negative row count");
    }
    if ((outcome == Outcome.SUCCEEDED) == error.isPresent()) {
      throw new IllegalArgumentException("Invalid run result of model " + model + ": outcome " + outcome
          + (error.isPresent() ? " with" : " without") + " an error");
    }
  }

  static ModelRunResult failed(String model, Duration duration, String error) {
    return new ModelRunResult(model, Outcome.FAILED, 0, 0, Optional.empty(), duration, Optional.of(error),
        Optional.empty());
  }

  static ModelRunResult skipped(String model, String reason) {
    return new ModelRunResult(model, Outcome.SKIPPED, 0, 0, Optional.empty(), Duration.ZERO, Optional.of(reason),
        Optional.empty());
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCEEDED;
  }
}
