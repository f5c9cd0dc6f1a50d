package io.tributary.core.metrics;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The metrics of one process: counters, gauges and histograms, each a family of series told apart by
 * label values. The pipeline, the lake writer and the gold layer record into it; the HTTP server
 * writes it out in Prometheus' text exposition format ({@link #writePrometheus(Appendable)}).
 *
 * <p>Asking twice for a family with the same name gives the same family, so several pipelines of one
 * process share {@code tributary_commits_total} and tell themselves apart by their {@code source}
 * label. Safe for concurrent use.
 */
public final class MetricsRegistry {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final Map<String, Family> families = new ConcurrentSkipListMap<>();

  /** A counter family; {@code name} should end in {@code _total}. */
  public Counter counter(String name, String help, String... labelNames) {
    return register(name, () -> new Counter(name, help, List.of(labelNames)), Counter.class);
  }

  /** A histogram family with the given upper bounds (seconds, rows...); {@code +Inf} is added. */
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    return register(name, () -> new Histogram(name, help, List.of(labelNames), buckets), Histogram.class);
  }

  /**
   * A gauge family whose series are read when the registry is written out: {@code samples} gives the
   * value of each series by its label values (in the order of {@code labelNames}). Registering a gauge
   * again replaces its supplier, so a restarted component does not keep a stale one.
   */
  public void gauge(String name, String help, List<String> labelNames, Supplier<Map<List<String>, Double>> samples) {
    requireNonNull(samples, "samples is null");
    Gauge gauge = new Gauge(name, help, List.copyOf(labelNames), samples);
    families.merge(name, gauge, (existing, replacement) -> {
      if (!(existing instanceof Gauge)) {
        throw new IllegalArgumentException("Cannot register gauge " + name + ": it is already a "
            + existing.type() + " (pick another name)");
      }
      return replacement;
    });
  }

  /** A gauge without labels. */
  public void gauge(String name, String help, Supplier<Double> value) {
    requireNonNull(value, "value is null");
    gauge(name, help, List.of(), () -> {
      Double current = value.get();
      return current == null ? Map.of() : Map.of(List.of(), current);
    });
  }

  /** Every family in Prometheus' text exposition format (version 0.0.4), sorted by name. */
  public void writePrometheus(Appendable out) {
    requireNonNull(out, "out is null");
    try {
      for (Family family : families.values()) {
        List<Sample> samples = family.samples();
        out.append("# HELP ").append(family.name()).append(' ').append(escapeHelp(family.help())).append('\n');
        out.append("# TYPE ").append(family.name()).append(' ').append(family.type()).append('\n');
        for (Sample sample : samples) {
          out.append(sample.name());
          if (!sample.labelNames().isEmpty()) {
            out.append('{');
            for (int i = 0; i < sample.labelNames().size(); i++) {
              if (i > 0) {
                out.append(',');
              }
              out.append(sample.labelNames().get(i)).append("=\"").append(escapeLabel(sample.labelValues().get(i)))
                  .append('"');
            }
            out.append('}');
          }
          out.append(' ').append(format(sample.value())).append('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write metrics: " + e.getMessage(), e);
    }
  }

  /** The registry as Prometheus text. */
  public String toPrometheusText() {
    StringBuilder text = new StringBuilder();
    writePrometheus(text);
    return text.toString();
  }

  private <T extends Family> T register(String name, Supplier<T> create, Class<T> type) {
    Family family = families.computeIfAbsent(name, ignored -> create.get());
    if (!type.isInstance(family)) {
      throw new IllegalArgumentException("Cannot register " + type.getSimpleName().toLowerCase(Locale.ROOT) + " " + name
          + ": it is already a " + family.type() + " (pick another name)");
    }
    return type.cast(family);
  }

  static void validate(String name, List<String> labelNames) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid metric name: " + name + " (use [a-zA-Z_:][a-zA-Z0-9_:]*)");
    }
    for (String label : labelNames) {
      if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
        throw new IllegalArgumentException("Invalid label name " + label + " of metric " + name
            + " (use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)");
      }
    }
  }

  static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  private static String escapeHelp(String help) {
    return help.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String escapeLabel(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** One line of the exposition: a series name (with a suffix such as {@code _bucket}), labels, value. */
  record Sample(String name, List<String> labelNames, List<String> labelValues, double value) {}

  /** A named metric with its series. */
  abstract static class Family {
    private final String name;
    private final String help;
    private final List<String> labelNames;

    Family(String name, String help, List<String> labelNames) {
      this.name = requireNonNull(name, "name is null");
      this.help = requireNonNull(help, "help is null");
      this.labelNames = List.copyOf(labelNames);
      validate(name, this.labelNames);
    }

    String name() {
      return name;
    }

    String help() {
      return help;
    }

    List<String> labelNames() {
      return labelNames;
    }

    abstract String type();

    abstract List<Sample> samples();

    List<String> key(String... labelValues) {
      if (labelValues.length != labelNames.size()) {
        throw new IllegalArgumentException("Invalid label values for metric " + name + ": " + labelValues.length
            + " given, but it has labels " + labelNames);
      }
      for (String value : labelValues) {
        requireNonNull(value, "label value is null");
      }
      return List.of(labelValues);
    }
  }

  private static final class Gauge extends Family {
    private final Supplier<Map<List<String>, Double>> samples;

    Gauge(String name, String help, List<String> labelNames, Supplier<Map<List<String>, Double>> samples) {
      super(name, help, labelNames);
      this.samples = samples;
    }

    @Override
    String type() {
      return "gauge";
    }

    @Override
    List<Sample> samples() {
      List<Sample> result = new ArrayList<>();
      Map<List<String>, Double> values;
      try {
        values = samples.get();
      } catch (RuntimeException e) {
        // A gauge that cannot be read now (its source is down) has no series rather than failing the scrape.
        return result;
      }
      Map<List<String>, Double> sorted = new TreeMap<>(SeriesOrder.INSTANCE);
      sorted.putAll(values);
      sorted.forEach((labels, value) -> {
        if (labels.size() != labelNames().size()) {
          throw new IllegalStateException("Invalid series of gauge " + name() + ": labels " + labels
              + " do not match " + labelNames());
        }
        result.add(new Sample(name(), labelNames(), labels, value));
      });
      return result;
    }
  }

  /** Orders series by their label values, so the output is stable. */
  enum SeriesOrder implements Comparator<List<String>> {
    INSTANCE;

    @Override
    public int compare(List<String> left, List<String> right) {
      for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
        int order = left.get(i).compareTo(right.get(i));
        if (order != 0) {
          return order;
        }
      }
      return Integer.compare(left.size(), right.size());
    }
  }

  static <V> Map<List<String>, V> newSeriesMap() {
    return new ConcurrentSkipListMap<>(SeriesOrder.INSTANCE);
  }
}
