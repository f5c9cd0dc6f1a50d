package io.tributary.sources.postgres.pgoutput;

/** A PostgreSQL value that has no lake value of its column's type; the message says which and why. */
public final class PgValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public PgValueException(String message) {
    super(message);
  }
}
