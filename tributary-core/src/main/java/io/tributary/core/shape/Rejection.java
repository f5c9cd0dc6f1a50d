package io.tributary.core.shape;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Why one row could not be shaped: the column, the offending value as text, and the reason. The
 * lake writes it to {@code errors.<table>}.
 *
 * @param column the source column whose cast failed, or the computed column whose expression failed
 * @param value the offending source value as text; empty for a null or when the failure has no one value
 * @param reason the error message
 */
public record Rejection(String column, Optional<String> value, String reason) {
  public Rejection {
    requireNonNull(column, "column is null");
    requireNonNull(value, "value is null");
    requireNonNull(reason, "reason is null");
  }
}
