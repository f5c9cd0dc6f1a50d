package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import io.tributary.core.pipeline.PipelineSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code lake} section: where the lake lives and how changes are batched into commits.
 *
 * @param warehouse the lake's directory, absolute
 * @param commitInterval the longest a received change waits before it is committed
 * @param maxBatchChanges the most changes one commit takes
 * @param queueCapacity the most changes held between the sources and the lake writer
 * @param maxBatchBytes the most bytes of changes one commit takes (estimated on the heap)
 * @param queueBytes the most bytes of changes held between the sources and the lake writer
 * @param historyMemory the most heap the lake writers keep history's tails in (estimated)
 * @param maintenance the {@code lake.maintenance} section
 */
public record LakeConfig(Path warehouse, Duration commitInterval, int maxBatchChanges, int queueCapacity,
    long maxBatchBytes, long queueBytes, long historyMemory, MaintenanceConfig maintenance) {
  public LakeConfig {
    requireNonNull(warehouse, "warehouse is null");
    requireNonNull(commitInterval, "commitInterval is null");
    requireNonNull(maintenance, "maintenance is null");
    if (!warehouse.isAbsolute()) {
      throw new IllegalArgumentException("Invalid warehouse: " + warehouse + " is not absolute");
    }
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

  /** A lake section with the default byte bounds. */
  public LakeConfig(
      Path warehouse, Duration commitInterval, int maxBatchChanges, int queueCapacity, MaintenanceConfig maintenance) {
    this(warehouse, commitInterval, maxBatchChanges, queueCapacity, PipelineSettings.DEFAULT_MAX_BATCH_BYTES,
        PipelineSettings.DEFAULT_QUEUE_BYTES, PipelineSettings.DEFAULT_HISTORY_MEMORY, maintenance);
  }

  /** A lake section with the default maintenance settings. */
  public LakeConfig(Path warehouse, Duration commitInterval, int maxBatchChanges, int queueCapacity) {
    this(warehouse, commitInterval, maxBatchChanges, queueCapacity, MaintenanceConfig.defaults());
  }

  /** The batching part of this section, as the pipeline runtime takes it. */
  public PipelineSettings pipelineSettings() {
    return new PipelineSettings(commitInterval, maxBatchChanges, queueCapacity, maxBatchBytes, queueBytes,
        historyMemory);
  }
}
