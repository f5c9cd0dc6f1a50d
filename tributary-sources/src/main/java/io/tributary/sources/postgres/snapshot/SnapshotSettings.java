package io.tributary.sources.postgres.snapshot;

/**
 * How a chunked snapshot reads.
 *
 * @param threads how many connections read chunks at once
 * @param chunkRows about how many rows one chunk holds (turned into pages from the table's statistics)
 * @param bufferBytes about how many bytes of read rows may wait for the consumer; readers wait while it is full
 */
public record SnapshotSettings(int threads, long chunkRows, long bufferBytes) {
  /** Default of {@link #chunkRows}. */
  public static final long DEFAULT_CHUNK_ROWS = 100_000;
  /** Default of {@link #bufferBytes}: 32 MiB (the pipeline's queue stands behind it). */
  public static final long DEFAULT_BUFFER_BYTES = 32L << 20;

  public SnapshotSettings {
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("Invalid snapshot thread count: " + threads + " (need 1 to 64)");
    }
    if (chunkRows < 1) {
      throw new IllegalArgumentException("Invalid snapshot chunk size: " + chunkRows + " rows (need at least 1)");
    }
    if (bufferBytes < 1 << 16) {
      throw new IllegalArgumentException("Invalid snapshot buffer: " + bufferBytes + " bytes (need at least 64 KiB)");
    }
  }

  /** The defaults: 2 threads, chunks of 100,000 rows, a 32 MiB buffer. */
  public static SnapshotSettings defaults() {
    return new SnapshotSettings(2, DEFAULT_CHUNK_ROWS, DEFAULT_BUFFER_BYTES);
  }
}
