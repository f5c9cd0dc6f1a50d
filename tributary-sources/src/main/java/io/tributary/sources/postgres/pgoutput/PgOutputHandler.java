package io.tributary.sources.postgres.pgoutput;

/**
 * What {@link PgOutputDecoder} found in one pgoutput message (protocol version 1). LSNs are PostgreSQL's 64-bit WAL
 * positions; times are microseconds since 2000-01-01 UTC, PostgreSQL's epoch.
 */
public interface PgOutputHandler {
  /** A transaction begins; {@code finalLsn} is the LSN of its commit record. */
  void begin(long finalLsn, long commitTimeMicros, long xid) throws InterruptedException;

  /** The transaction ends: {@code commitLsn} is its commit record, {@code endLsn} the end of that record. */
  void commit(long commitLsn, long endLsn, long commitTimeMicros) throws InterruptedException;

  /** Describes a table; sent before the table's first change of a session and again after its columns change. */
  void relation(PgRelation relation) throws InterruptedException;

  /** A type's name, sent before a relation with a column of a type that is not built in. */
  default void type(int oid, String namespace, String name) {}

  /** The transaction was replicated from another node. */
  default void origin(long lsn, String name) {}

  void insert(int relationId, PgTuple row) throws InterruptedException;

  /**
   * A row changed. {@code oldKind} is {@code 'K'} when {@code old} holds only the replica identity's columns (the key
   * changed), {@code 'O'} when it is the whole old row ({@code REPLICA IDENTITY FULL}), or 0 without an old row.
   */
  void update(int relationId, char oldKind, PgTuple old, PgTuple row) throws InterruptedException;

  /** A row was deleted; {@code oldKind} as for {@link #update}. */
  void delete(int relationId, char oldKind, PgTuple old) throws InterruptedException;

  void truncate(int[] relationIds, boolean cascade, boolean restartIdentity) throws InterruptedException;

  /** A logical message ({@code pg_logical_emit_message}); {@code transactional} ones arrive inside a transaction. */
  void message(boolean transactional, long lsn, String prefix, byte[] content) throws InterruptedException;
}
