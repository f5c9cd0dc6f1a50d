package io.tributary.cli;

import io.tributary.core.pipeline.PipelineStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One-line summaries of running pipelines for a terminal. */
final class Progress {
  private Progress() {}

  static String line(PipelineStatus status, SnapshotMeter snapshot) {
    StringBuilder line = new StringBuilder();
    line.append(status.source()).append(' ').append(status.state().name().toLowerCase(Locale.ROOT));
    if (status.snapshotting()) {
      line.append(" | ").append(snapshot.line(status.changesReceived(), java.time.Instant.now()));
    }
    Map<String, Long> rows = new TreeMap<>(status.rowsByTable());
    rows.forEach((table, count) -> line.append(String.format(Locale.ROOT, " | %s +%,d", table, count)));
    status.lag().ifPresent(lag -> line.append(" | lag ").append(duration(lag)));
    line.append(String.format(Locale.ROOT, " | %,d commits", status.commits()));
    if (status.queued() > 0) {
      line.append(String.format(Locale.ROOT, " | %,d queued", status.queued()));
    }
    return line.toString();
  }

  static String duration(Duration duration) {
    long millis = Math.max(0, duration.toMillis());
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis < 120_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    return String.format(Locale.ROOT, "%d min %d s", millis / 60_000, (millis / 1000) % 60);
  }
}
