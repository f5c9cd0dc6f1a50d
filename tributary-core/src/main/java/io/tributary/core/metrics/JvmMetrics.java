package io.tributary.core.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JVM's own figures (heap, threads, garbage collection, uptime), read at each scrape. */
public final class JvmMetrics {
  private JvmMetrics() {}

  public static void register(MetricsRegistry registry) {
    var memory = ManagementFactory.getMemoryMXBean();
    var threads = ManagementFactory.getThreadMXBean();
    var runtime = ManagementFactory.getRuntimeMXBean();
    registry.gauge("jvm_memory_used_bytes", "Memory in use by the JVM, by area.", List.of("area"),
        () -> byArea(memory.getHeapMemoryUsage().getUsed(), memory.getNonHeapMemoryUsage().getUsed()));
    registry.gauge("jvm_memory_committed_bytes", "Memory the JVM has reserved from the system, by area.",
        List.of("area"),
        () -> byArea(memory.getHeapMemoryUsage().getCommitted(), memory.getNonHeapMemoryUsage().getCommitted()));
    registry.gauge("jvm_memory_max_bytes", "Most memory the JVM may use, by area (-1 when unbounded).",
        List.of("area"), () -> byArea(max(memory.getHeapMemoryUsage()), max(memory.getNonHeapMemoryUsage())));
    registry.gauge("jvm_threads_live", "Live threads, daemon or not.", () -> (double) threads.getThreadCount());
    registry.gauge("jvm_threads_daemon", "Live daemon threads.", () -> (double) threads.getDaemonThreadCount());
    registry.gauge("jvm_threads_peak", "Most live threads since the JVM started.",
        () -> (double) threads.getPeakThreadCount());
    registry.gauge("jvm_gc_collections_total", "Garbage collections since the JVM started, by collector.",
        List.of("gc"), () -> gc(false));
    registry.gauge("jvm_gc_collection_seconds_total", "Time spent in garbage collection, by collector.",
        List.of("gc"), () -> gc(true));
    registry.gauge("process_uptime_seconds", "Seconds since the JVM started.", () -> runtime.getUptime() / 1000.0);
  }

  private static long max(MemoryUsage usage) {
    return usage.getMax();
  }

  private static Map<List<String>, Double> byArea(long heap, long nonHeap) {
    Map<List<String>, Double> values = new LinkedHashMap<>();
    values.put(List.of("heap"), (double) heap);
    values.put(List.of("nonheap"), (double) nonHeap);
    return values;
  }

  private static Map<List<String>, Double> gc(boolean time) {
    Map<List<String>, Double> values = new LinkedHashMap<>();
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      long value = time ? collector.getCollectionTime() : collector.getCollectionCount();
      if (value >= 0) {
        values.put(List.of(collector.getName()), time ? value / 1000.0 : value);
      }
    }
    return values;
  }
}
