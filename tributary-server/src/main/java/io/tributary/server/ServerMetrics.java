package io.tributary.server;

import io.tributary.core.alert.AlertSeverity;
import io.tributary.core.check.CheckOutcome;
import io.tributary.core.metrics.MetricsRegistry;
import io.tributary.core.pipeline.PipelineState;
import io.tributary.core.pipeline.PipelineStatus;
import io.tributary.core.pipeline.ReplicationSlotStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import io.tributary.lake.CheckRecords;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gauges read at each scrape: pipelines' state and lag, replication slots, tables and dead letters. */
final class ServerMetrics {
  private static final Logger log = LoggerFactory.getLogger(ServerMetrics.class);

  private ServerMetrics() {}

  static void register(ServerContext context, LakeView lake) {
    MetricsRegistry metrics = context.metrics();
    metrics.gauge("tributary_pipeline_state", "1 for the state each source's pipeline is in.",
        List.of("source", "state"), () -> {
          Map<List<String>, Double> values = new LinkedHashMap<>();
          for (PipelineStatus status : context.pipelines().get()) {
            for (PipelineState state : PipelineState.values()) {
              values.put(List.of(status.source(), state.name().toLowerCase(java.util.Locale.ROOT)),
                  status.state() == state ? 1.0 : 0.0);
            }
          }
          return values;
        });
    metrics.gauge("tributary_lag_seconds",
        "How long the last committed change waited between its source commit and its lake commit, by source.",
        List.of("source"), perSource(context, status -> status.lag().map(lag -> lag.toMillis() / 1000.0)));
    metrics.gauge("tributary_queued_changes", "Changes received but not yet committed, by source.",
        List.of("source"), perSource(context, status -> Optional.of((double) status.queued())));
    metrics.gauge("tributary_snapshot_running", "1 while a source reads its initial snapshot.", List.of("source"),
        perSource(context, status -> Optional.of(status.snapshotting() ? 1.0 : 0.0)));
    metrics.gauge("tributary_last_commit_timestamp_seconds", "When each source's last lake commit finished.",
        List.of("source"),
        perSource(context, status -> status.lastCommitAt().map(at -> at.toEpochMilli() / 1000.0)));
    metrics.gauge("tributary_replication_lag_bytes",
        "WAL the database wrote since the position the lake confirmed, by source.", List.of("source", "slot"),
        perSlot(context, ReplicationSlotStatus::lagBytes));
    metrics.gauge("tributary_replication_slot_retained_wal_bytes",
        "WAL the database keeps for the source's replication slot, by source.", List.of("source", "slot"),
        perSlot(context, ReplicationSlotStatus::retainedBytes));
    metrics.gauge("tributary_replication_slot_active", "1 while a connection reads the source's slot.",
        List.of("source", "slot"), perSlot(context, slot -> slot.active() ? 1 : 0));
    metrics.gauge("tributary_table_data_files", "Data files of each lake table's current snapshot.",
        List.of("table"), () -> perTable(lake, table -> total(table, "total-data-files")));
    metrics.gauge("tributary_table_delete_files", "Delete files of each lake table's current snapshot.",
        List.of("table"), () -> perTable(lake, table -> total(table, "total-delete-files")));
    metrics.gauge("tributary_table_last_commit_timestamp_seconds", "When each lake table was last committed.",
        List.of("table"), () -> perTable(lake, table -> Optional.ofNullable(table.currentSnapshot())
            .map(snapshot -> snapshot.timestampMillis() / 1000.0)));
    context.alerts().ifPresent(alerts -> metrics.gauge("tributary_alerts_active", "Alerts active now, by severity.",
        List.of("severity"), () -> {
          Map<List<String>, Double> values = new LinkedHashMap<>();
          for (AlertSeverity severity : AlertSeverity.values()) {
            values.put(List.of(severity.name().toLowerCase(java.util.Locale.ROOT)),
                (double) alerts.active().stream().filter(alert -> alert.severity() == severity).count());
          }
          return values;
        }));
    CheckRecords checks = new CheckRecords(context.lake());
    metrics.gauge("tributary_check_differences",
        "Keys that differed between the source and silver in each table's last reconciliation check.",
        List.of("table"), () -> {
          Map<List<String>, Double> values = new LinkedHashMap<>();
          checks.all().values().forEach(check -> values.put(List.of(check.lakeTable()), (double) check.differences()));
          return values;
        });
    metrics.gauge("tributary_check_outcome", "1 for the outcome of each table's last reconciliation check.",
        List.of("table", "outcome"), () -> {
          Map<List<String>, Double> values = new LinkedHashMap<>();
          checks.all().values().forEach(check -> {
            for (CheckOutcome outcome : CheckOutcome.values()) {
              values.put(List.of(check.lakeTable(), outcome.name().toLowerCase(java.util.Locale.ROOT)),
                  check.outcome() == outcome ? 1.0 : 0.0);
            }
          });
          return values;
        });
    metrics.gauge("tributary_check_timestamp_seconds", "When each table's last reconciliation check finished.",
        List.of("table"), () -> {
          Map<List<String>, Double> values = new LinkedHashMap<>();
          checks.all().values().forEach(check ->
              values.put(List.of(check.lakeTable()), check.checkedAt().toEpochMilli() / 1000.0));
          return values;
        });
    metrics.gauge("tributary_dead_letters", "Records in each dead-letter table (errors.<table>).",
        List.of("table"), () -> {
          Map<List<String>, Double> values = new LinkedHashMap<>();
          for (String name : lake.tables()) {
            if (name.startsWith(LakeView.ERRORS + ".")) {
              lake.table(name).ifPresent(table -> values.put(List.of(name),
                  table.currentSnapshot() == null ? 0.0 : (double) lake.rows(name, table.currentSnapshot())));
            }
          }
          return values;
        });
  }

  private static java.util.function.Supplier<Map<List<String>, Double>> perSource(ServerContext context,
      Function<PipelineStatus, Optional<Double>> value) {
    return () -> {
      Map<List<String>, Double> values = new LinkedHashMap<>();
      for (PipelineStatus status : context.pipelines().get()) {
        value.apply(status).ifPresent(number -> values.put(List.of(status.source()), number));
      }
      return values;
    };
  }

  private static java.util.function.Supplier<Map<List<String>, Double>> perSlot(ServerContext context,
      Function<ReplicationSlotStatus, Number> value) {
    return () -> {
      Map<List<String>, Double> values = new LinkedHashMap<>();
      for (SourceInfo source : context.sources()) {
        try {
          source.probe().read().ifPresent(slot ->
              values.put(List.of(source.name(), slot.slot()), value.apply(slot).doubleValue()));
        } catch (RuntimeException e) {
          log.debug("Cannot read the replication slot of source {}: {}", source.name(), e.getMessage());
        }
      }
      return values;
    };
  }

  private static Map<List<String>, Double> perTable(LakeView lake, Function<Table, Optional<Double>> value) {
    Map<List<String>, Double> values = new LinkedHashMap<>();
    for (String name : lake.tables()) {
      lake.table(name).flatMap(value).ifPresent(number -> values.put(List.of(name), number));
    }
    return values;
  }

  private static Optional<Double> total(Table table, String key) {
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot == null) {
      return Optional.of(0.0);
    }
    return Optional.ofNullable(snapshot.summary().get(key)).map(Double::parseDouble);
  }
}
