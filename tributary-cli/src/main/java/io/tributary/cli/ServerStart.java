package io.tributary.cli;

import io.tributary.core.config.ServerConfig;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.lake.Lake;
import io.tributary.server.ModelActivity;
import io.tributary.server.ServerContext;
import io.tributary.server.SourceInfo;
import io.tributary.server.TableActivity;
import io.tributary.server.TributaryServer;
import java.util.List;
import java.util.Optional;

/** Wires the HTTP server to the pipelines of this process: what {@code run} and {@code demo} share. */
final class ServerStart {
  private ServerStart() {}

  /** The commit listener the pipelines get: the gold layer's and the server's per-minute activity. */
  static CommitListener listeners(CommitListener gold, TableActivity activity) {
    CommitListener server = activity.listener();
    return (source, summary) -> {
      server.committed(source, summary);
      gold.committed(source, summary);
    };
  }

  static TributaryServer start(ServerConfig config, String pipeline, Lake lake, PipelineGroup group,
      List<SourceInfo> sources, MetricsRegistry metrics, TableActivity activity, Optional<ModelActivity> models) {
    return TributaryServer.start(config, new ServerContext(pipeline, lake, group::statuses, sources, metrics,
        activity, models));
  }

  /** A server that also shows the process's alerts. */
  static TributaryServer start(ServerConfig config, String pipeline, Lake lake, PipelineGroup group,
      List<SourceInfo> sources, MetricsRegistry metrics, TableActivity activity, Optional<ModelActivity> models,
      io.tributary.core.alert.Alerts alerts) {
    return TributaryServer.start(config, new ServerContext(pipeline, lake, group::statuses, sources, metrics,
        activity, models, Optional.of(alerts)));
  }

  static void closeProbes(List<SourceInfo> sources) {
    for (SourceInfo source : sources) {
      source.probe().close();
    }
  }
}
