package io.tributary.sources.postgres.snapshot;

import static java.util.Objects.requireNonNull;

/**
 * A range of a table's pages read by one {@code COPY}: {@code ctid >= '(fromPage,0)' AND ctid < '(toPage,0)'},
 * which PostgreSQL 14 and later run as a TID range scan. The last chunk of a table has no upper bound, so rows in
 * pages added after planning are still read (the snapshot decides which rows are visible).
 *
 * @param table the table
 * @param fromPage the first page
 * @param toPage the page after the last, or -1 for no upper bound
 * @param index the chunk's number within its table, from 0
 * @param wholeTable true when the server cannot scan TID ranges and the chunk is the whole table
 */
record SnapshotChunk(SnapshotTable table, long fromPage, long toPage, int index, boolean wholeTable) {
  SnapshotChunk {
    requireNonNull(table, "table is null");
    if (fromPage < 0 || (toPage >= 0 && toPage <= fromPage)) {
      throw new IllegalArgumentException("Invalid chunk of " + table.qualifiedName() + ": pages " + fromPage + " to " + toPage);
    }
  }

  /** The {@code COPY} that reads this chunk in text format. */
  String copySql() {
    StringBuilder sql = new StringBuilder("COPY (SELECT ");
    for (int i = 0; i < table.columns().size(); i++) {
      if (i > 0) {
        sql.append(", ");
      }
      sql.append(SnapshotTable.quote(table.columns().get(i).name()));
    }
    sql.append(" FROM ").append(table.relation());
    if (!wholeTable) {
      sql.append(" WHERE ctid >= '(").append(fromPage).append(",0)'::tid");
      if (toPage >= 0) {
        sql.append(" AND ctid < '(").append(toPage).append(",0)'::tid");
      }
    }
    return sql.append(") TO STDOUT").toString();
  }

  String describe() {
    if (wholeTable) {
      return table.qualifiedName() + " (whole table)";
    }
    return table.qualifiedName() + " pages " + fromPage + " to " + (toPage < 0 ? "end" : Long.toString(toPage - 1));
  }
}
