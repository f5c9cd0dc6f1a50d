package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

/**
 * How a PostgreSQL source reads its initial snapshot.
 *
 * @param reader who reads it
 * @param threads how many connections read table chunks at once (chunked reader)
 * @param chunkRows about how many rows one chunk of a table holds (chunked reader)
 * @param bufferBytes about how many bytes of read rows may wait for the pipeline (chunked reader)
 */
public record PostgresSnapshotConfig(Reader reader, int threads, long chunkRows, long bufferBytes) {
  /** Default of {@code snapshot-threads}. */
  public static final int DEFAULT_THREADS = 2;
  /** Default of {@code snapshot-chunk-rows}. */
  public static final int DEFAULT_CHUNK_ROWS = 100_000;
  /**
   * Default of {@code snapshot-buffer}: 32 MB. The pipeline's queue stands behind it; it only needs to keep the
   * reading connections busy while the pipeline takes rows.
   */
  public static final long DEFAULT_BUFFER_BYTES = 32L << 20;
  /** Every key at its default. */
  public static final PostgresSnapshotConfig DEFAULT =
      new PostgresSnapshotConfig(Reader.CHUNKED, DEFAULT_THREADS, DEFAULT_CHUNK_ROWS, DEFAULT_BUFFER_BYTES);

  /** Who reads the initial snapshot. */
  public enum Reader {
    /** Tributary: page ranges of each table copied in parallel at the replication slot's exported snapshot. */
    CHUNKED,
    /** Debezium's embedded engine, one table after another on one connection. */
    DEBEZIUM
  }

  public PostgresSnapshotConfig {
    requireNonNull(reader, "reader is null");
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("Invalid snapshot-threads: " + threads + " (must be 1 to 64)");
    }
    if (chunkRows < 1) {
      throw new IllegalArgumentException("Invalid snapshot-chunk-rows: " + chunkRows + " (must be at least 1)");
    }
    if (bufferBytes < 1 << 16) {
      throw new IllegalArgumentException("Invalid snapshot-buffer: " + bufferBytes + " bytes (must be at least 64KB)");
    }
  }
}
