package io.tributary.core.pipeline;

/** Lifecycle of a {@link Pipeline}; moves forward only. */
public enum PipelineState {
  CREATED,
  RUNNING,
  STOPPING,
  STOPPED,
  FAILED
}
