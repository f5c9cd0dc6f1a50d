package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.api.DeadLetter;
import io.tributary.api.TableId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter tables {@code errors.<table>}: one row per record that could not reach silver,
 * created on first use. Like bronze, each commit records the position of the last dead letter it
 * holds, so a redelivered batch does not write a dead letter twice.
 */
final class ErrorTables {
  static final String SOURCE = "source";
  static final String TABLE = "table_name";
  static final String KEY = "key";
  static final String POSITION = "_position";
  static final String LOCATION = "_location";
  static final String PAYLOAD = "payload";
  static final String COLUMN = "column_name";
  static final String VALUE = "value";
  static final String REASON = "reason";
  static final String RECORDED_AT = "_recorded_at";

  static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, SOURCE, Types.StringType.get(), "the configured source of the record"),
      Types.NestedField.required(2, TABLE, Types.StringType.get(), "the lake table the record belongs to"),
      Types.NestedField.optional(3, KEY, Types.StringType.get(), "the record's key as a JSON object, when readable"),
      Types.NestedField.required(4, POSITION, Types.StringType.get(), "the record's source position (sort key)"),
      Types.NestedField.required(5, LOCATION, Types.StringType.get(), "where the record came from"),
      Types.NestedField.optional(6, PAYLOAD, Types.StringType.get(), "the record as received, when the source has it"),
      Types.NestedField.optional(7, COLUMN, Types.StringType.get(), "the column the problem lies in"),
      Types.NestedField.optional(8, VALUE, Types.StringType.get(), "the offending value as text"),
      Types.NestedField.required(9, REASON, Types.StringType.get(), "why the record did not reach silver"),
      Types.NestedField.required(10, RECORDED_AT, Types.TimestampType.withZone(), "when the lake committed it"));

  private static final Logger LOG = LoggerFactory.getLogger(ErrorTables.class);

  private final Lake lake;
  private final Map<TableIdentifier, Table> tables = new HashMap<>();

  ErrorTables(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  static TableIdentifier identifier(TableId id) {
    return TableIdentifier.of(Lake.ERRORS, id.name());
  }

  /** {@code errors.<table>}, created when missing, refreshed to its latest snapshot. */
  Table table(String source, TableId id) {
    TableIdentifier identifier = identifier(id);
    Table table = tables.get(identifier);
    if (table != null) {
      table.refresh();
    } else {
      try {
        table = lake.catalog().loadTable(identifier);
      } catch (NoSuchTableException e) {
        table = create(source, id, identifier);
      }
      tables.put(identifier, table);
    }
    String owner = table.properties().get(LakeProperties.SOURCE);
    if (owner != null && !owner.equals(source)) {
      throw new IllegalStateException("Cannot write dead letters of " + id + " to " + identifier + ": the table "
          + "holds records of source " + owner + "; lake table names must be unique across sources (rename one "
          + "of the tables in the configuration)");
    }
    return table;
  }

  /** The dead letters {@code table} does not hold yet (after its recorded position), as its records. */
  static List<Record> records(Table table, List<DeadLetter> letters, Instant recordedAt) {
    Optional<String> recorded = TablePositions.recorded(table);
    OffsetDateTime at = recordedAt.atOffset(ZoneOffset.UTC);
    GenericRecord template = GenericRecord.create(table.schema());
    List<Record> records = new ArrayList<>();
    for (DeadLetter letter : letters) {
      String position = letter.position().sortKey();
      if (recorded.isPresent() && position.compareTo(recorded.get()) <= 0) {
        continue;
      }
      GenericRecord record = template.copy();
      record.setField(SOURCE, letter.table().source());
      record.setField(TABLE, letter.table().name());
      record.setField(KEY, letter.key().isEmpty() ? null : RawWriter.json(letter.key()));
      record.setField(POSITION, position);
      record.setField(LOCATION, letter.location());
      record.setField(PAYLOAD, letter.payload().orElse(null));
      record.setField(COLUMN, letter.column().orElse(null));
      record.setField(VALUE, letter.value().orElse(null));
      record.setField(REASON, letter.reason());
      record.setField(RECORDED_AT, at);
      records.add(record);
    }
    return records;
  }

  void forget() {
    tables.clear();
  }

  private Table create(String source, TableId id, TableIdentifier identifier) {
    lake.ensureNamespace(Lake.ERRORS);
    Map<String, String> properties = new HashMap<>();
    properties.put(TableProperties.FORMAT_VERSION, "2");
    properties.put(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
    properties.put(LakeProperties.METADATA_DELETE_AFTER_COMMIT, "true");
    properties.put(LakeProperties.METADATA_PREVIOUS_VERSIONS_MAX,
        Integer.toString(LakeProperties.METADATA_PREVIOUS_VERSIONS));
    properties.put(LakeProperties.SOURCE, source);
    properties.put(LakeProperties.SOURCE_TABLE, id.qualifiedName());
    try {
      Table table = lake.catalog().buildTable(identifier, SCHEMA)
          .withPartitionSpec(PartitionSpec.unpartitioned())
          .withProperties(properties)
          .create();
      LOG.info("Created dead-letter table {} for {}", identifier, id);
      return table;
    } catch (AlreadyExistsException e) {
      return lake.catalog().loadTable(identifier);
    }
  }
}
