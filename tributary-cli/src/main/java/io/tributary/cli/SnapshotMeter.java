package io.tributary.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A progress bar for a source's initial snapshot or a replay: rows done of the total, the rate over
 * the time since the meter started, and the time left at that rate. A snapshot's bar shows only
 * while rows arrive: once none came for a while (all are read, or the writer holds the reader back),
 * it says the rows wait for their commit, with the rate they were read at, instead of a rate that
 * decays while nothing moves.
 */
final class SnapshotMeter {
  private static final int WIDTH = 20;
  /** No new rows for this long: the reading is over (or waits for the writer), the bar stops. */
  static final Duration STALLED = Duration.ofMillis(1500);

  private final String label;
  private final long total;
  private final boolean waitsForCommit;
  private Instant startedAt;
  private long startRows;
  private long lastRows;
  private Instant lastAdvance;

  /** A snapshot's meter; @param total the rows expected, an estimate; 0 when unknown */
  SnapshotMeter(long total) {
    this("snapshot", total, true);
  }

  /**
   * @param label what the bar measures ({@code snapshot}, {@code replay})
   * @param total the rows expected, an estimate; 0 when unknown
   * @param waitsForCommit the rows read still wait for a commit (a snapshot) once reading stops
   */
  SnapshotMeter(String label, long total, boolean waitsForCommit) {
    this.label = Objects.requireNonNull(label, "label is null");
    this.total = Math.max(0, total);
    this.waitsForCommit = waitsForCommit;
  }

  /** The bar for {@code rows} done at {@code now}. */
  synchronized String line(long rows, Instant now) {
    if (startedAt == null) {
      startedAt = now;
      startRows = rows;
      lastRows = rows;
      lastAdvance = now;
    }
    if (rows != lastRows) {
      lastRows = rows;
      lastAdvance = now;
    }
    double seconds = Duration.between(startedAt, lastAdvance).toMillis() / 1000.0;
    double rate = seconds > 0.5 ? (rows - startRows) / seconds : 0;
    // The total is an estimate (PostgreSQL's reltuples): only rows that stopped coming mean the reading is over.
    boolean read = rows > startRows && Duration.between(lastAdvance, now).compareTo(STALLED) >= 0;
    if (waitsForCommit && read) {
      return String.format(Locale.ROOT, "%s read: %,d rows%s, waiting for the commit", label, rows,
          rate > 0 ? String.format(Locale.ROOT, " at %,.0f rows/s", rate) : "");
    }
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
