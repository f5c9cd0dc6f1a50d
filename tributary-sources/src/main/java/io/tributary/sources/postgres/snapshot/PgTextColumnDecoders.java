package io.tributary.sources.postgres.snapshot;

import io.tributary.api.DataType;
import io.tributary.sources.postgres.pgoutput.PgTextValues;
import io.tributary.sources.postgres.pgoutput.PgType;
import io.tributary.sources.postgres.pgoutput.PgTypeRegistry;
import java.sql.Connection;

/**
 * The snapshot's column decoding by {@link PgTextValues}, the one decoder of PostgreSQL text values that the
 * pgoutput stream uses too: a table's lake schema and values are the same whichever of the two read a row.
 * Types the catalog defines (enums, domains, arrays of them, {@code hstore}) are resolved once per column with
 * {@link PgTypeRegistry} while the snapshot is planned.
 */
public final class PgTextColumnDecoders implements ColumnDecoder.Factory {
  @Override
  public ColumnDecoder decoder(Connection catalog, PgColumn column) {
    PgType type = new PgTypeRegistry(catalog).type(column.typeOid());
    int typmod = column.typmod();
    DataType dataType = PgTextValues.dataType(type, typmod);
    return new ColumnDecoder() {
      @Override
      public DataType type() {
        return dataType;
      }

      @Override
      public Object decode(String text) {
        return PgTextValues.decode(type, typmod, text);
      }
    };
  }
}
