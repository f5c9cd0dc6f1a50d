package io.tributary.sources.feed;

import java.io.IOException;
import java.util.Map;

/** Reads the records of one file in order. */
interface FileRecords extends AutoCloseable {
  /** One record of the file, or the reason it cannot be read. */
  record Item(int line, String raw, Map<String, Object> values, String error) {}

  /** The next record, or null at the end of the file. */
  Item next() throws IOException;

  @Override
  void close() throws IOException;
}
