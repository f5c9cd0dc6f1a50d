package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.core.check.CheckOutcome;
import io.tributary.core.check.TableCheck;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;

/**
 * The last reconciliation check of each lake table, kept as properties of {@code _tributary.checks}
 * ({@code tributary.check.<table>.outcome} and so on) so that {@code status}, the server and other
 * processes see what {@code check} or a running pipeline found, without a data file.
 */
public final class CheckRecords {
  public static final TableIdentifier TABLE = TableIdentifier.of(Lake.SYSTEM, "checks");
  private static final String PREFIX = "tributary.check.";
  private static final String OUTCOME = "outcome";
  private static final String SUMMARY = "summary";
  private static final String DIFFERENCES = "differences";
  private static final String CHECKED_AT = "checked-at";

  /** One stored check: the table, its outcome, how many keys differed, the summary line and when. */
  public record Stored(String lakeTable, CheckOutcome outcome, long differences, String summary, Instant checkedAt) {
    public Stored {
      requireNonNull(lakeTable, "lakeTable is null");
      requireNonNull(outcome, "outcome is null");
      requireNonNull(summary, "summary is null");
      requireNonNull(checkedAt, "checkedAt is null");
    }
  }

  private final Lake lake;

  public CheckRecords(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /** Records the checks in one metadata commit. */
  public synchronized void write(Collection<TableCheck> checks) {
    if (checks.isEmpty()) {
      return;
    }
    Table table = loadOrCreate();
    UpdateProperties update = table.updateProperties();
    for (TableCheck check : checks) {
      String name = check.lakeTable();
      update.set(PREFIX + name + "." + OUTCOME, check.outcome().name().toLowerCase(Locale.ROOT));
      update.set(PREFIX + name + "." + DIFFERENCES, Long.toString(check.differenceCount()));
      update.set(PREFIX + name + "." + SUMMARY, check.summary());
      update.set(PREFIX + name + "." + CHECKED_AT, check.checkedAt().toString());
    }
    update.commit();
  }

  /** The last check of every table checked, by lake table. */
  public synchronized Map<String, Stored> all() {
    Map<String, Stored> result = new TreeMap<>();
    Table table;
    try {
      table = lake.catalog().loadTable(TABLE);
    } catch (NoSuchTableException e) {
      return result;
    }
    Map<String, String> properties = table.properties();
    String suffix = "." + OUTCOME;
    for (Map.Entry<String, String> entry : properties.entrySet()) {
      String key = entry.getKey();
      if (!key.startsWith(PREFIX) || !key.endsWith(suffix)) {
        continue;
      }
      String name = key.substring(PREFIX.length(), key.length() - suffix.length());
      String base = PREFIX + name + ".";
      try {
        result.put(name, new Stored(name, CheckOutcome.valueOf(entry.getValue().toUpperCase(Locale.ROOT)),
            Long.parseLong(properties.getOrDefault(base + DIFFERENCES, "0")),
            properties.getOrDefault(base + SUMMARY, ""),
            Instant.parse(properties.getOrDefault(base + CHECKED_AT, Instant.EPOCH.toString()))));
      } catch (IllegalArgumentException | DateTimeParseException e) {
        throw new IllegalStateException("Invalid check record of " + name + " in " + TABLE + ": " + e.getMessage()
            + " (remove the properties " + base + "* to forget it)", e);
      }
    }
    return result;
  }

  private Table loadOrCreate() {
    try {
      return lake.catalog().loadTable(TABLE);
    } catch (NoSuchTableException e) {
      lake.ensureNamespace(Lake.SYSTEM);
      Schema schema = new Schema(
          Types.NestedField.required(1, "lake_table", Types.StringType.get()),
          Types.NestedField.required(2, "outcome", Types.StringType.get()),
          Types.NestedField.required(3, "checked_at", Types.TimestampType.withZone()));
      try {
        return lake.catalog().buildTable(TABLE, schema)
            .withPartitionSpec(PartitionSpec.unpartitioned())
            .withProperty("format-version", "2")
            .withProperty(LakeProperties.METADATA_DELETE_AFTER_COMMIT, "true")
            .withProperty(LakeProperties.METADATA_PREVIOUS_VERSIONS_MAX,
                Integer.toString(LakeProperties.METADATA_PREVIOUS_VERSIONS))
            .create();
      } catch (AlreadyExistsException raced) {
        return lake.catalog().loadTable(TABLE);
      }
    }
  }
}
