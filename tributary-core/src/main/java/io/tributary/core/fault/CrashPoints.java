package io.tributary.core.fault;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named places in the commit path where a crash test stops the process, so that it can be killed
 * with SIGKILL at exactly that place.
 *
 * <p>Inactive unless the system property {@value #PROPERTY} is set to {@code name} or {@code
 * name:n} (the n-th time the place is reached, 1 by default). When reached, the process prints
 * {@code TRIBUTARY-CRASH-POINT name} on standard output and waits to be killed.
 */
public final class CrashPoints {
  public static final String PROPERTY = "tributary.crash-point";
  public static final String MARKER = "TRIBUTARY-CRASH-POINT ";

  /** Data files of a layer table are written, not yet committed. */
  public static final String BEFORE_COMMIT = "before-commit";
  /**
   * A layer table's commit succeeded; the batch's checkpoint is not committed yet (the batch's other layer tables
   * commit side by side with it and may be committed or not).
   */
  public static final String AFTER_COMMIT = "after-commit";
  /** The source checkpoint of a batch is committed, the source is not yet told. */
  public static final String AFTER_CHECKPOINT = "after-checkpoint";

  private static final String CONFIGURED = System.getProperty(PROPERTY, "");
  private static final AtomicInteger hits = new AtomicInteger();

  private CrashPoints() {}

  /** Stops here, forever, if this is the configured crash point. */
  public static void reach(String name) {
    if (CONFIGURED.isEmpty()) {
      return;
    }
    String[] parts = CONFIGURED.split(":", 2);
    if (!parts[0].equals(name)) {
      return;
    }
    int wanted = parts.length == 2 ? Integer.parseInt(parts[1]) : 1;
    if (hits.incrementAndGet() != wanted) {
      return;
    }
    PrintStream out = System.out;
    out.println(MARKER + name);
    out.flush();
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // Only SIGKILL ends this: the test is about to kill the process here.
      }
    }
  }
}
