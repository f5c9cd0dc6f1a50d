package io.tributary.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A request to stop a long-running command: Ctrl-C (SIGINT), SIGTERM, or the JVM shutting down for
 * another reason. The command polls it, stops its work, closes what it opened and returns.
 *
 * <p>Left to the JVM, SIGINT and SIGTERM run the shutdown hooks and then exit with 130 or 143,
 * which service managers report as a failure even after a clean stop; and by then Iceberg's shared
 * worker pool refuses work, so a last commit made from a hook may fail. So the first of these
 * signals only requests the stop, the command finishes while the JVM still runs and exits with its
 * own code; a second one, for a stop that takes too long, exits at once with the JVM's code. A
 * shutdown for any other reason waits, in a shutdown hook, until the command has closed everything.
 */
final class StopRequest implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StopRequest.class);
  private static final String[] SIGNALS = {"INT", "TERM"};
  /** How long a JVM shutdown waits for the command to finish stopping. */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(60);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Map<Signal, SignalHandler> previousHandlers = new LinkedHashMap<>();
  private final Thread hook;
  private volatile boolean forced;

  private StopRequest(String threadName) {
    this.hook = new Thread(this::awaitStopOnShutdown, threadName);
  }

  /** Starts listening for stop signals; {@link #close()} restores the JVM's own handling. */
  static StopRequest install(String threadName) {
    StopRequest stop = new StopRequest(threadName);
    for (String name : SIGNALS) {
      Signal signal = new Signal(name);
      try {
        stop.previousHandlers.put(signal, Signal.handle(signal, stop::onSignal));
      } catch (IllegalArgumentException e) {
        // The signal is reserved (java -Xrs): the shutdown hook still stops cleanly, with the JVM's exit code.
        log.debug("Cannot handle SIG{}: {}", name, e.getMessage());
      }
    }
    Runtime.getRuntime().addShutdownHook(stop.hook);
    return stop;
  }

  /** Whether a stop was requested. */
  boolean isRequested() {
    return requested.getCount() == 0;
  }

  /** Waits up to {@code timeout} for a stop request; returns whether one came. */
  boolean await(Duration timeout) throws InterruptedException {
    return requested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The command has stopped: a waiting JVM shutdown may go on, and signals get the JVM's handling again. */
  @Override
  public void close() {
    closed.countDown();
    previousHandlers.forEach(Signal::handle);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down already; the hook has been waiting for the countDown above.
    }
  }

  private void onSignal(Signal signal) {
    if (isRequested()) {
      forced = true;
      log.warn("Second SIG{}: exiting without waiting for the stop to finish", signal.getName());
      Runtime.getRuntime().exit(128 + signal.getNumber());
      return;
    }
    log.debug("SIG{}: stop requested", signal.getName());
    requested.countDown();
  }

  private void awaitStopOnShutdown() {
    requested.countDown();
    if (forced) {
      return;
    }
    try {
      if (!closed.await(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Did not finish stopping within {} s; exiting anyway", SHUTDOWN_WAIT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
