package io.tributary.core.check;

/** The result of comparing one table. */
public enum CheckOutcome {
  /** Same keys and values on both sides. */
  EQUAL,
  /** At least one key differs. */
  DIFFERENT,
  /** The comparison could not be made (the error says why). */
  FAILED
}
