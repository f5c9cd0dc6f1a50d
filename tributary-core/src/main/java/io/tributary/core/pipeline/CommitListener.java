package io.tributary.core.pipeline;

import io.tributary.api.spi.CommitSummary;

/**
 * Told after every lake commit of a pipeline, on the pipeline's commit thread: keep it short and
 * hand longer work (refreshing models) to a thread of its own.
 */
@FunctionalInterface
public interface CommitListener {
  CommitListener NONE = (source, summary) -> {};

  /** {@code summary} names the layer tables ({@code silver.orders}) that got rows. */
  void committed(String source, CommitSummary summary);
}
