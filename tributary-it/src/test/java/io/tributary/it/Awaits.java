package io.tributary.it;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds; a test waits for the pipeline without asserting how long it took. */
final class Awaits {
  private Awaits() {}

  static void until(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.call()) {
          return;
        }
        last = null;
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(250);
    }
    AssertionError error = new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + what);
    if (last != null) {
      error.initCause(last);
    }
    throw error;
  }
}
