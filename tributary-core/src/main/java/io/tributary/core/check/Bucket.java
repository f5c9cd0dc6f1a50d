package io.tributary.core.check;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;

/**
 * The rows of one key range: how many, and the sum of their row hashes. Sums do not depend on the
 * order rows are read in, so both sides can compute them with a plain {@code GROUP BY}.
 */
public record Bucket(long rows, BigInteger hashSum) {
  public static final Bucket EMPTY = new Bucket(0, BigInteger.ZERO);

  public Bucket {
    requireNonNull(hashSum, "hashSum is null");
    if (rows < 0) {
      throw new IllegalArgumentException("Invalid bucket: " + rows + " rows");
    }
  }
}
