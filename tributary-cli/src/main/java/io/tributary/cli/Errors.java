package io.tributary.cli;

/** Turns a failure into the line a user needs. */
final class Errors {
  private Errors() {}

  /**
   * Our own messages say what went wrong and what to do, so they stand alone; a failure from a
   * library gets its root cause added, which usually names the real problem.
   */
  static String describe(Throwable error) {
    String message = String.valueOf(error.getMessage());
    if (isOurs(error)) {
      return message;
    }
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == error || root.getMessage() == null || message.contains(root.getMessage())
        ? message
        : message + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
  }

  private static boolean isOurs(Throwable error) {
    StackTraceElement[] trace = error.getStackTrace();
    return trace.length > 0 && trace[0].getClassName().startsWith("io.tributary.");
  }
}
