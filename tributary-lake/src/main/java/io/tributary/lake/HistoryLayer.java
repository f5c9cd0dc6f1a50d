package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Column;
import io.tributary.api.Operation;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.core.config.TableConfig;
import io.tributary.core.shape.ShapedRow;
import io.tributary.core.shape.TableShaper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Reads and writes the rows of {@code history.<table>}: one row per version of a key, with the
 * columns of {@link #COLUMNS} around the source's columns. The versions themselves come from
 * {@link Versions}.
 */
final class HistoryLayer {
  static final String SK = "_sk";
  static final String VALID_FROM = "_valid_from";
  static final String VALID_TO = "_valid_to";
  static final String IS_CURRENT = "_is_current";
  static final String RECORDED_AT = "_recorded_at";
  static final String OP = "_op";
  static final String POSITION = "_position";
  static final String COMMIT_TS = "_commit_ts";
  static final String TXID = "_txid";
  static final String SEQUENCE = "_sequence";
  /** History's own columns; every other column is a source column. */
  static final Set<String> COLUMNS =
      Set.of(SK, VALID_FROM, VALID_TO, IS_CURRENT, RECORDED_AT, OP, POSITION, COMMIT_TS, TXID, SEQUENCE);
  /** History's own columns in the order {@link Records} numbers them. */
  private static final List<String> RECORD_ORDER =
      List.of(SK, VALID_FROM, VALID_TO, IS_CURRENT, RECORDED_AT, OP, POSITION, COMMIT_TS, TXID, SEQUENCE);

  /** A version with what history stores beside it. */
  record Row(Versions.Version version, OffsetDateTime recordedAt, OffsetDateTime commitTime) {
    Row {
      requireNonNull(version, "version is null");
      requireNonNull(recordedAt, "recordedAt is null");
      requireNonNull(commitTime, "commitTime is null");
    }
  }

  private final TableId id;
  /** The source's columns: the configuration names them. */
  private final TableSchema schema;
  /** The columns of silver and history, shaped. */
  private final TableShaper shaper;
  private final TableConfig config;
  private final Type timeType;
  private final Type sequenceType;

  /**
   * @throws IllegalArgumentException if a configured column is not a column of the table
   */
  HistoryLayer(TableId id, TableSchema schema, TableShaper shaper, TableConfig config) {
    this.id = requireNonNull(id, "id is null");
    this.schema = requireNonNull(schema, "schema is null");
    this.shaper = requireNonNull(shaper, "shaper is null");
    this.config = requireNonNull(config, "config is null");
    this.timeType = config.history().effectiveFrom()
        .map(column -> IcebergTypes.toIceberg(column(column, "history.effective-from").type()))
        .orElse(Types.TimestampType.withZone());
    this.sequenceType = config.sequenceBy()
        .map(column -> IcebergTypes.toIceberg(column(column, "sequence-by").type()))
        .orElse(null);
    for (String tracked : config.history().track()) {
      column(tracked, "history.track");
    }
  }

  private Column column(String name, String key) {
    return schema.column(name).orElseThrow(() -> new IllegalArgumentException("Invalid configuration of table "
        + id.name() + ": " + key + " names column " + name + ", which " + id + " does not have (its columns: "
        + schema.columns().stream().map(Column::name).toList() + "; fix tables." + id.name() + "." + key + ")"));
  }

  boolean sequenced() {
    return sequenceType != null;
  }

  /** The tracked columns under their shaped names (a dropped one tracks nothing); empty = every column. */
  Set<String> tracked() {
    Set<String> tracked = new HashSet<>();
    for (String column : config.history().track()) {
      shaper.target(column).ifPresent(tracked::add);
    }
    if (tracked.isEmpty() && !config.history().track().isEmpty()) {
      // every tracked column is dropped: nothing opens a version but the first change
      tracked.add(SK);
    }
    return tracked;
  }

  /** History's own columns, in the order they follow the source's columns. */
  List<Types.NestedField> ownFields(java.util.concurrent.atomic.AtomicInteger ids) {
    List<Types.NestedField> fields = new ArrayList<>();
    fields.add(Types.NestedField.optional(ids.incrementAndGet(), VALID_FROM, timeType));
    fields.add(Types.NestedField.optional(ids.incrementAndGet(), VALID_TO, timeType));
    fields.add(Types.NestedField.required(ids.incrementAndGet(), IS_CURRENT, Types.BooleanType.get()));
    fields.add(Types.NestedField.required(ids.incrementAndGet(), RECORDED_AT, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.required(ids.incrementAndGet(), OP, Types.StringType.get()));
    fields.add(Types.NestedField.required(ids.incrementAndGet(), POSITION, Types.StringType.get()));
    fields.add(Types.NestedField.required(ids.incrementAndGet(), COMMIT_TS, Types.TimestampType.withZone()));
    fields.add(Types.NestedField.required(ids.incrementAndGet(), TXID, Types.LongType.get()));
    if (sequenceType != null) {
      fields.add(Types.NestedField.optional(ids.incrementAndGet(), SEQUENCE, sequenceType));
    }
    return fields;
  }

  /** Adds {@code _sequence} when sequence-by was configured after the table was made; refuses a new time axis. */
  void evolve(Table table) {
    Types.NestedField validFrom = table.schema().findField(VALID_FROM);
    if (validFrom != null && !IcebergTypes.sameType(validFrom.type(), timeType)) {
      throw new IllegalStateException("Cannot write history of " + id + ": history." + id.name() + " has a time axis "
          + "of type " + validFrom.type() + " but the configuration asks for " + timeType + " ("
          + config.history().effectiveFrom().map(column -> "effective-from: " + column).orElse("commit time")
          + "); drop history." + id.name() + " to build it again from bronze on the new axis, or change the "
          + "configuration back");
    }
    if (sequenceType != null && table.schema().findField(SEQUENCE) == null) {
      table.updateSchema().addColumn(SEQUENCE, sequenceType).commit();
    }
  }

  // ---- changes

  /**
   * The change as history sees it. {@code image} is the source's row after the change (before it,
   * for a delete), its values already resolved; {@code shaped} is its shaped form (the shaped key
   * alone, for a delete).
   */
  Versions.Change change(Operation operation, Map<String, Object> image, Map<String, Object> shaped, String position,
      long transactionId, Instant commitTime, Schema layerSchema, String layerTable) {
    Map<String, Object> state = new HashMap<>();
    for (Column column : shaper.schema().columns()) {
      Types.NestedField field = layerSchema.findField(column.name());
      if (field != null) {
        state.put(column.name(), IcebergLakeWriter.convert(id, layerTable, column.name(),
            shaped.get(column.name()), field.type()));
      }
    }
    Object sequence = config.sequenceBy()
        .map(column -> IcebergLakeWriter.convert(id, layerTable, column, image.get(column), sequenceType))
        .orElse(null);
    Object time = config.history().effectiveFrom().isEmpty()
        ? commitTime(commitTime)
        : Optional.ofNullable(IcebergLakeWriter.convert(id, layerTable, config.history().effectiveFrom().get(),
            image.get(config.history().effectiveFrom().get()), timeType)).orElseGet(() -> commitTimeAs(commitTime));
    return new Versions.Change(operation, operation == Operation.DELETE ? Optional.empty() : Optional.of(state),
        position, transactionId, sequence, time);
  }

  private static OffsetDateTime commitTime(Instant commitTime) {
    return IcebergTypes.utc(commitTime.truncatedTo(ChronoUnit.MICROS));
  }

  /** The commit time on the effective-from column's axis, when that axis is a date or time; else null. */
  private Object commitTimeAs(Instant commitTime) {
    OffsetDateTime time = commitTime(commitTime);
    return switch (timeType.typeId()) {
      case DATE -> time.toLocalDate();
      case TIMESTAMP -> ((Types.TimestampType) timeType).shouldAdjustToUTC() ? time : time.toLocalDateTime();
      default -> null;
    };
  }

  // ---- reading

  /** Every stored row of the given keys. */
  Map<List<Object>, List<Row>> read(Table history, Set<List<Object>> keys) {
    Map<List<Object>, List<Row>> rows = new HashMap<>();
    if (keys.isEmpty()) {
      return rows;
    }
    Schema tableSchema = history.schema();
    HistoryFiles.scan(history, keyFilter(tableSchema, keys), tableSchema, record -> {
      List<Object> key = key(record);
      if (keys.contains(key)) {
        rows.computeIfAbsent(key, k -> new ArrayList<>()).add(row(tableSchema, record));
      }
      return true;
    });
    return rows;
  }

  /**
   * Every stored row, by key, read through Iceberg's generic reader rather than {@link HistoryFiles}: the check of
   * history ({@link HistoryCheck}) reads it independently of the writer's own reading.
   */
  Map<List<Object>, List<Row>> readAll(Table history) {
    Map<List<Object>, List<Row>> rows = new HashMap<>();
    Schema tableSchema = history.schema();
    try (CloseableIterable<Record> records = IcebergGenerics.read(history).build()) {
      for (Record record : records) {
        rows.computeIfAbsent(key(record), k -> new ArrayList<>()).add(row(tableSchema, record));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + history.name() + ": " + e.getMessage(), e);
    }
    return rows;
  }

  /**
   * Hands every stored row to {@code consumer}, by key, until it returns false; returns whether every row was
   * handed over.
   */
  boolean scan(Table history, java.util.function.BiPredicate<List<Object>, Row> consumer) {
    Schema tableSchema = history.schema();
    return HistoryFiles.scan(history, Expressions.alwaysTrue(), tableSchema,
        record -> consumer.test(key(record), row(tableSchema, record)));
  }

  /** Hands the key of every stored row to {@code consumer}, reading the key columns (and {@code _sk}) alone. */
  void scanKeys(Table history, java.util.function.Consumer<List<Object>> consumer) {
    List<String> columns = new ArrayList<>(shaper.schema().key());
    columns.add(SK);
    HistoryFiles.scan(history, Expressions.alwaysTrue(), history.schema().select(columns), record -> {
      consumer.accept(key(record));
      return true;
    });
  }

  private Row row(Schema tableSchema, Record record) {
    Map<String, Object> values = new HashMap<>();
    for (Types.NestedField field : tableSchema.columns()) {
      if (!COLUMNS.contains(field.name())) {
        values.put(field.name(), record.getField(field.name()));
      }
    }
    Object sequence = tableSchema.findField(SEQUENCE) == null ? null : record.getField(SEQUENCE);
    Versions.Version version = new Versions.Version((String) record.getField(SK), values,
        record.getField(VALID_FROM), record.getField(VALID_TO), (Boolean) record.getField(IS_CURRENT),
        (String) record.getField(OP), (String) record.getField(POSITION), (Long) record.getField(TXID), sequence);
    return new Row(version, (OffsetDateTime) record.getField(RECORDED_AT), (OffsetDateTime) record.getField(COMMIT_TS));
  }

  /**
   * Every change in bronze of the given keys, or of every key when {@code keys} is null, sorted in
   * {@link Versions#ORDER}, with the commit time of each position.
   */
  Map<List<Object>, List<Versions.Change>> readBronze(Table bronze, Set<List<Object>> keys, Schema layerSchema,
      String layerTable, Map<String, OffsetDateTime> commitTimes) {
    Map<List<Object>, List<Versions.Change>> changes = new HashMap<>();
    if (keys != null && keys.isEmpty()) {
      return changes;
    }
    Schema bronzeSchema = bronze.schema();
    var read = IcebergGenerics.read(bronze);
    if (keys != null && shaper.isIdentity()) {
      // bronze holds the source's key; only an unshaped key can be looked up there by value
      read = read.where(keyFilter(bronzeSchema, keys));
    }
    try (CloseableIterable<Record> records = read.build()) {
      for (Record record : records) {
        Map<String, Object> image = new LinkedHashMap<>();
        for (Column column : schema.columns()) {
          if (bronzeSchema.findField(column.name()) != null) {
            image.put(column.name(), record.getField(column.name()));
          }
        }
        Operation operation = Operation.fromCode((String) record.getField(IcebergLakeWriter.OP));
        ShapedRow shaped = operation == Operation.DELETE ? shaper.shapeKey(image) : shaper.shape(image);
        if (shaped.isRejected()) {
          // in errors.<table>: silver and history keep the key's previous version
          continue;
        }
        List<Object> key = new ArrayList<>(shaper.schema().key().size());
        for (String column : shaper.schema().key()) {
          key.add(IcebergLakeWriter.convert(id, layerTable, column, shaped.row().get(column),
              layerSchema.findField(column).type()));
        }
        if (keys != null && !keys.contains(key)) {
          continue;
        }
        String position = (String) record.getField(IcebergLakeWriter.POSITION);
        OffsetDateTime commitTs = (OffsetDateTime) record.getField(IcebergLakeWriter.COMMIT_TS);
        commitTimes.put(position, commitTs);
        changes.computeIfAbsent(key, k -> new ArrayList<>()).add(change(operation, image, shaped.row(), position,
            (Long) record.getField(IcebergLakeWriter.TXID), commitTs.toInstant(), layerSchema, layerTable));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + bronze.name() + " to build history: " + e.getMessage(), e);
    }
    changes.values().forEach(list -> list.sort(Versions.ORDER));
    return changes;
  }

  private List<Object> key(Record record) {
    List<Object> key = new ArrayList<>(shaper.schema().key().size());
    for (String column : shaper.schema().key()) {
      key.add(record.getField(column));
    }
    return key;
  }

  private Expression keyFilter(Schema tableSchema, Set<List<Object>> keys) {
    String first = shaper.schema().key().get(0);
    Type type = tableSchema.findField(first).type();
    Set<Object> literals = new HashSet<>();
    for (List<Object> key : keys) {
      literals.add(IcebergTypes.toLiteral(IcebergTypes.toIcebergValue(key.get(0), type), type));
    }
    return Expressions.in(first, literals.toArray());
  }

  // ---- writing

  /** Builds the Iceberg records of history rows of {@code tableSchema}, for one task. */
  Records records(Schema tableSchema, String layerTable) {
    return new Records(tableSchema, layerTable);
  }

  /**
   * The Iceberg records of history rows of one table schema: what each field holds is looked up once, not by name
   * for every field of every row.
   */
  final class Records {
    private final String layerTable;
    private final GenericRecord template;
    private final List<Types.NestedField> fields;
    /** The index in {@link #RECORD_ORDER} of each field; -1 for a source column. */
    private final int[] kinds;

    private Records(Schema tableSchema, String layerTable) {
      this.layerTable = layerTable;
      this.template = GenericRecord.create(tableSchema);
      this.fields = tableSchema.columns();
      this.kinds = new int[fields.size()];
      for (int i = 0; i < kinds.length; i++) {
        kinds[i] = RECORD_ORDER.indexOf(fields.get(i).name());
      }
    }

    Record record(Row row) {
      GenericRecord record = template.copy();
      Versions.Version version = row.version();
      for (int i = 0; i < kinds.length; i++) {
        Object value = switch (kinds[i]) {
          case 0 -> version.sk();
          case 1 -> version.validFrom();
          case 2 -> version.validTo();
          case 3 -> version.current();
          case 4 -> row.recordedAt();
          case 5 -> version.operation();
          case 6 -> version.position();
          case 7 -> row.commitTime();
          case 8 -> version.transactionId();
          case 9 -> version.sequence();
          default -> {
            Types.NestedField field = fields.get(i);
            yield IcebergLakeWriter.convert(id, layerTable, field.name(), version.values().get(field.name()),
                field.type());
          }
        };
        record.set(i, value);
      }
      return record;
    }
  }

  static OffsetDateTime asOffsetDateTime(Instant instant) {
    return commitTime(instant);
  }
}
