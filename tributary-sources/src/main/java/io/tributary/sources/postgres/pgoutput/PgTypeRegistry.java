package io.tributary.sources.postgres.pgoutput;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link PgType} of any OID of one database: built-in types without a query, the others (enums, domains,
 * {@code hstore}, arrays of them, composites) read once from {@code pg_type} and kept. Not thread-safe.
 */
public final class PgTypeRegistry {
  private final Connection connection;
  private final Map<Integer, PgType> types = new HashMap<>();

  /** {@code connection} is used for catalog queries only; the caller keeps it open while the registry is used. */
  public PgTypeRegistry(Connection connection) {
    this.connection = requireNonNull(connection, "connection is null");
  }

  /** The type of OID {@code oid}. */
  public PgType type(int oid) {
    if (PgOids.isKnown(oid) || PgOids.arrayElement(oid) != 0) {
      return PgType.builtin(oid);
    }
    PgType known = types.get(oid);
    if (known != null) {
      return known;
    }
    PgType type = load(oid);
    types.put(oid, type);
    return type;
  }

  /** Forgets the types read so far (after a type was altered, say). */
  public void clear() {
    types.clear();
  }

  private PgType load(int oid) {
    String sql = "SELECT typname, typtype, typelem, typbasetype, typtypmod, typcategory FROM pg_catalog.pg_type WHERE oid = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setInt(1, oid);
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          return new PgType(oid, "oid " + oid, PgOids.TEXT, -1, Optional.empty());
        }
        String name = result.getString(1);
        String kind = result.getString(2);
        int element = result.getInt(3);
        int base = result.getInt(4);
        int typmod = result.getInt(5);
        String category = result.getString(6);
        if ("d".equals(kind) && base != 0) {
          PgType baseType = type(base);
          return new PgType(oid, name, baseType.decodeAs(), typmod >= 0 ? typmod : baseType.typmod(), baseType.element());
        }
        if ("A".equals(category) && element != 0) {
          return new PgType(oid, name, PgType.ARRAY, -1, Optional.of(type(element)));
        }
        if ("hstore".equals(name)) {
          return new PgType(oid, name, PgType.HSTORE, -1, Optional.empty());
        }
        return new PgType(oid, name, PgOids.TEXT, -1, Optional.empty());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read type " + oid + " from pg_type: " + e.getMessage(), e);
    }
  }
}
