package io.tributary.server;

import static java.util.Objects.requireNonNull;

import io.tributary.core.alert.Alerts;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.lake.Lake;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the server reads from the running process: the lake, the pipelines' status, the sources, the
 * metrics registry, the per-minute activity of the tables and, when the pipeline has models, the gold
 * layer's runs, and the process's alerts when it raises any.
 *
 * @param pipeline the pipeline's name
 */
public record ServerContext(String pipeline, Lake lake, Supplier<List<PipelineStatus>> pipelines,
    List<SourceInfo> sources, MetricsRegistry metrics, TableActivity activity, Optional<ModelActivity> models,
    Optional<Alerts> alerts) {
  public ServerContext {
    requireNonNull(pipeline, "pipeline is null");
    requireNonNull(lake, "lake is null");
    requireNonNull(pipelines, "pipelines is null");
    sources = List.copyOf(requireNonNull(sources, "sources is null"));
    requireNonNull(metrics, "metrics is null");
    requireNonNull(activity, "activity is null");
    requireNonNull(models, "models is null");
    requireNonNull(alerts, "alerts is null");
  }

  /** A context without alerts (a process that raises none). */
  public ServerContext(String pipeline, Lake lake, Supplier<List<PipelineStatus>> pipelines, List<SourceInfo> sources,
      MetricsRegistry metrics, TableActivity activity, Optional<ModelActivity> models) {
    this(pipeline, lake, pipelines, sources, metrics, activity, models, Optional.empty());
  }

  Optional<PipelineStatus> status(String source) {
    return pipelines.get().stream().filter(status -> status.source().equals(source)).findFirst();
  }
}
