package io.tributary.sources.postgres.pgoutput;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * How a PostgreSQL type's text form is read: the built-in type whose rules apply ({@link #decodeAs()}), and for an
 * array its element type. Built-in types describe themselves ({@link #builtin(int)}); types the catalog defines
 * (enums, domains, arrays of them, {@code hstore}, composites) come from {@link PgTypeRegistry}.
 *
 * @param oid the type's own OID
 * @param name the type's name in {@code pg_type}, for messages
 * @param decodeAs the OID of the built-in type whose text form this type has: the base type of a domain, {@code text}
 *     for an enum or any type without a mapping, {@link #HSTORE} for {@code hstore}, {@link #ARRAY} for an array
 * @param typmod the type modifier that applies when the column has none (a domain's {@code typtypmod}), or -1
 * @param element the element type of an array
 */
public record PgType(int oid, String name, int decodeAs, int typmod, Optional<PgType> element) {
  /** {@link #decodeAs()} of an array type. */
  public static final int ARRAY = -1;
  /** {@link #decodeAs()} of the {@code hstore} extension's type (its OID differs per database). */
  public static final int HSTORE = -2;

  public PgType {
    requireNonNull(name, "name is null");
    requireNonNull(element, "element is null");
    if ((decodeAs == ARRAY) != element.isPresent()) {
      throw new IllegalArgumentException("Invalid type " + name + ": only an array has an element type");
    }
  }

  /** A built-in type by its OID; a built-in array type knows its element. Any other OID reads as text. */
  public static PgType builtin(int oid) {
    int element = PgOids.arrayElement(oid);
    if (element != 0) {
      return new PgType(oid, PgOids.name(oid), ARRAY, -1, Optional.of(builtin(element)));
    }
    return new PgType(oid, PgOids.name(oid), PgOids.isKnown(oid) ? oid : PgOids.TEXT, -1, Optional.empty());
  }

  /** The typmod of a column of this type: the column's own, else the type's. */
  int typmod(int columnTypmod) {
    return columnTypmod >= 0 ? columnTypmod : typmod;
  }
}
