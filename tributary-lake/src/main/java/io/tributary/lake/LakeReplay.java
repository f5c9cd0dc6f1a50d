package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.core.config.TableConfig;
import io.tributary.core.shape.Shaping;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds bronze, silver and history of lake tables from raw ({@code tributary replay}).
 *
 * <p>Raw holds every change each batch delivered, one file per batch and table named by the batch's
 * ingestion time; redelivered changes appear again in later files. A replay empties the chosen
 * tables, then reads their files in ingestion order, drops every change at or below the highest
 * position already read (a redelivery), and writes the rest through {@link
 * IcebergLakeWriter#replay}: the live writer's own preparation, shaping and layer commits. A
 * snapshot read again (after an interrupted snapshot or a drop-and-resnapshot) shows as a file of
 * the source that starts with a snapshot position ({@code 0:}) at or below what the source had
 * delivered: the live writer emptied the source's tables there, so a replay starts from the last
 * such batch.
 *
 * <p>Raw holds no column types: they come from each table's bronze schema, and the key from silver
 * (or the table's configured {@code key}). {@code errors.<table>} is kept as it is: it also holds
 * records that never reached raw (a feed's unreadable records).
 */
public final class LakeReplay {
  /** Changes written per table and writer call; bounds memory and keeps commits few. */
  static final int BATCH = 20_000;
  private static final Logger LOG = LoggerFactory.getLogger(LakeReplay.class);
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final Set<String> BRONZE_COLUMNS = Set.of(IcebergLakeWriter.OP, IcebergLakeWriter.POSITION,
      IcebergLakeWriter.COMMIT_TS, IcebergLakeWriter.TXID, IcebergLakeWriter.INGESTED_AT);

  /** Told of progress after each writer call. */
  @FunctionalInterface
  public interface Progress {
    void advanced(long linesRead, long linesTotal);
  }

  /** Called before each writer call with the number of calls made so far; lets tests cut a replay short. */
  @FunctionalInterface
  interface BeforeBatch {
    void before(int batches);
  }

  /** A raw file of one table: its batch's ingestion time and the positions it starts and ends with. */
  record RawFile(Path path, String source, String table, Instant ingestedAt, String first, String last, long lines) {}

  /** What a replay will read: per lake table, its raw files in order. */
  public record Plan(Map<String, List<RawFile>> files, Map<String, Instant> restartedAt) {
    public Plan {
      files = java.util.Collections.unmodifiableMap(new TreeMap<>(files));
      restartedAt = Map.copyOf(restartedAt);
    }

    /** The raw lines the replay reads, duplicates included. */
    public long lines() {
      return files.values().stream().flatMap(List::stream).mapToLong(RawFile::lines).sum();
    }

    public List<String> tables() {
      return List.copyOf(files.keySet());
    }
  }

  /** What the replay did to one table. */
  public record Result(String table, long files, long changes, long duplicates) {}

  private final Lake lake;
  private final Shaping shaping;
  private final BeforeBatch beforeBatch;

  public LakeReplay(Lake lake, Shaping shaping) {
    this(lake, shaping, batches -> {});
  }

  LakeReplay(Lake lake, Shaping shaping, BeforeBatch beforeBatch) {
    this.lake = requireNonNull(lake, "lake is null");
    this.shaping = requireNonNull(shaping, "shaping is null");
    this.beforeBatch = requireNonNull(beforeBatch, "beforeBatch is null");
  }

  /**
   * The raw files to read for {@code tables} (lake table names such as {@code orders}; every table
   * with raw files when empty).
   */
  public Plan plan(List<String> tables) {
    requireNonNull(tables, "tables is null");
    Path root = lake.rawDirectory();
    Map<String, List<RawFile>> bySource = new TreeMap<>();
    if (Files.isDirectory(root)) {
      for (Path source : list(root)) {
        if (!Files.isDirectory(source)) {
          continue;
        }
        List<RawFile> files = new ArrayList<>();
        for (Path table : list(source)) {
          for (Path day : list(table)) {
            for (Path file : list(day)) {
              if (file.getFileName().toString().endsWith(".jsonl")) {
                files.add(scan(file, source.getFileName().toString(), table.getFileName().toString()));
              }
            }
          }
        }
        bySource.put(source.getFileName().toString(), files);
      }
    }
    Map<String, List<RawFile>> byTable = new TreeMap<>();
    Map<String, Instant> restartedAt = new HashMap<>();
    for (Map.Entry<String, List<RawFile>> entry : bySource.entrySet()) {
      List<RawFile> files = new ArrayList<>(entry.getValue());
      files.removeIf(file -> file.lines() == 0);
      files.sort(Comparator.comparing(RawFile::ingestedAt).thenComparing(RawFile::first)
          .thenComparing(file -> file.path().getFileName().toString()));
      // Positions order a source's changes across its tables: a snapshot position at or below what
      // came before is a snapshot read again, and the live writer emptied the source's tables there.
      // Files of one batch share its ingestion time and may interleave (a snapshot read in parallel):
      // only earlier batches count.
      Instant start = Instant.MIN;
      String highest = null;
      String batchHighest = null;
      Instant batch = null;
      for (RawFile file : files) {
        if (!file.ingestedAt().equals(batch)) {
          highest = max(highest, batchHighest);
          batchHighest = null;
          batch = file.ingestedAt();
        }
        if (file.first().startsWith("0:") && highest != null && file.first().compareTo(highest) <= 0
            && file.ingestedAt().isAfter(start)) {
          start = file.ingestedAt();
          highest = null;
        }
        batchHighest = max(batchHighest, file.last());
      }
      Instant from = start;
      for (RawFile file : files) {
        if (!file.ingestedAt().isBefore(from)) {
          if (byTable.containsKey(file.table()) && !byTable.get(file.table()).get(0).source().equals(file.source())) {
            throw new IllegalStateException("Cannot replay table " + file.table() + ": raw holds it for sources "
                + byTable.get(file.table()).get(0).source() + " and " + file.source() + " (lake table names are "
                + "unique across sources; move the raw directory of the one that no longer writes this lake away)");
          }
          byTable.computeIfAbsent(file.table(), table -> new ArrayList<>()).add(file);
        }
      }
      if (!start.equals(Instant.MIN)) {
        restartedAt.put(entry.getKey(), start);
        LOG.info("Raw of source {} holds a snapshot read again at {}: replaying from there", entry.getKey(), start);
      }
    }
    if (!tables.isEmpty()) {
      Map<String, List<RawFile>> chosen = new TreeMap<>();
      for (String table : tables) {
        String name = table.contains(".") ? table.substring(table.indexOf('.') + 1) : table;
        List<RawFile> files = byTable.get(name);
        if (files == null) {
          throw new IllegalArgumentException("Cannot replay table " + table + ": raw holds no changes of it under "
              + root + " (the tables raw holds: " + byTable.keySet() + ")");
        }
        chosen.put(name, files);
      }
      byTable = chosen;
    }
    return new Plan(byTable, restartedAt);
  }

  private static String max(String a, String b) {
    return a == null ? b : b == null || a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * Empties bronze, silver and history of the plan's tables and writes them again from raw. Holds
   * the lake's replay lock throughout: refused while a pipeline writes the lake.
   */
  public List<Result> run(Plan plan, Progress progress) {
    requireNonNull(plan, "plan is null");
    requireNonNull(progress, "progress is null");
    Path warehouse = lake.warehouse();
    try (LakeLock lock = LakeLock.replay(warehouse)) {
      Map<String, TableSchema> schemas = new LinkedHashMap<>();
      for (Map.Entry<String, List<RawFile>> entry : plan.files().entrySet()) {
        TableSchema schema = schema(entry.getValue().get(0).source(), entry.getKey());
        checkShaping(schema);
        schemas.put(entry.getKey(), schema);
      }
      LakeLock.markReplay(warehouse, plan.tables());
      IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping);
      List<Result> results = new ArrayList<>();
      long total = plan.lines();
      long[] read = {0};
      int[] batches = {0};
      try {
        for (Map.Entry<String, List<RawFile>> entry : plan.files().entrySet()) {
          String table = entry.getKey();
          TableSchema schema = schemas.get(table);
          String source = schema.table().source();
          TableConfig config = shaping.table(table);
          List<String> cleared = writer.clear(source, table, schema.hasKey() && config.history().enabled());
          LOG.info("Replaying {} from {} raw files: emptied {}", table, entry.getValue().size(), cleared);
          long changes = 0;
          long duplicates = 0;
          String highest = null;
          List<ChangeEvent> batch = new ArrayList<>();
          Map<String, Instant> ingested = new HashMap<>();
          for (RawFile file : entry.getValue()) {
            List<ChangeEvent> events = read(file, schema);
            for (ChangeEvent event : events) {
              String position = event.position().sortKey();
              if (highest != null && position.compareTo(highest) <= 0) {
                duplicates++;
                continue;
              }
              highest = position;
              batch.add(event);
              ingested.put(position, file.ingestedAt());
            }
            read[0] += file.lines();
            if (batch.size() >= BATCH) {
              changes += write(writer, source, batch, ingested, batches);
              progress.advanced(read[0], total);
            }
          }
          changes += write(writer, source, batch, ingested, batches);
          progress.advanced(read[0], total);
          results.add(new Result(table, entry.getValue().size(), changes, duplicates));
          LOG.info("Replayed {}: {} changes from {} raw files, {} redelivered duplicates left out", table, changes,
              entry.getValue().size(), duplicates);
        }
      } finally {
        writer.close();
      }
      LakeLock.replayFinished(warehouse, plan.tables());
      return results;
    }
  }

  private long write(IcebergLakeWriter writer, String source, List<ChangeEvent> batch, Map<String, Instant> ingested,
      int[] batches) {
    if (batch.isEmpty()) {
      return 0;
    }
    beforeBatch.before(batches[0]);
    writer.replay(source, batch, position -> ingested.get(position.sortKey()));
    batches[0]++;
    long written = batch.size();
    batch.clear();
    ingested.clear();
    return written;
  }

  /** Refuses a shaping other than the one silver was built with: the replay would fail halfway. */
  private void checkShaping(TableSchema schema) {
    String name = schema.table().name();
    TableIdentifier silverId = TableIdentifier.of(Lake.SILVER, name);
    if (!schema.hasKey() || !lake.catalog().tableExists(silverId)) {
      return;
    }
    String built = lake.catalog().loadTable(silverId).properties().getOrDefault(LakeProperties.SHAPE, "");
    String given = shaping.shaper(schema).fingerprint();
    if (!built.equals(given)) {
      throw new IllegalStateException("Cannot replay table " + name + ": " + silverId + " was built with "
          + (built.isEmpty() ? "no shaping" : "shaping " + built) + " but the configuration given has "
          + (given.isEmpty() ? "none" : given) + " (give the pipeline's own configuration with --config)");
    }
  }

  /** The source schema of lake table {@code name}: bronze's columns, silver's (or the configured) key. */
  private TableSchema schema(String source, String name) {
    TableIdentifier bronzeId = TableIdentifier.of(Lake.BRONZE, name);
    if (!lake.catalog().tableExists(bronzeId)) {
      throw new IllegalStateException("Cannot replay table " + name + ": " + bronzeId + " does not exist, and raw "
          + "holds no column types (replay into the lake the raw files came from; its tables may be empty)");
    }
    Table bronze = lake.catalog().loadTable(bronzeId);
    String owner = bronze.properties().get(LakeProperties.SOURCE);
    if (owner != null && !owner.equals(source)) {
      throw new IllegalStateException("Cannot replay table " + name + ": raw holds it under source " + source
          + " but " + bronzeId + " belongs to source " + owner + " (move the raw directory of the other source away)");
    }
    List<String> key = key(name);
    List<Column> columns = new ArrayList<>();
    for (Types.NestedField field : bronze.schema().columns()) {
      if (!BRONZE_COLUMNS.contains(field.name())) {
        columns.add(new Column(field.name(), IcebergTypes.fromIceberg(field.type()), !key.contains(field.name())));
      }
    }
    String qualified = bronze.properties().getOrDefault(LakeProperties.SOURCE_TABLE, name);
    String schemaName = qualified.endsWith("." + name) ? qualified.substring(0, qualified.length() - name.length() - 1)
        : "";
    return new TableSchema(new TableId(source, schemaName, name), columns, key);
  }

  private List<String> key(String name) {
    TableConfig config = shaping.table(name);
    if (config != null && !config.key().isEmpty()) {
      return config.key();
    }
    TableIdentifier silverId = TableIdentifier.of(Lake.SILVER, name);
    if (!lake.catalog().namespaceExists(Namespace.of(Lake.SILVER)) || !lake.catalog().tableExists(silverId)) {
      return List.of();
    }
    Table silver = lake.catalog().loadTable(silverId);
    Map<String, String> renamed = new HashMap<>();
    if (config != null) {
      config.shape().rename().forEach((from, to) -> renamed.put(to, from));
    }
    List<String> key = new ArrayList<>();
    for (String column : silver.schema().identifierFieldNames()) {
      key.add(renamed.getOrDefault(column, column));
    }
    // identifierFieldNames is a set: keep the schema's column order
    List<String> ordered = new ArrayList<>();
    for (Types.NestedField field : silver.schema().columns()) {
      String source = renamed.getOrDefault(field.name(), field.name());
      if (key.contains(source)) {
        ordered.add(source);
      }
    }
    return ordered;
  }

  // ---- reading raw

  private static RawFile scan(Path file, String source, String table) {
    String name = file.getFileName().toString();
    Instant ingestedAt;
    try {
      ingestedAt = Instant.ofEpochMilli(Long.parseLong(name.substring(0, name.indexOf('-'))));
    } catch (RuntimeException e) {
      throw new IllegalStateException("Cannot replay raw file " + file + ": its name does not start with the "
          + "batch's ingestion time in milliseconds (raw files are named <millis>-<uuid>.jsonl; move this one away)", e);
    }
    String first = null;
    String lastLine = null;
    long lines = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (first == null) {
          first = position(file, 1, line);
        }
        lastLine = line;
        lines++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read raw file " + file + ": " + e.getMessage(), e);
    }
    String last = lastLine == null ? "" : position(file, lines, lastLine);
    return new RawFile(file, source, table, ingestedAt, first == null ? "" : first, last, lines);
  }

  private static String position(Path file, long line, String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      expect(parser.nextToken() == JsonToken.START_OBJECT, file, line, "a JSON object");
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if (field.equals("position")) {
          return parser.getText();
        }
        parser.skipChildren();
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot replay raw file " + file + " line " + line + ": " + e.getMessage()
          + " (the file is damaged; move it away to replay without it)", e);
    }
    throw new IllegalStateException("Cannot replay raw file " + file + " line " + line + ": it has no position");
  }

  private static List<ChangeEvent> read(RawFile file, TableSchema schema) {
    List<ChangeEvent> events = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file.path(), StandardCharsets.UTF_8)) {
      String line;
      long number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (!line.isBlank()) {
          events.add(change(file.path(), number, line, schema));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read raw file " + file.path() + ": " + e.getMessage(), e);
    }
    return events;
  }

  private static ChangeEvent change(Path file, long line, String text, TableSchema schema) {
    String op = null;
    String position = null;
    Instant commitTime = null;
    long txid = 0;
    Optional<Map<String, Object>> before = Optional.empty();
    Optional<Map<String, Object>> after = Optional.empty();
    try (JsonParser parser = JSON.createParser(text)) {
      expect(parser.nextToken() == JsonToken.START_OBJECT, file, line, "a JSON object");
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        switch (field) {
          case "op" -> op = parser.getText();
          case "position" -> position = parser.getText();
          case "commit_ts" -> commitTime = Instant.parse(parser.getText());
          case "txid" -> txid = parser.getLongValue();
          case "before" -> before = image(parser, file, line, schema);
          case "after" -> after = image(parser, file, line, schema);
          default -> parser.skipChildren();
        }
      }
      expect(op != null && position != null && commitTime != null, file, line, "op, position and commit_ts");
      return new ChangeEvent(schema, Operation.fromCode(op), before, after, new Position(position, "", false),
          commitTime, txid);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException && e.getMessage() != null && e.getMessage().startsWith("Cannot replay")) {
        throw (IllegalStateException) e;
      }
      throw new IllegalStateException("Cannot replay raw file " + file + " line " + line + " (table "
          + schema.table().name() + "): " + e.getMessage() + " (the file is damaged or bronze's schema does not "
          + "match it; move the file away to replay without it)", e);
    }
  }

  private static Optional<Map<String, Object>> image(JsonParser parser, Path file, long line, TableSchema schema)
      throws IOException {
    if (parser.currentToken() == JsonToken.VALUE_NULL) {
      return Optional.empty();
    }
    expect(parser.currentToken() == JsonToken.START_OBJECT, file, line, "an object or null for an image");
    Map<String, Object> values = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      Column column = schema.column(name).orElseThrow(() -> new IllegalStateException("Cannot replay raw file "
          + file + " line " + line + ": column " + name + " is not in bronze." + schema.table().name()
          + " (raw and bronze come from different lakes?)"));
      values.put(name, value(parser, column.type()));
    }
    return Optional.of(values);
  }

  /** The value in the Java type {@link DataType.Kind} names, from the JSON form {@link RawWriter} gives it. */
  private static Object value(JsonParser parser, DataType type) throws IOException {
    if (parser.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    return switch (type.kind()) {
      case BOOLEAN -> parser.getBooleanValue();
      case INT16, INT32 -> parser.getIntValue();
      case INT64 -> parser.getLongValue();
      case FLOAT32 -> Float.parseFloat(parser.getText());
      case FLOAT64 -> Double.parseDouble(parser.getText());
      case DECIMAL -> new BigDecimal(parser.getText());
      case STRING, JSON -> parser.getText();
      case DATE -> LocalDate.parse(parser.getText());
      case TIME -> LocalTime.parse(parser.getText());
      case TIMESTAMP -> LocalDateTime.parse(parser.getText());
      case TIMESTAMPTZ -> OffsetDateTime.parse(parser.getText());
      case UUID -> UUID.fromString(parser.getText());
      case BINARY -> ByteBuffer.wrap(Base64.getDecoder().decode(parser.getText()));
      case LIST -> {
        List<Object> list = new ArrayList<>();
        DataType element = type.element().orElseThrow();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(parser, element));
        }
        yield list;
      }
    };
  }

  private static void expect(boolean condition, Path file, long line, String what) {
    if (!condition) {
      throw new IllegalStateException("Cannot replay raw file " + file + " line " + line + ": expected " + what
          + " (the file is damaged; move it away to replay without it)");
    }
  }

  private static List<Path> list(Path directory) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + directory + ": " + e.getMessage(), e);
    }
  }
}
