package io.tributary.core.check;

/** How a key differs between the source and the lake. */
public enum DifferenceKind {
  /** The source has the key, the lake does not. */
  MISSING_IN_LAKE,
  /** The lake has the key, the source does not. */
  EXTRA_IN_LAKE,
  /** Both have the key with different values. */
  DIFFERENT_VALUES
}
