package io.tributary.api.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What one {@link LakeWriter#commit} wrote: rows per layer-qualified table name ({@code
 * bronze.orders}, {@code silver.orders}), and changes skipped because the lake held them already.
 */
public record CommitSummary(Map<String, Long> rowsByTable, long skipped) {
  public CommitSummary {
    rowsByTable = Map.copyOf(requireNonNull(rowsByTable, "rowsByTable is null"));
  }
}
