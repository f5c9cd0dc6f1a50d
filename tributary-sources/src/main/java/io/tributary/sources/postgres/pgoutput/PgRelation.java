package io.tributary.sources.postgres.pgoutput;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A pgoutput Relation message: a table as the publication sends it.
 *
 * @param id the relation's OID, which changes carry
 * @param replicaIdentity {@code d} (default: the primary key), {@code n} (nothing), {@code f} (full), {@code i} (index)
 */
public record PgRelation(int id, String namespace, String name, char replicaIdentity, List<Column> columns) {
  public PgRelation {
    requireNonNull(namespace, "namespace is null");
    requireNonNull(name, "name is null");
    columns = List.copyOf(requireNonNull(columns, "columns is null"));
  }

  /**
   * @param key whether the column is part of the replica identity (with {@code FULL}, every column is)
   * @param typeOid the column's type
   * @param typmod the column's type modifier ({@code atttypmod}), -1 for none
   */
  public record Column(String name, boolean key, int typeOid, int typmod) {
    public Column {
      requireNonNull(name, "name is null");
    }
  }
}
