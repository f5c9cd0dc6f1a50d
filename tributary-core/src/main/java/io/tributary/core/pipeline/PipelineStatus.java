package io.tributary.core.pipeline;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A point-in-time view of a pipeline, for progress displays, status commands and metrics.
 *
 * @param changesReceived changes the source delivered since start
 * @param changesCommitted changes committed to the lake since start (including ones skipped because
 *     the lake held them already)
 * @param rowsByTable rows committed since start per layer table ({@code bronze.orders})
 * @param committedPosition the source position the lake holds everything up to
 * @param lastCommitAt when the last commit finished
 * @param lag how long the last committed change waited between its source commit and its lake
 *     commit
 * @param snapshotting whether the source is still reading its initial snapshot
 */
public record PipelineStatus(
    String source,
    PipelineState state,
    long changesReceived,
    long changesCommitted,
    long commits,
    Map<String, Long> rowsByTable,
    Optional<Position> committedPosition,
    Optional<Instant> lastCommitAt,
    Optional<Duration> lag,
    boolean snapshotting,
    int queued,
    Optional<String> failure) {
  public PipelineStatus {
    requireNonNull(source, "source is null");
    requireNonNull(state, "state is null");
    rowsByTable = Map.copyOf(requireNonNull(rowsByTable, "rowsByTable is null"));
    requireNonNull(committedPosition, "committedPosition is null");
    requireNonNull(lastCommitAt, "lastCommitAt is null");
    requireNonNull(lag, "lag is null");
    requireNonNull(failure, "failure is null");
  }
}
