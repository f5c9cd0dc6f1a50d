package io.tributary.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsRegistryTest {
  @Test
  void writesCountersGaugesAndHistogramsInTheTextFormat() {
    MetricsRegistry registry = new MetricsRegistry();
    Counter commits = registry.counter("tributary_commits_total", "Lake commits.", "source");
    commits.inc("shop");
    commits.inc(2, "shop");
    commits.inc("crm");
    registry.gauge("tributary_lag_seconds", "Lag.", List.of("source"), () -> Map.of(List.of("shop"), 1.5));
    Histogram durations = registry.histogram("tributary_commit_duration_seconds", "Commit time.",
        new double[] {0.1, 1}, "source");
    durations.observe(0.05, "shop");
    durations.observe(0.5, "shop");
    durations.observe(3, "shop");

    assertThat(registry.toPrometheusText()).isEqualTo("""
        # HELP tributary_commit_duration_seconds Commit time.
        # TYPE tributary_commit_duration_seconds histogram
        tributary_commit_duration_seconds_bucket{source="shop",le="0.1"} 1
        tributary_commit_duration_seconds_bucket{source="shop",le="1"} 2
        tributary_commit_duration_seconds_bucket{source="shop",le="+Inf"} 3
        tributary_commit_duration_seconds_sum{source="shop"} 3.55
        tributary_commit_duration_seconds_count{source="shop"} 3
        # HELP tributary_commits_total Lake commits.
        # TYPE tributary_commits_total counter
        tributary_commits_total{source="crm"} 1
        tributary_commits_total{source="shop"} 3
        # HELP tributary_lag_seconds Lag.
        # TYPE tributary_lag_seconds gauge
        tributary_lag_seconds{source="shop"} 1.5
        """);
  }

  @Test
  void sameNameGivesTheSameFamily() {
    MetricsRegistry registry = new MetricsRegistry();
    registry.counter("a_total", "A.", "table").inc("x");
    registry.counter("a_total", "A.", "table").inc("x");

    assertThat(registry.counter("a_total", "A.", "table").value("x")).isEqualTo(2);
    assertThatThrownBy(() -> registry.histogram("a_total", "A.", new double[] {1}))
        .hasMessage("Cannot register histogram a_total: it is already a counter (pick another name)");
  }

  @Test
  void escapesLabelValuesAndRejectsBadNames() {
    MetricsRegistry registry = new MetricsRegistry();
    registry.counter("b_total", "B.", "table").inc("say \"hi\"\\n");

    assertThat(registry.toPrometheusText()).contains("b_total{table=\"say \\\"hi\\\"\\\\n\"} 1\n");
    assertThatThrownBy(() -> registry.counter("bad-name", "x"))
        .hasMessage("Invalid metric name: bad-name (use [a-zA-Z_:][a-zA-Z0-9_:]*)");
    assertThatThrownBy(() -> registry.counter("c_total", "C.", "source").inc("a", "b"))
        .hasMessage("Invalid label values for metric c_total: 2 given, but it has labels [source]");
    assertThatThrownBy(() -> registry.counter("d_total", "D.").inc(-1))
        .hasMessage("Invalid increment of counter d_total: -1.0 (counters only go up)");
  }

  @Test
  void aGaugeThatCannotBeReadHasNoSeries() {
    MetricsRegistry registry = new MetricsRegistry();
    registry.gauge("e", "E.", List.of(), () -> {
      throw new IllegalStateException("database down");
    });

    assertThat(registry.toPrometheusText()).isEqualTo("# HELP e E.\n# TYPE e gauge\n");
  }
}
