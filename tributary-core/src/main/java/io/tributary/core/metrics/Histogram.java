package io.tributary.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Observations counted into buckets of upper bounds, per combination of label values, written as
 * Prometheus' cumulative {@code _bucket}, {@code _sum} and {@code _count} series.
 */
public final class Histogram extends MetricsRegistry.Family {
  /** Bounds for durations in seconds, from 5 ms to 2 minutes. */
  public static final double[] DURATION_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

  private final double[] bounds;
  private final Map<List<String>, Series> series = MetricsRegistry.newSeriesMap();

  Histogram(String name, String help, List<String> labelNames, double[] bounds) {
    super(name, help, labelNames);
    if (labelNames.contains("le")) {
      throw new IllegalArgumentException("Invalid label le of histogram " + name + ": Prometheus reserves it");
    }
    this.bounds = bounds.clone();
    for (int i = 0; i < this.bounds.length; i++) {
      if (i > 0 && !(this.bounds[i] > this.bounds[i - 1])) {
        throw new IllegalArgumentException("Invalid buckets of histogram " + name + ": " + Arrays.toString(bounds)
            + " (bounds must increase)");
      }
    }
  }

  public void observe(double value, String... labelValues) {
    series.computeIfAbsent(key(labelValues), ignored -> new Series(bounds.length)).observe(bounds, value);
  }

  /** How many observations the series has. */
  public long count(String... labelValues) {
    Series found = series.get(key(labelValues));
    return found == null ? 0 : found.snapshot().count;
  }

  @Override
  String type() {
    return "histogram";
  }

  @Override
  List<MetricsRegistry.Sample> samples() {
    List<MetricsRegistry.Sample> samples = new ArrayList<>();
    List<String> bucketLabels = new ArrayList<>(labelNames());
    bucketLabels.add("le");
    series.forEach((labels, values) -> {
      Snapshot snapshot = values.snapshot();
      long cumulative = 0;
      for (int i = 0; i <= bounds.length; i++) {
        cumulative += snapshot.buckets[i];
        List<String> withBound = new ArrayList<>(labels);
        withBound.add(i < bounds.length ? MetricsRegistry.format(bounds[i]) : "+Inf");
        samples.add(new MetricsRegistry.Sample(name() + "_bucket", bucketLabels, withBound, cumulative));
      }
      samples.add(new MetricsRegistry.Sample(name() + "_sum", labelNames(), labels, snapshot.sum));
      samples.add(new MetricsRegistry.Sample(name() + "_count", labelNames(), labels, snapshot.count));
    });
    return samples;
  }

  private record Snapshot(long[] buckets, double sum, long count) {}

  private static final class Series {
    private final long[] buckets;
    private double sum;
    private long count;

    Series(int bounds) {
      this.buckets = new long[bounds + 1];
    }

    synchronized void observe(double[] bounds, double value) {
      int bucket = 0;
      while (bucket < bounds.length && value > bounds[bucket]) {
        bucket++;
      }
      buckets[bucket]++;
      sum += value;
      count++;
    }

    synchronized Snapshot snapshot() {
      return new Snapshot(buckets.clone(), sum, count);
    }
  }
}
