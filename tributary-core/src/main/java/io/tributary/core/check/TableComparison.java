package io.tributary.core.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares one table's two sides: row counts and hash sums per key-hash range, then the ranges that
 * differ split into narrower ones, level after level, until few enough rows remain to compare row by
 * row. A clean table costs one aggregate query per side; each level after that reads only the
 * differing ranges.
 */
public final class TableComparison {
  /** The most differing keys a check lists; the rest are counted. */
  public static final int MAX_REPORTED = 1_000;
  /** Hex digits added to the range prefix per level: 256 ranges per range. */
  static final int DIGITS_PER_LEVEL = 2;
  static final int HASH_DIGITS = 32;

  private final CheckSide source;
  private final CheckSide lake;
  private final List<String> keyColumns;
  private final List<CheckedColumn> columns;
  private final Set<String> changedAfterPoint;
  private final int leafRows;

  /**
   * @param keyColumns the key's columns, in the order both sides write the key
   * @param columns the compared columns, in the order both sides write the row's values
   * @param changedAfterPoint key hashes of keys the lake changed after the point: such a key may
   *     differ only because the lake is newer, so it is counted as rechecked, not reported
   * @param leafRows compare row by row once the differing ranges hold at most this many rows
   */
  public TableComparison(CheckSide source, CheckSide lake, List<String> keyColumns, List<CheckedColumn> columns,
      Set<String> changedAfterPoint, int leafRows) {
    this.source = requireNonNull(source, "source is null");
    this.lake = requireNonNull(lake, "lake is null");
    this.keyColumns = List.copyOf(requireNonNull(keyColumns, "keyColumns is null"));
    this.columns = List.copyOf(requireNonNull(columns, "columns is null"));
    this.changedAfterPoint = Set.copyOf(requireNonNull(changedAfterPoint, "changedAfterPoint is null"));
    if (keyColumns.isEmpty()) {
      throw new IllegalArgumentException("Invalid comparison: no key columns");
    }
    if (leafRows < 1) {
      throw new IllegalArgumentException("Invalid leaf rows: " + leafRows + " (must be at least 1)");
    }
    this.leafRows = leafRows;
  }

  /** What the comparison found. */
  public record Result(long sourceRows, long lakeRows, List<KeyDifference> differences, long moreDifferences,
      long recheckedKeys) {
    public Result {
      differences = List.copyOf(differences);
    }

    public boolean equal() {
      return differences.isEmpty() && moreDifferences == 0;
    }
  }

  public Result run() {
    List<String> prefixes = List.of("");
    int length = 0;
    long sourceRows = -1;
    long lakeRows = -1;
    while (true) {
      length = Math.min(HASH_DIGITS, length + DIGITS_PER_LEVEL);
      Map<String, Bucket> sourceBuckets = source.buckets(prefixes, length);
      Map<String, Bucket> lakeBuckets = lake.buckets(prefixes, length);
      if (sourceRows < 0) {
        sourceRows = sourceBuckets.values().stream().mapToLong(Bucket::rows).sum();
        lakeRows = lakeBuckets.values().stream().mapToLong(Bucket::rows).sum();
      }
      Set<String> names = new TreeSet<>(sourceBuckets.keySet());
      names.addAll(lakeBuckets.keySet());
      List<String> differing = new ArrayList<>();
      long rows = 0;
      for (String name : names) {
        Bucket left = sourceBuckets.getOrDefault(name, Bucket.EMPTY);
        Bucket right = lakeBuckets.getOrDefault(name, Bucket.EMPTY);
        if (!left.equals(right)) {
          differing.add(name);
          rows += Math.max(left.rows(), right.rows());
        }
      }
      if (differing.isEmpty()) {
        return new Result(sourceRows, lakeRows, List.of(), 0, 0);
      }
      if (rows <= leafRows || length == HASH_DIGITS) {
        return compareRows(sourceRows, lakeRows, differing);
      }
      prefixes = differing;
    }
  }

  private Result compareRows(long sourceRows, long lakeRows, List<String> prefixes) {
    Map<String, RowDigest> left = byKeyHash(source.rows(prefixes));
    Map<String, RowDigest> right = byKeyHash(lake.rows(prefixes));
    Set<String> keys = new TreeSet<>(left.keySet());
    keys.addAll(right.keySet());
    // Sorted by key text so the report reads in a stable order.
    Map<String, KeyDifference> found = new TreeMap<>();
    long rechecked = 0;
    for (String keyHash : keys) {
      RowDigest sourceRow = left.get(keyHash);
      RowDigest lakeRow = right.get(keyHash);
      if (sourceRow != null && lakeRow != null && sourceRow.rowHash() == lakeRow.rowHash()
          && sourceRow.values().equals(lakeRow.values())) {
        continue;
      }
      if (changedAfterPoint.contains(keyHash)) {
        rechecked++;
        continue;
      }
      KeyDifference difference;
      if (lakeRow == null) {
        difference = new KeyDifference(DifferenceKind.MISSING_IN_LAKE, key(sourceRow), List.of());
      } else if (sourceRow == null) {
        difference = new KeyDifference(DifferenceKind.EXTRA_IN_LAKE, key(lakeRow), List.of());
      } else {
        difference = new KeyDifference(DifferenceKind.DIFFERENT_VALUES, key(sourceRow), columns(sourceRow, lakeRow));
      }
      found.put(difference.keyText() + "\u0000" + keyHash, difference);
    }
    List<KeyDifference> listed = new ArrayList<>();
    for (KeyDifference difference : found.values()) {
      if (listed.size() == MAX_REPORTED) {
        break;
      }
      listed.add(difference);
    }
    return new Result(sourceRows, lakeRows, listed, found.size() - listed.size(), rechecked);
  }

  private List<KeyDifference.ColumnDifference> columns(RowDigest sourceRow, RowDigest lakeRow) {
    List<KeyDifference.ColumnDifference> differences = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      Optional<String> left = sourceRow.values().get(i);
      Optional<String> right = lakeRow.values().get(i);
      if (!left.equals(right)) {
        differences.add(new KeyDifference.ColumnDifference(columns.get(i).name(), left, right));
      }
    }
    return differences;
  }

  private Map<String, String> key(RowDigest row) {
    Map<String, String> key = new LinkedHashMap<>();
    for (int i = 0; i < keyColumns.size(); i++) {
      key.put(keyColumns.get(i), row.key().get(i));
    }
    return key;
  }

  private static Map<String, RowDigest> byKeyHash(List<RowDigest> rows) {
    Map<String, RowDigest> result = new HashMap<>();
    for (RowDigest row : rows) {
      result.put(row.keyHash(), row);
    }
    return result;
  }
}
