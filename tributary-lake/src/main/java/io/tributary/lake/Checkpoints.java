package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Position;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
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
 * Source checkpoints, kept as properties of the table {@code _tributary.checkpoints}
 * ({@code tributary.checkpoint.<source>.sort-key} and so on): one metadata commit updates all fields
 * of a checkpoint atomically, without writing data files.
 */
public final class Checkpoints {
  public static final TableIdentifier TABLE = TableIdentifier.of(Lake.SYSTEM, "checkpoints");

  private static final String SORT_KEY = "sort-key";
  private static final String RESUME_TOKEN = "resume-token";
  private static final String IN_SNAPSHOT = "in-snapshot";
  private static final String COMMITTED_AT = "committed-at";

  private final Lake lake;
  private Table table;

  public Checkpoints(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /** The last checkpoint of {@code source}, as committed now. */
  public synchronized Optional<Checkpoint> read(String source) {
    requireNonNull(source, "source is null");
    return loadFresh().flatMap(loaded -> parse(source, loaded.properties()));
  }

  /** The last checkpoint of every source that has one, by source name. */
  public synchronized Map<String, Checkpoint> all() {
    Map<String, Checkpoint> result = new TreeMap<>();
    loadFresh().ifPresent(loaded -> {
      Map<String, String> properties = loaded.properties();
      String suffix = "." + SORT_KEY;
      for (String key : properties.keySet()) {
        if (key.startsWith(LakeProperties.CHECKPOINT_PREFIX) && key.endsWith(suffix)) {
          String source = key.substring(LakeProperties.CHECKPOINT_PREFIX.length(), key.length() - suffix.length());
          parse(source, properties).ifPresent(checkpoint -> result.put(source, checkpoint));
        }
      }
    });
    return result;
  }

  /** Records {@code checkpoint} for {@code source} in one commit. */
  synchronized void write(String source, Checkpoint checkpoint) {
    requireNonNull(source, "source is null");
    requireNonNull(checkpoint, "checkpoint is null");
    Table loaded = loadOrCreate();
    Position position = checkpoint.position();
    UpdateProperties update = loaded.updateProperties();
    update.set(key(source, SORT_KEY), position.sortKey());
    update.set(key(source, RESUME_TOKEN), position.resumeToken());
    update.set(key(source, IN_SNAPSHOT), Boolean.toString(position.inSnapshot()));
    update.set(key(source, COMMITTED_AT), checkpoint.committedAt().toString());
    update.commit();
  }

  /**
   * Forgets {@code source}'s checkpoint, so that its next start wipes its tables and reads a new
   * initial snapshot (after its replication slot was dropped, say).
   */
  public synchronized void remove(String source) {
    requireNonNull(source, "source is null");
    Optional<Table> loaded = loadFresh();
    if (loaded.isEmpty() || !loaded.get().properties().containsKey(key(source, SORT_KEY))) {
      return;
    }
    loaded.get().updateProperties()
        .remove(key(source, SORT_KEY))
        .remove(key(source, RESUME_TOKEN))
        .remove(key(source, IN_SNAPSHOT))
        .remove(key(source, COMMITTED_AT))
        .commit();
  }

  private Optional<Checkpoint> parse(String source, Map<String, String> properties) {
    String sortKey = properties.get(key(source, SORT_KEY));
    if (sortKey == null) {
      return Optional.empty();
    }
    String resumeToken = properties.getOrDefault(key(source, RESUME_TOKEN), "");
    boolean inSnapshot = Boolean.parseBoolean(properties.get(key(source, IN_SNAPSHOT)));
    String committedAt = properties.get(key(source, COMMITTED_AT));
    Instant time;
    try {
      time = committedAt == null ? Instant.EPOCH : Instant.parse(committedAt);
    } catch (DateTimeParseException e) {
      throw new IllegalStateException("Invalid checkpoint of source " + source + " in " + TABLE + ": "
          + key(source, COMMITTED_AT) + " is " + committedAt + " (expected an ISO instant)", e);
    }
    return Optional.of(new Checkpoint(new Position(sortKey, resumeToken, inSnapshot), time));
  }

  private Optional<Table> loadFresh() {
    if (table != null) {
      table.refresh();
      return Optional.of(table);
    }
    try {
      table = lake.catalog().loadTable(TABLE);
      return Optional.of(table);
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  private Table loadOrCreate() {
    Optional<Table> loaded = loadFresh();
    if (loaded.isPresent()) {
      return loaded.get();
    }
    lake.ensureNamespace(Lake.SYSTEM);
    // Rows are not used today; the schema documents what the properties hold.
    Schema schema = new Schema(
        Types.NestedField.required(1, "source", Types.StringType.get()),
        Types.NestedField.required(2, "sort_key", Types.StringType.get()),
        Types.NestedField.required(3, "resume_token", Types.StringType.get()),
        Types.NestedField.required(4, "in_snapshot", Types.BooleanType.get()),
        Types.NestedField.required(5, "committed_at", Types.TimestampType.withZone()));
    try {
      table = lake.catalog().buildTable(TABLE, schema)
          .withPartitionSpec(PartitionSpec.unpartitioned())
          .withProperty("format-version", "2")
          .withProperty(LakeProperties.METADATA_DELETE_AFTER_COMMIT, "true")
          .withProperty(LakeProperties.METADATA_PREVIOUS_VERSIONS_MAX,
              Integer.toString(LakeProperties.METADATA_PREVIOUS_VERSIONS))
          .create();
    } catch (AlreadyExistsException e) {
      table = lake.catalog().loadTable(TABLE);
    }
    return table;
  }

  private static String key(String source, String field) {
    return LakeProperties.CHECKPOINT_PREFIX + source + "." + field;
  }
}
