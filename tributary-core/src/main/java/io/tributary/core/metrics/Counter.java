package io.tributary.core.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAdder;

/** A value that only goes up, per combination of label values; see {@link MetricsRegistry#counter}. */
public final class Counter extends MetricsRegistry.Family {
  private final Map<List<String>, DoubleAdder> series = MetricsRegistry.newSeriesMap();

  Counter(String name, String help, List<String> labelNames) {
    super(name, help, labelNames);
  }

  /** Adds {@code amount} (not negative) to the series of {@code labelValues}. */
  public void inc(double amount, String... labelValues) {
    if (amount < 0) {
      throw new IllegalArgumentException("Invalid increment of counter " + name() + ": " + amount
          + " (counters only go up)");
    }
    series.computeIfAbsent(key(labelValues), ignored -> new DoubleAdder()).add(amount);
  }

  public void inc(String... labelValues) {
    inc(1, labelValues);
  }

  /** The series' value, 0 if it has none yet. */
  public double value(String... labelValues) {
    DoubleAdder adder = series.get(key(labelValues));
    return adder == null ? 0 : adder.sum();
  }

  @Override
  String type() {
    return "counter";
  }

  @Override
  List<MetricsRegistry.Sample> samples() {
    List<MetricsRegistry.Sample> samples = new ArrayList<>();
    series.forEach((labels, value) -> samples.add(new MetricsRegistry.Sample(name(), labelNames(), labels, value.sum())));
    return samples;
  }
}
