package io.tributary.core.pipeline;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a pipeline batches changes into lake commits.
 *
 * @param commitInterval the longest a received change waits before it is committed
 * @param maxBatchChanges the most changes one commit takes
 * @param queueCapacity the most changes held between source and lake writer; the source blocks
 *     when it is full
 */
public record PipelineSettings(Duration commitInterval, int maxBatchChanges, int queueCapacity) {
  public PipelineSettings {
    requireNonNull(commitInterval, "commitInterval is null");
    if (commitInterval.isNegative() || commitInterval.isZero()) {
      throw new IllegalArgumentException("Invalid commit interval: " + commitInterval + " (must be positive)");
    }
    if (maxBatchChanges < 1) {
      throw new IllegalArgumentException("Invalid max batch changes: " + maxBatchChanges + " (must be at least 1)");
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("Invalid queue capacity: " + queueCapacity + " (must be at least 1)");
    }
  }
}
