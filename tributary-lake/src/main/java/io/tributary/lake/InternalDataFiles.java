package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.InternalWriter;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.FileWriterFactory;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Writes a table's generic records as Parquet data files through Iceberg's writer of internal values (timestamps and
 * times as microseconds, dates as days), converting the records' {@code java.time} values itself: Iceberg's generic
 * writer converts every timestamp with {@code ChronoUnit.MICROS.between}, which works through the offsets of both
 * ends and was about 6% of the lake writer's CPU (two to four timestamps in every row of every layer). The files are
 * the same: the values written are those Iceberg's {@code DateTimeUtil} gives (microseconds truncated toward zero).
 *
 * <p>Only for schemas of primitive columns and lists of values that need no conversion ({@link #of}); any other
 * schema takes Iceberg's generic writer.
 */
final class InternalDataFiles implements FileWriterFactory<Record> {
  private static final int AS_IS = 0;
  private static final int TIMESTAMPTZ = 1;
  private static final int TIMESTAMP = 2;
  private static final int DATE = 3;
  private static final int TIME = 4;

  private final Table table;
  private final Schema schema;
  private final Map<String, String> properties;
  private final int[] kinds;

  private InternalDataFiles(Table table, Schema schema, Map<String, String> properties, int[] kinds) {
    this.table = table;
    this.schema = schema;
    this.properties = properties;
    this.kinds = kinds;
  }

  /**
   * A factory of data files of {@code table}'s current schema with writer {@code properties} over the table's own;
   * empty when a column of the schema is of a type this writer leaves to Iceberg's generic one.
   */
  static Optional<FileWriterFactory<Record>> of(Table table, Map<String, String> properties) {
    requireNonNull(table, "table is null");
    requireNonNull(properties, "properties is null");
    Schema schema = table.schema();
    List<Types.NestedField> columns = schema.columns();
    int[] kinds = new int[columns.size()];
    for (int i = 0; i < kinds.length; i++) {
      Type type = columns.get(i).type();
      if (type.isListType()) {
        if (!asIs(type.asListType().elementType())) {
          return Optional.empty();
        }
        kinds[i] = AS_IS;
        continue;
      }
      switch (type.typeId()) {
        case TIMESTAMP -> kinds[i] = ((Types.TimestampType) type).shouldAdjustToUTC() ? TIMESTAMPTZ : TIMESTAMP;
        case DATE -> kinds[i] = DATE;
        case TIME -> kinds[i] = TIME;
        default -> {
          if (!asIs(type)) {
            return Optional.empty();
          }
          kinds[i] = AS_IS;
        }
      }
    }
    return Optional.of(new InternalDataFiles(table, schema, Map.copyOf(properties), kinds));
  }

  /** The types whose generic value is also their internal one. */
  private static boolean asIs(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN, INTEGER, LONG, FLOAT, DOUBLE, DECIMAL, STRING, UUID, BINARY -> true;
      default -> false;
    };
  }

  @Override
  public DataWriter<Record> newDataWriter(EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    FileAppender<StructLike> appender;
    try {
      appender = Parquet.write(file)
          .forTable(table)
          .schema(schema)
          .setAll(properties)
          .createWriterFunc(InternalWriter::createWriter)
          .overwrite()
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create data file " + file.encryptingOutputFile().location() + " of "
          + table.name() + ": " + e.getMessage(), e);
    }
    return new DataWriter<>(new Converting(appender, kinds), FileFormat.PARQUET,
        file.encryptingOutputFile().location(), spec, partition, file.keyMetadata(), table.sortOrder());
  }

  @Override
  public EqualityDeleteWriter<Record> newEqualityDeleteWriter(
      EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    throw new UnsupportedOperationException("InternalDataFiles writes data files only");
  }

  @Override
  public PositionDeleteWriter<Record> newPositionDeleteWriter(
      EncryptedOutputFile file, PartitionSpec spec, StructLike partition) {
    throw new UnsupportedOperationException("InternalDataFiles writes data files only");
  }

  /** Microseconds since the epoch, truncated toward zero as {@code ChronoUnit.MICROS.between} counts them. */
  static long micros(long epochSecond, int nano) {
    long micros = Math.addExact(Math.multiplyExact(epochSecond, 1_000_000L), nano / 1_000);
    return epochSecond < 0 && nano % 1_000 != 0 ? micros + 1 : micros;
  }

  /** Adds records to an appender of internal values, through one reused view of each record. */
  private static final class Converting implements FileAppender<Record> {
    private final FileAppender<StructLike> appender;
    private final InternalView view;

    Converting(FileAppender<StructLike> appender, int[] kinds) {
      this.appender = appender;
      this.view = new InternalView(kinds);
    }

    @Override
    public void add(Record record) {
      view.record = record;
      appender.add(view);
    }

    @Override
    public Metrics metrics() {
      return appender.metrics();
    }

    @Override
    public long length() {
      return appender.length();
    }

    @Override
    public List<Long> splitOffsets() {
      return appender.splitOffsets();
    }

    @Override
    public void close() throws IOException {
      appender.close();
    }
  }

  /** A record's values in Iceberg's internal form. */
  private static final class InternalView implements StructLike {
    private final int[] kinds;
    Record record;

    InternalView(int[] kinds) {
      this.kinds = kinds;
    }

    @Override
    public int size() {
      return kinds.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      Object value = record.get(pos);
      if (value == null) {
        return null;
      }
      Object internal = switch (kinds[pos]) {
        case TIMESTAMPTZ -> {
          OffsetDateTime time = (OffsetDateTime) value;
          yield micros(time.toEpochSecond(), time.getNano());
        }
        case TIMESTAMP -> {
          LocalDateTime time = (LocalDateTime) value;
          yield micros(time.toEpochSecond(ZoneOffset.UTC), time.getNano());
        }
        case DATE -> (int) ((LocalDate) value).toEpochDay();
        case TIME -> ((LocalTime) value).toNanoOfDay() / 1_000;
        default -> value;
      };
      return javaClass.cast(internal);
    }

    @Override
    public <T> void set(int pos, T value) {
      throw new UnsupportedOperationException("A view of a record for writing is read-only");
    }
  }
}
