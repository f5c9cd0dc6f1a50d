package io.tributary.sql;

/** A query could not run: unknown table, SQL error, or a lake table that cannot be read. */
public final class QueryException extends RuntimeException {
  public QueryException(String message) {
    super(message);
  }

  public QueryException(String message, Throwable cause) {
    super(message, cause);
  }
}
