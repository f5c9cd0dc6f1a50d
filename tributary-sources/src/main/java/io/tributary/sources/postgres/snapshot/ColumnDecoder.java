package io.tributary.sources.postgres.snapshot;

import io.tributary.api.DataType;

/**
 * The lake type of one column and the Java value of its text form (as {@code COPY} text and pgoutput send it):
 * where PostgreSQL's text value decoding plugs into the snapshot. Used from several reading threads at once.
 */
public interface ColumnDecoder {
  /** The column's lake type. */
  DataType type();

  /**
   * The Java value of {@code text} (never null: SQL NULL is not decoded), of the Java type {@link DataType.Kind}
   * lists for {@link #type()}.
   *
   * @throws RuntimeException with a message naming the value and why, when it has no lake value of the type; the
   *     row becomes a dead letter
   */
  Object decode(String text);

  /** Makes the decoders of the columns of the tables being read. */
  @FunctionalInterface
  interface Factory {
    /**
     * The decoder of {@code column}; {@code catalog} is a connection inside the snapshot's transaction, for
     * looking up types the catalog defines (enums, domains, arrays of them), and must not be kept.
     */
    ColumnDecoder decoder(java.sql.Connection catalog, PgColumn column) throws java.sql.SQLException;
  }
}
