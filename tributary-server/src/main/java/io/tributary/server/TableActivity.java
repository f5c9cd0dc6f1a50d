package io.tributary.server;

import io.tributary.api.spi.CommitSummary;
import io.tributary.core.pipeline.CommitListener;
import io.tributary.core.pipeline.PipelineStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Per-minute figures of each layer table for the last hour, kept in memory from commit events: rows
 * written, commits, and the largest lag of a commit (how long its last change waited between the source's
 * commit and the lake's). It starts empty with the process.
 */
public final class TableActivity {
  /** How many minutes are kept. */
  public static final int MINUTES = 60;

  private final Clock clock;
  private final Map<String, Deque<Minute>> tables = new ConcurrentHashMap<>();
  private volatile Function<String, Optional<PipelineStatus>> statuses = source -> Optional.empty();

  public TableActivity() {
    this(Clock.systemUTC());
  }

  TableActivity(Clock clock) {
    this.clock = clock;
  }

  /** One minute of a table. */
  public record Minute(Instant start, long rows, long commits, Optional<Duration> maxLag) {}

  /** Where lags come from: the status of a source's pipeline, read when its commit is recorded. */
  public void lagsFrom(Function<String, Optional<PipelineStatus>> statuses) {
    this.statuses = statuses;
  }

  /** The listener to give the pipelines; it only adds to counters, so it never holds up a commit. */
  public CommitListener listener() {
    return this::committed;
  }

  void committed(String source, CommitSummary summary) {
    Optional<Duration> lag = statuses.apply(source).flatMap(PipelineStatus::lag);
    long minute = clock.instant().getEpochSecond() / 60;
    summary.rowsByTable().forEach((table, rows) -> record(table, minute, rows, lag));
  }

  private void record(String table, long minute, long rows, Optional<Duration> lag) {
    Deque<Minute> minutes = tables.computeIfAbsent(table, ignored -> new ArrayDeque<>());
    synchronized (minutes) {
      Minute last = minutes.peekLast();
      Instant start = Instant.ofEpochSecond(minute * 60);
      if (last == null || !last.start().equals(start)) {
        minutes.addLast(new Minute(start, rows, 1, lag));
      } else {
        minutes.removeLast();
        Optional<Duration> maxLag = last.maxLag().isEmpty() ? lag
            : lag.map(value -> value.compareTo(last.maxLag().get()) > 0 ? value : last.maxLag().get()).or(last::maxLag);
        minutes.addLast(new Minute(start, last.rows() + rows, last.commits() + 1, maxLag));
      }
      while (minutes.size() > MINUTES) {
        minutes.removeFirst();
      }
    }
  }

  /** The last hour of {@code table}, one entry per minute, oldest first, minutes without commits as zeros. */
  public List<Minute> lastHour(String table) {
    long now = clock.instant().getEpochSecond() / 60;
    Map<Instant, Minute> recorded = new java.util.HashMap<>();
    Deque<Minute> minutes = tables.get(table);
    if (minutes != null) {
      synchronized (minutes) {
        minutes.forEach(minute -> recorded.put(minute.start(), minute));
      }
    }
    List<Minute> result = new ArrayList<>(MINUTES);
    for (long minute = now - MINUTES + 1; minute <= now; minute++) {
      Instant start = Instant.ofEpochSecond(minute * 60);
      result.add(recorded.getOrDefault(start, new Minute(start, 0, 0, Optional.empty())));
    }
    return result;
  }

  /** Rows written to {@code table} in the last hour. */
  public long rowsLastHour(String table) {
    return lastHour(table).stream().mapToLong(Minute::rows).sum();
  }
}
