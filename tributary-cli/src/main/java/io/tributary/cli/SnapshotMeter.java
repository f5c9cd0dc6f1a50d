package io.tributary.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A progress bar for a source's initial snapshot (and later a replay): rows done of the total, the
 * rate over the time since the meter started, and the time left at that rate.
 */
final class SnapshotMeter {
  private static final int WIDTH = 20;

  private final String label;
  private final long total;
  private Instant startedAt;
  private long startRows;

  /** @param total the rows expected, an estimate; 0 when unknown */
  SnapshotMeter(long total) {
    this("snapshot", total);
  }

  /**
   * @param label what the bar measures ({@code snapshot}, {@code replay})
   * @param total the rows expected, an estimate; 0 when unknown
   */
  SnapshotMeter(String label, long total) {
    this.label = java.util.Objects.requireNonNull(label, "label is null");
    this.total = Math.max(0, total);
  }

  /** The bar for {@code rows} done at {@code now}. */
  synchronized String line(long rows, Instant now) {
    if (startedAt == null) {
      startedAt = now;
      startRows = rows;
    }
    double seconds = Duration.between(startedAt, now).toMillis() / 1000.0;
    double rate = seconds > 0.5 ? (rows - startRows) / seconds : 0;
    long shown = total > 0 ? Math.min(rows, total) : rows;
    StringBuilder line = new StringBuilder(label).append(' ');
    if (total > 0) {
      int filled = (int) (WIDTH * shown / total);
      line.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
          .append(String.format(Locale.ROOT, "%d%% %,d/%,d rows", 100 * shown / total, shown, total));
    } else {
      line.append(String.format(Locale.ROOT, "%,d rows", rows));
    }
    if (rate > 0) {
      line.append(String.format(Locale.ROOT, ", %,.0f rows/s", rate));
      if (total > rows) {
        line.append(", about ").append(Progress.duration(Duration.ofMillis((long) ((total - rows) / rate * 1000))))
            .append(" left");
      }
    }
    return line.toString();
  }
}
