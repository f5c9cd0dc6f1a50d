package io.tributary.sources.postgres.pgoutput;

/**
 * A pgoutput TupleData: per column, {@link #NULL}, {@link #UNCHANGED_TOAST} (a large value the change left as it was,
 * not sent) or {@link #TEXT} with the value's text form. Arrays are owned by the tuple, not copied.
 */
public final class PgTuple {
  public static final byte NULL = 'n';
  public static final byte UNCHANGED_TOAST = 'u';
  public static final byte TEXT = 't';

  private final byte[] kinds;
  private final String[] values;

  PgTuple(byte[] kinds, String[] values) {
    this.kinds = kinds;
    this.values = values;
  }

  public int size() {
    return kinds.length;
  }

  public byte kind(int column) {
    return kinds[column];
  }

  /** The text of column {@code column}, or null unless its kind is {@link #TEXT}. */
  public String text(int column) {
    return values[column];
  }
}
