package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * When a model runs. Event-driven (the default): after a commit to a table it reads. With a minimum interval:
 * the same, but not more often than once per interval. With a schedule: at the times of a cron expression.
 */
public record RefreshPolicy(Optional<Duration> minInterval, Optional<CronSchedule> schedule) {
  public RefreshPolicy {
    requireNonNull(minInterval, "minInterval is null");
    requireNonNull(schedule, "schedule is null");
    if (minInterval.isPresent() && schedule.isPresent()) {
      throw new IllegalArgumentException("Invalid refresh policy: both min-interval " + minInterval.get()
          + " and schedule '" + schedule.get() + "' given (give one of them)");
    }
    if (minInterval.isPresent() && minInterval.get().isNegative()) {
      throw new IllegalArgumentException("Invalid refresh policy: min-interval " + minInterval.get() + " is negative");
    }
  }

  public static RefreshPolicy eventDriven() {
    return new RefreshPolicy(Optional.empty(), Optional.empty());
  }

  public static RefreshPolicy minInterval(Duration interval) {
    return new RefreshPolicy(Optional.of(requireNonNull(interval, "interval is null")), Optional.empty());
  }

  public static RefreshPolicy schedule(CronSchedule schedule) {
    return new RefreshPolicy(Optional.empty(), Optional.of(requireNonNull(schedule, "schedule is null")));
  }

  /** Whether the model runs after commits to its inputs (true unless it has a schedule). */
  public boolean isEventDriven() {
    return schedule.isEmpty();
  }

  @Override
  public String toString() {
    return schedule.map(cron -> "schedule '" + cron + "'")
        .or(() -> minInterval.map(interval -> "on change, at most every " + interval))
        .orElse("on change");
  }
}
