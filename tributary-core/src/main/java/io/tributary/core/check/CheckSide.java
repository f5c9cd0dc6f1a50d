package io.tributary.core.check;

import java.util.List;
import java.util.Map;

/**
 * One side of a table comparison, the source or the lake, read at the comparison's point.
 *
 * <p>Key ranges are ranges of the key's hash: the lower-case hex MD5 of the key's canonical text
 * (values joined by U+001F). Ranges of the hash, unlike ranges of the key, need no agreement on how
 * the two systems sort text and split any table evenly. A range is named by a prefix of the hash.
 */
public interface CheckSide {
  /**
   * The rows whose key hash starts with one of {@code prefixes} (all rows when {@code prefixes}
   * holds only the empty prefix), grouped by the first {@code length} hex digits of the key hash.
   * Ranges without rows are absent.
   */
  Map<String, Bucket> buckets(List<String> prefixes, int length);

  /** The rows whose key hash starts with one of {@code prefixes}, all of one length. */
  List<RowDigest> rows(List<String> prefixes);
}
