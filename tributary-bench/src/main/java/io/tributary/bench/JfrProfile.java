package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU samples of a flight recording ({@code jdk.ExecutionSample}) fall: by thread, and by component —
 * the first frame from the top of each stack that is not the JDK's decides (Debezium, pgjdbc, Kafka Connect data,
 * our conversion, raw JSON, Parquet, Iceberg, ...). {@code bench/profile.sh FILE.jfr}.
 */
public final class JfrProfile {
  private static final Map<String, String> COMPONENTS = new LinkedHashMap<>();

  static {
    COMPONENTS.put("io.tributary.sources.", "Tributary source: record conversion");
    COMPONENTS.put("io.tributary.lake.RawWriter", "Tributary raw writer (JSON lines)");
    COMPONENTS.put("io.tributary.lake.", "Tributary lake writer (records, keys)");
    COMPONENTS.put("io.tributary.core.", "Tributary pipeline (queue, batching)");
    COMPONENTS.put("io.tributary.", "Tributary (other)");
    COMPONENTS.put("io.debezium.", "Debezium");
    COMPONENTS.put("org.postgresql.", "pgjdbc (replication stream, snapshot reads)");
    COMPONENTS.put("org.apache.kafka.", "Kafka Connect (Struct, Schema, engine)");
    COMPONENTS.put("com.fasterxml.jackson.", "Jackson (raw JSON, metadata)");
    COMPONENTS.put("org.apache.parquet.", "Parquet writing");
    COMPONENTS.put("org.apache.iceberg.parquet.", "Parquet writing");
    COMPONENTS.put("org.apache.iceberg.shaded.", "Iceberg (compression, shaded)");
    COMPONENTS.put("org.apache.iceberg.", "Iceberg (records, manifests, commits)");
    COMPONENTS.put("org.apache.avro.", "Iceberg (manifests: Avro)");
    COMPONENTS.put("org.xerial.snappy.", "Parquet compression");
    COMPONENTS.put("com.github.luben.zstd.", "Parquet compression");
    COMPONENTS.put("io.airlift.compress.", "Parquet compression");
    COMPONENTS.put("org.sqlite.", "SQLite catalog");
    COMPONENTS.put("ch.qos.logback.", "Logging");
    COMPONENTS.put("org.slf4j.", "Logging");
  }

  private JfrProfile() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: bench/profile.sh FILE.jfr [top-methods]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    Map<String, Long> byComponent = new TreeMap<>();
    Map<String, Long> byThread = new TreeMap<>();
    Map<String, Long> byMethod = new TreeMap<>();
    long total = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      total++;
      String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
      byThread.merge(thread == null ? "?" : thread.replaceAll("\\d+", "N"), 1L, Long::sum);
      RecordedStackTrace stack = event.getStackTrace();
      String component = "JDK only";
      String method = "?";
      if (stack != null) {
        List<RecordedFrame> frames = stack.getFrames();
        if (!frames.isEmpty()) {
          method = name(frames.get(0));
        }
        for (RecordedFrame frame : frames) {
          String type = frame.getMethod().getType().getName();
          if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.") || type.startsWith("com.sun.")) {
            continue;
          }
          component = component(type);
          break;
        }
      }
      byComponent.merge(component, 1L, Long::sum);
      byMethod.merge(method, 1L, Long::sum);
    }
    System.out.printf(Locale.ROOT, "%,d CPU samples in %s%n", total, args[0]);
    print("By component (first non-JDK frame from the top)", byComponent, total, 100);
    print("By thread", byThread, total, 15);
    print("Top frames", byMethod, total, top);
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static String component(String type) {
    for (Map.Entry<String, String> entry : COMPONENTS.entrySet()) {
      if (type.startsWith(entry.getKey())) {
        return entry.getValue();
      }
    }
    return "other: " + type.replaceAll("\\.[A-Z].*$", "");
  }

  private static void print(String title, Map<String, Long> counts, long total, int limit) {
    System.out.println();
    System.out.println(title + ":");
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
        .forEach(e -> System.out.printf(Locale.ROOT, "  %5.1f%%  %,7d  %s%n", 100.0 * e.getValue() / total, e.getValue(), e.getKey()));
  }
}
