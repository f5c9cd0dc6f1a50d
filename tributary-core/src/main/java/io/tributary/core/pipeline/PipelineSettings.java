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
 * @param maxBatchBytes the most one commit takes, in bytes of changes as {@link ChangeSizes} estimates them on
 *     the heap; a batch closes at whichever of the two limits it reaches first. While it writes the batch the
 *     lake writer holds up to about four times this again (its shaped rows, a record per layer, raw JSON, the
 *     layers' Parquet pages, measured in class histograms), which is what keeps the default small
 * @param queueBytes the most bytes of changes held between source and lake writer, besides the batch being
 *     committed; the source blocks when it is full
 * @param historyMemory the most heap (estimated) the lake writers of the process keep history's tails in, shared
 *     evenly by their sources (see {@code lake.history-memory})
 */
public record PipelineSettings(Duration commitInterval, int maxBatchChanges, int queueCapacity, long maxBatchBytes,
    long queueBytes, long historyMemory) {
  /**
   * The default of {@code lake.max-batch-bytes}: with the writer's copies up to about 160 MB while a batch is
   * written, and still 20,000 to 30,000 changes of rows of 200 bytes, where a commit's fixed cost is a few percent.
   */
  public static final long DEFAULT_MAX_BATCH_BYTES = 32L << 20;
  /** The default of {@code lake.queue-bytes}: two batches waiting, so the writer never waits for a full one. */
  public static final long DEFAULT_QUEUE_BYTES = 64L << 20;
  /**
   * The default of {@code lake.history-memory}: the tails of about 500,000 keys of rows of 200 bytes (about 500 bytes
   * a key). At 128 MB a stream of 1,000,000 changes over 300,000 live keys read most of its keys' stored versions
   * from the history table on every commit (docs/performance.md); within the 1 GiB heap of {@code bin/tributary}.
   */
  public static final long DEFAULT_HISTORY_MEMORY = 256L << 20;

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
    if (maxBatchBytes < 1) {
      throw new IllegalArgumentException("Invalid max batch bytes: " + maxBatchBytes + " (must be at least 1)");
    }
    if (queueBytes < 1) {
      throw new IllegalArgumentException("Invalid queue bytes: " + queueBytes + " (must be at least 1)");
    }
    if (historyMemory < 0) {
      throw new IllegalArgumentException("Invalid history memory: " + historyMemory + " (must be at least 0)");
    }
  }

  /** Settings with the default byte bounds. */
  public PipelineSettings(Duration commitInterval, int maxBatchChanges, int queueCapacity) {
    this(commitInterval, maxBatchChanges, queueCapacity, DEFAULT_MAX_BATCH_BYTES, DEFAULT_QUEUE_BYTES,
        DEFAULT_HISTORY_MEMORY);
  }
}
