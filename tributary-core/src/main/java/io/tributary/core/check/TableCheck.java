package io.tributary.core.check;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How one source table compared with its silver table at one point.
 *
 * @param source the configured source
 * @param sourceTable the table as the source names it ({@code public.orders})
 * @param lakeTable the lake table compared with it ({@code silver.orders})
 * @param outcome equal, different or failed
 * @param position the source position both sides were read at (for PostgreSQL {@code 1:<LSN>})
 * @param sourceRows rows in the source at that point
 * @param lakeRows rows in the lake at that point
 * @param differences the differing keys, at most {@link TableComparison#MAX_REPORTED} of them
 * @param moreDifferences how many further differing keys were found but not listed
 * @param recheckedKeys keys that differed only because they changed after the point; the next check
 *     compares them again
 * @param comparedColumns the columns both sides share by name and type, compared
 * @param notCompared columns left out, each with its reason ({@code tags: array})
 * @param checkedAt when the check finished
 * @param took how long it took
 * @param error why the check failed, for {@link CheckOutcome#FAILED}
 */
public record TableCheck(
    String source,
    String sourceTable,
    String lakeTable,
    CheckOutcome outcome,
    String position,
    long sourceRows,
    long lakeRows,
    List<KeyDifference> differences,
    long moreDifferences,
    long recheckedKeys,
    List<String> comparedColumns,
    List<String> notCompared,
    Instant checkedAt,
    Duration took,
    Optional<String> error) {
  public TableCheck {
    requireNonNull(source, "source is null");
    requireNonNull(sourceTable, "sourceTable is null");
    requireNonNull(lakeTable, "lakeTable is null");
    requireNonNull(outcome, "outcome is null");
    requireNonNull(position, "position is null");
    differences = List.copyOf(requireNonNull(differences, "differences is null"));
    comparedColumns = List.copyOf(requireNonNull(comparedColumns, "comparedColumns is null"));
    notCompared = List.copyOf(requireNonNull(notCompared, "notCompared is null"));
    requireNonNull(checkedAt, "checkedAt is null");
    requireNonNull(took, "took is null");
    requireNonNull(error, "error is null");
    if (outcome == CheckOutcome.FAILED && error.isEmpty()) {
      throw new IllegalArgumentException("Invalid check of " + sourceTable + ": failed without an error");
    }
  }

  /** A check that could not be made. */
  public static TableCheck failed(String source, String sourceTable, String lakeTable, String error, Instant at,
      Duration took) {
    return new TableCheck(source, sourceTable, lakeTable, CheckOutcome.FAILED, "", 0, 0, List.of(), 0, 0, List.of(),
        List.of(), at, took, Optional.of(error));
  }

  /** All differing keys found, listed or not. */
  public long differenceCount() {
    return differences.size() + moreDifferences;
  }

  /** One line for logs, status and alerts. */
  public String summary() {
    return switch (outcome) {
      case EQUAL -> String.format(java.util.Locale.ROOT, "%s equals %s: %,d rows at position %s", lakeTable,
          source + ":" + sourceTable, lakeRows, position);
      case DIFFERENT -> String.format(java.util.Locale.ROOT,
          "%s differs from %s: %,d keys differ (%,d rows in the source, %,d in the lake) at position %s",
          lakeTable, source + ":" + sourceTable, differenceCount(), sourceRows, lakeRows, position);
      case FAILED -> "cannot compare " + lakeTable + " with " + source + ":" + sourceTable + ": " + error.orElse("");
    };
  }
}
