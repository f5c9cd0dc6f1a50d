package io.tributary.sources.postgres.snapshot;

import static java.util.Objects.requireNonNull;

/**
 * A column of a table being snapshotted, as PostgreSQL's catalog describes it.
 *
 * @param name the column's name
 * @param typeOid the OID of its type ({@code pg_attribute.atttypid}), as pgoutput's relation messages send it
 * @param typmod its type modifier ({@code atttypmod}, -1 when none), as pgoutput sends it
 * @param typeName the type's name ({@code pg_type.typname}, e.g. {@code int4}, {@code _text}); for a domain, the name
 *     of its base type
 * @param notNull whether the column is declared {@code NOT NULL}
 */
public record PgColumn(String name, int typeOid, int typmod, String typeName, boolean notNull) {
  public PgColumn {
    requireNonNull(name, "name is null");
    requireNonNull(typeName, "typeName is null");
  }
}
