package io.tributary.core.alert;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active alerts of one process and their delivery.
 *
 * <p>No repeat storms: {@link #raise} notifies once per condition (again only if it becomes more
 * severe) and {@link #resolve} notifies once, when an active condition clears. Delivery runs on a
 * thread of its own with retries and backoff, so callers never wait for a receiver: a slow or down
 * receiver delays alerts, never the pipeline.
 */
public final class Alerts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Alerts.class);
  private static final int QUEUE_CAPACITY = 1_000;
  private static final int HISTORY = 200;
  static final int ATTEMPTS = 6;

  private final String pipeline;
  private final List<AlertNotifier> notifiers;
  private final Clock clock;
  private final Duration firstRetry;
  private final Map<String, Alert> active = new LinkedHashMap<>();
  private final Deque<AlertEvent> history = new ArrayDeque<>();
  private final BlockingQueue<Delivery> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread sender;
  private final Optional<AlertJournal> journal;
  private volatile boolean closed;

  public Alerts(String pipeline, List<AlertNotifier> notifiers) {
    this(pipeline, notifiers, Optional.empty());
  }

  /** @param journal where the active and recent alerts are kept for other processes to read */
  public Alerts(String pipeline, List<AlertNotifier> notifiers, Optional<AlertJournal> journal) {
    this(pipeline, notifiers, Clock.systemUTC(), Duration.ofSeconds(1), journal);
  }

  /** @param firstRetry the wait before the second attempt; it doubles for each further one */
  public Alerts(String pipeline, List<AlertNotifier> notifiers, Clock clock, Duration firstRetry) {
    this(pipeline, notifiers, clock, firstRetry, Optional.empty());
  }

  private Alerts(String pipeline, List<AlertNotifier> notifiers, Clock clock, Duration firstRetry,
      Optional<AlertJournal> journal) {
    this.journal = requireNonNull(journal, "journal is null");
    this.pipeline = requireNonNull(pipeline, "pipeline is null");
    this.notifiers = List.copyOf(requireNonNull(notifiers, "notifiers is null"));
    this.clock = requireNonNull(clock, "clock is null");
    this.firstRetry = requireNonNull(firstRetry, "firstRetry is null");
    this.sender = new Thread(this::deliverLoop, "tributary-alerts");
    this.sender.setDaemon(true);
    this.sender.start();
    record(true);
  }

  /** Writes the journal, if any, under the lock so that writes follow the changes' order. */
  private synchronized void record(boolean running) {
    if (journal.isEmpty()) {
      return;
    }
    try {
      journal.get().write(pipeline, running, List.copyOf(active.values()), List.copyOf(history));
    } catch (RuntimeException e) {
      log.warn("{}", e.getMessage());
    }
  }

  /**
   * The condition {@code key} holds. Notifies when it was not active, or was less severe; otherwise
   * only the stored message is updated.
   */
  public void raise(String key, AlertSeverity severity, String title, String message) {
    AlertEvent event;
    synchronized (this) {
      Alert current = active.get(key);
      if (current != null && current.severity().compareTo(severity) >= 0) {
        active.put(key, new Alert(key, current.severity(), title, message, current.since()));
        return;
      }
      Alert alert = new Alert(key, severity, title, message, current == null ? clock.instant() : current.since());
      active.put(key, alert);
      event = new AlertEvent(pipeline, alert, false, message, clock.instant());
      remember(event);
      record(true);
    }
    log.warn("Alert {} {}: {}: {}", severity, key, title, message);
    enqueue(event);
  }

  /** The condition {@code key} no longer holds; notifies once if it was active. */
  public void resolve(String key, String message) {
    AlertEvent event;
    synchronized (this) {
      Alert alert = active.remove(key);
      if (alert == null) {
        return;
      }
      event = new AlertEvent(pipeline, alert, true, message, clock.instant());
      remember(event);
      record(true);
    }
    log.info("Alert resolved {}: {}", key, message);
    enqueue(event);
  }

  /** Raises or resolves {@code key} as {@code holds} says. */
  public void set(String key, boolean holds, AlertSeverity severity, String title, String message, String resolved) {
    if (holds) {
      raise(key, severity, title, message);
    } else {
      resolve(key, resolved);
    }
  }

  /** The alerts active now, oldest first. */
  public synchronized List<Alert> active() {
    return List.copyOf(active.values());
  }

  public synchronized Optional<Alert> active(String key) {
    return Optional.ofNullable(active.get(key));
  }

  /** The latest events, newest last, at most {@value #HISTORY}. */
  public synchronized List<AlertEvent> recent() {
    return List.copyOf(history);
  }

  /** Waits up to {@code timeout} for queued events to be delivered (or given up); true if none is left. */
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      synchronized (queue) {
        if (pending == 0) {
          return true;
        }
      }
      Thread.sleep(20);
    }
    return false;
  }

  @Override
  public void close() {
    record(false);
    closed = true;
    sender.interrupt();
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void remember(AlertEvent event) {
    history.addLast(event);
    while (history.size() > HISTORY) {
      history.removeFirst();
    }
  }

  private record Delivery(AlertNotifier notifier, AlertEvent event) {}

  private int pending;

  private void enqueue(AlertEvent event) {
    for (AlertNotifier notifier : notifiers) {
      synchronized (queue) {
        pending++;
      }
      if (!queue.offer(new Delivery(notifier, event))) {
        synchronized (queue) {
          pending--;
        }
        log.warn("Alert {} not sent to {}: {} alerts are waiting for delivery already", event.alert().key(),
            notifier.name(), QUEUE_CAPACITY);
      }
    }
  }

  private void deliverLoop() {
    while (!closed) {
      Delivery delivery;
      try {
        delivery = queue.poll(200, TimeUnit.MILLISECONDS);
        if (delivery == null) {
          continue;
        }
      } catch (InterruptedException e) {
        return;
      }
      try {
        deliver(delivery);
      } catch (InterruptedException e) {
        return;
      } finally {
        synchronized (queue) {
          pending--;
        }
      }
    }
  }

  private void deliver(Delivery delivery) throws InterruptedException {
    Duration wait = firstRetry;
    for (int attempt = 1; ; attempt++) {
      try {
        delivery.notifier().send(delivery.event());
        log.debug("Alert {} {} sent to {}", delivery.event().status(), delivery.event().alert().key(),
            delivery.notifier().name());
        return;
      } catch (java.io.IOException | RuntimeException e) {
        if (attempt == ATTEMPTS) {
          log.warn("Alert {} {} could not be sent to {} after {} attempts: {}", delivery.event().status(),
              delivery.event().alert().key(), delivery.notifier().name(), ATTEMPTS, e.getMessage());
          return;
        }
        log.debug("Alert {} to {} failed (attempt {}), retrying in {} ms: {}", delivery.event().alert().key(),
            delivery.notifier().name(), attempt, wait.toMillis(), e.getMessage());
        Thread.sleep(wait.toMillis());
        wait = wait.multipliedBy(2);
      }
    }
  }
}
