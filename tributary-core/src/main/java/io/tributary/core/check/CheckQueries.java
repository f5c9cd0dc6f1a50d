package io.tributary.core.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SQL both sides of a comparison run, written once: PostgreSQL and DuckDB share {@code md5},
 * {@code substr}, {@code chr}, {@code coalesce} and {@code ||}, and differ only in how a column becomes
 * canonical text and how a hex digest becomes a number, which each side supplies.
 *
 * <p>A row's text is its compared columns' canonical texts joined by U+001F, NULL written {@code \N};
 * its hash is the first 15 hex digits of the MD5 of that text (60 bits, so sums of billions of rows
 * stay exact in both systems' 128-bit or arbitrary-precision sums).
 */
public final class CheckQueries {
  private static final Pattern PREFIX = Pattern.compile("[0-9a-f]{0,32}");
  private static final String NULL_TEXT = "'\\N'";

  private final String from;
  private final List<String> keyColumns;
  private final List<CheckedColumn> columns;
  private final BiFunction<CheckedColumn, String, String> canonical;
  private final UnaryOperator<String> hexToBigint;

  /**
   * @param from the relation to read, such as {@code "public"."orders"}
   * @param keyColumns the key columns, each also one of {@code columns}
   * @param columns the compared columns
   * @param canonical the canonical text of a column, given the column and its quoted name
   * @param hexToBigint a bigint from an expression giving 15 hex digits
   */
  public CheckQueries(String from, List<String> keyColumns, List<CheckedColumn> columns,
      BiFunction<CheckedColumn, String, String> canonical, UnaryOperator<String> hexToBigint) {
    this.from = requireNonNull(from, "from is null");
    this.keyColumns = List.copyOf(requireNonNull(keyColumns, "keyColumns is null"));
    this.columns = List.copyOf(requireNonNull(columns, "columns is null"));
    this.canonical = requireNonNull(canonical, "canonical is null");
    this.hexToBigint = requireNonNull(hexToBigint, "hexToBigint is null");
    for (String key : keyColumns) {
      if (column(key).isEmpty()) {
        throw new IllegalArgumentException("Invalid comparison of " + from + ": key column " + key
            + " is not among the compared columns");
      }
    }
  }

  /** Quotes an identifier the way both PostgreSQL and DuckDB read it. */
  public static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** Plain decimal text without trailing fractional zeros, written the same in both dialects. */
  public static String withoutTrailingZeros(String text) {
    return "CASE WHEN " + text + " LIKE '%.%' THEN rtrim(rtrim(" + text + ", '0'), '.') ELSE " + text + " END";
  }

  /** The canonical text of the key, as the expression whose MD5 is the key hash. */
  public String keyText() {
    return joined(keyColumns.stream().map(key -> column(key).orElseThrow()).toList());
  }

  /** The canonical text of the whole row. */
  public String rowText() {
    return joined(columns);
  }

  /** Row count and hash sum per range: columns {@code bucket}, {@code rows}, {@code hash_sum}. */
  public String buckets(List<String> prefixes, int length) {
    return "SELECT substr(kh, 1, " + length + ") AS bucket, count(*) AS rows, sum(rh) AS hash_sum FROM ("
        + digests(false) + ") d" + where(prefixes) + " GROUP BY 1";
  }

  /**
   * Every row of the ranges: {@code kh}, {@code rh}, then the key columns' canonical texts, then every
   * compared column's.
   */
  public String rows(List<String> prefixes) {
    return "SELECT * FROM (" + digests(true) + ") d" + where(prefixes);
  }

  /** The key hashes of the rows {@code from} holds, one column {@code kh}. */
  public String keyHashes(String whereClause) {
    return "SELECT DISTINCT md5(" + keyText() + ") AS kh FROM " + from + " WHERE " + whereClause;
  }

  /** Reads the result of {@link #buckets}. */
  public static java.util.Map<String, Bucket> readBuckets(java.sql.ResultSet result) throws java.sql.SQLException {
    java.util.Map<String, Bucket> buckets = new java.util.TreeMap<>();
    while (result.next()) {
      String sum = result.getString(3);
      buckets.put(result.getString(1), new Bucket(result.getLong(2),
          sum == null ? java.math.BigInteger.ZERO : new java.math.BigDecimal(sum).toBigIntegerExact()));
    }
    return buckets;
  }

  /** Reads the result of {@link #rows}. */
  public List<RowDigest> readRows(java.sql.ResultSet result) throws java.sql.SQLException {
    List<RowDigest> rows = new ArrayList<>();
    while (result.next()) {
      List<String> key = new ArrayList<>(keyColumns.size());
      int index = 3;
      for (int i = 0; i < keyColumns.size(); i++) {
        key.add(String.valueOf(result.getString(index++)));
      }
      List<Optional<String>> values = new ArrayList<>(columns.size());
      for (int i = 0; i < columns.size(); i++) {
        values.add(Optional.ofNullable(result.getString(index++)));
      }
      rows.add(new RowDigest(result.getString(1), key, result.getLong(2), values));
    }
    return rows;
  }

  private String digests(boolean withValues) {
    StringBuilder sql = new StringBuilder("SELECT md5(").append(keyText()).append(") AS kh, ")
        .append(hexToBigint.apply("substr(md5(" + rowText() + "), 1, 15)")).append(" AS rh");
    if (withValues) {
      for (String key : keyColumns) {
        sql.append(", ").append(expression(column(key).orElseThrow()));
      }
      for (CheckedColumn column : columns) {
        sql.append(", ").append(expression(column));
      }
    }
    return sql.append(" FROM ").append(from).toString();
  }

  private String where(List<String> prefixes) {
    if (prefixes.isEmpty() || prefixes.equals(List.of(""))) {
      return "";
    }
    int length = prefixes.get(0).length();
    List<String> quoted = new ArrayList<>();
    for (String prefix : prefixes) {
      if (!PREFIX.matcher(prefix).matches() || prefix.length() != length) {
        throw new IllegalArgumentException("Invalid key range " + prefix + " (expected " + length + " hex digits)");
      }
      quoted.add("'" + prefix + "'");
    }
    return " WHERE substr(kh, 1, " + length + ") IN (" + String.join(", ", quoted) + ")";
  }

  private String joined(List<CheckedColumn> parts) {
    return parts.stream()
        .map(column -> "coalesce(" + expression(column) + ", " + NULL_TEXT + ")")
        .collect(Collectors.joining(" || chr(31) || "));
  }

  private String expression(CheckedColumn column) {
    return canonical.apply(column, quote(column.name()));
  }

  private Optional<CheckedColumn> column(String name) {
    return columns.stream().filter(column -> column.name().equals(name)).findFirst();
  }
}
