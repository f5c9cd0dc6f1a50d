package io.tributary.sources.feed;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.api.Position;
import io.tributary.core.config.FilesSourceConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files dropped into a directory ({@code type: files}): CSV with a header, JSON lines or Parquet, each
 * file read once.
 *
 * <p>Each listing that finds new files makes a plan: the new files in name order, with the files
 * already read (name, size, modification time). The plan is recorded in the lake before any of its
 * records is delivered, so a restart reads the same files in the same order. A file is new when no
 * file of that name, size and modification time was read before; one that changes after it was read
 * is read again whole. Read files are moved to {@code archive} once the lake holds their records, or
 * stay in place.
 */
public final class FilesSource extends FeedSource {
  private static final Logger log = LoggerFactory.getLogger(FilesSource.class);

  private final FilesSourceConfig config;
  private final PathMatcher matcher;
  private final Clock clock;
  private final Map<String, Observation> observed = new HashMap<>();

  /** A file as read: name, size and modification time in milliseconds. */
  record Entry(String name, long size, long modified) {}

  private record Observation(long size, long modified, Instant since) {}

  public FilesSource(FilesSourceConfig config, FeedTable table) {
    this(config, table, Clock.systemUTC());
  }

  FilesSource(FilesSourceConfig config, FeedTable table, Clock clock) {
    super(config.name(), table);
    this.config = requireNonNull(config, "config is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.matcher = FileSystems.getDefault().getPathMatcher("glob:" + config.glob());
  }

  @Override
  protected void run(Optional<Position> resumeAfter) throws Exception {
    if (!Files.isDirectory(config.path())) {
      throw new IllegalStateException("Cannot read source " + name() + ": directory " + config.path()
          + " does not exist (create it, or fix sources." + name() + ".path)");
    }
    List<Entry> done = new ArrayList<>();
    List<Entry> plan = null;
    String token = null;
    long sequence = 0;
    long resumeAt = 0;
    if (resumeAfter.isPresent()) {
      JsonNode state = FeedPositions.read(resumeAfter.get());
      table().restore(FeedPositions.types(state.get("columns")));
      done = entries(state.get("done"));
      plan = entries(state.get("plan"));
      sequence = state.get("seq0").asLong();
      resumeAt = FeedPositions.sequence(resumeAfter.get());
      token = resumeAfter.get().resumeToken();
      log.info("Source {} resumes inside a batch of {} files after record {}", name(), plan.size(), resumeAt - sequence);
    }
    while (!stopping()) {
      if (plan != null) {
        sequence = read(plan, sequence, resumeAt, token);
        done.addAll(plan);
        if (config.archive().isPresent()) {
          awaitAcknowledged(sequence);
          archive(plan);
        }
        plan = null;
      }
      Map<String, Entry> present = list();
      List<Entry> kept = new ArrayList<>();
      for (Entry entry : done) {
        if (entry.equals(present.get(entry.name()))) {
          kept.add(entry);
        }
      }
      done = kept;
      List<Entry> ready = ready(present, done);
      if (ready.isEmpty()) {
        pause(config.pollInterval());
        continue;
      }
      sequence++;
      ObjectNode state = FeedPositions.object();
      state.put("seq0", sequence);
      state.set("columns", FeedPositions.types(table().types()));
      state.set("done", json(done));
      state.set("plan", json(ready));
      token = FeedPositions.write(state);
      log.info("Source {} found {} new files: {}", name(), ready.size(), ready.stream().map(Entry::name).toList());
      awaitRecorded(FeedPositions.position(sequence, token));
      plan = ready;
      resumeAt = sequence;
    }
  }

  /** Reads the files of a plan; records numbered at or below {@code resumeAt} are in the lake already. */
  private long read(List<Entry> plan, long first, long resumeAt, String token) throws Exception {
    long sequence = first;
    for (Entry entry : plan) {
      Path file = locate(entry);
      Instant time = Instant.ofEpochMilli(entry.modified());
      long records = 0;
      try (FileRecords reader = open(file)) {
        FileRecords.Item item;
        while ((item = reader.next()) != null) {
          if (stopping()) {
            throw new InterruptedException("closing");
          }
          sequence++;
          Position position = FeedPositions.position(sequence, token);
          boolean held = sequence <= resumeAt;
          if (item.error() != null) {
            if (!held) {
              reject(new FeedTable.Rejected(item.error()), position, location(entry, item), item.raw());
            }
            continue;
          }
          FeedTable.Result result = table().record(item.values(), position, time);
          if (held) {
            continue;
          }
          if (result instanceof FeedTable.Accepted accepted) {
            deliver(accepted.event());
            records++;
          } else {
            reject((FeedTable.Rejected) result, position, location(entry, item), item.raw());
          }
        }
      }
      log.debug("Source {} read {} records from {}", name(), records, entry.name());
    }
    progress(FeedPositions.position(sequence, token));
    return sequence;
  }

  private String location(Entry entry, FileRecords.Item item) {
    return "file " + config.path().resolve(entry.name()) + " line " + item.line();
  }

  private FileRecords open(Path file) throws IOException {
    return switch (config.format()) {
      case CSV -> new CsvRecords(reader(file), config.csvDelimiter(), config.csvQuote());
      case JSONL -> new JsonLines(reader(file));
      case PARQUET -> ParquetRecords.open(file);
    };
  }

  private static BufferedReader reader(Path file) throws IOException {
    return Files.newBufferedReader(file, StandardCharsets.UTF_8);
  }

  /** A planned file in the directory, or in the archive if it was moved there before a restart. */
  private Path locate(Entry entry) throws IOException {
    Path file = config.path().resolve(entry.name());
    if (Files.isRegularFile(file)) {
      return file;
    }
    if (config.archive().isPresent()) {
      Path archived = config.archive().get().resolve(entry.name());
      if (Files.isRegularFile(archived)) {
        return archived;
      }
    }
    throw new NoSuchFileException(file.toString(), null, "Cannot read file " + entry.name() + " of source " + name()
        + ": it was found before a restart and is gone now; its records may be missing from the lake "
        + "(put the file back to read it, or delete it from the directory's plan by restarting with a new lake)");
  }

  private void archive(List<Entry> plan) throws IOException {
    Path archive = config.archive().orElseThrow();
    Files.createDirectories(archive);
    for (Entry entry : plan) {
      Path file = config.path().resolve(entry.name());
      if (!Files.isRegularFile(file)) {
        continue;
      }
      Path target = archive.resolve(entry.name());
      if (Files.exists(target)) {
        target = archive.resolve(entry.name() + "." + entry.modified());
      }
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      log.debug("Source {} archived {} to {}", name(), entry.name(), target);
    }
  }

  /** The files of the directory the glob takes, by name. */
  private Map<String, Entry> list() throws IOException {
    Map<String, Entry> present = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(config.path())) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        String name = file.getFileName().toString();
        if (name.startsWith(".") || name.startsWith("_") || !matcher.matches(file.getFileName())) {
          continue;
        }
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue;
        }
        if (attributes.isRegularFile()) {
          present.put(name, new Entry(name, attributes.size(), attributes.lastModifiedTime().toMillis()));
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return present;
  }

  private List<Entry> ready(Map<String, Entry> present, List<Entry> done) {
    Instant now = clock.instant();
    List<Entry> ready = new ArrayList<>();
    observed.keySet().retainAll(present.keySet());
    for (Entry entry : present.values()) {
      if (done.contains(entry)) {
        continue;
      }
      if (config.settleTime().isPresent()) {
        Observation seen = observed.get(entry.name());
        if (seen == null || seen.size() != entry.size() || seen.modified() != entry.modified()) {
          observed.put(entry.name(), new Observation(entry.size(), entry.modified(), now));
          continue;
        }
        if (seen.since().plus(config.settleTime().get()).isAfter(now)) {
          continue;
        }
      }
      ready.add(entry);
    }
    return ready;
  }

  private static ArrayNode json(List<Entry> entries) {
    ArrayNode array = JsonRecords.MAPPER.createArrayNode();
    for (Entry entry : entries) {
      array.addArray().add(entry.name()).add(entry.size()).add(entry.modified());
    }
    return array;
  }

  private static List<Entry> entries(JsonNode array) {
    List<Entry> entries = new ArrayList<>();
    if (array != null) {
      for (JsonNode entry : array) {
        entries.add(new Entry(entry.get(0).asText(), entry.get(1).asLong(), entry.get(2).asLong()));
      }
    }
    return entries;
  }

  /** JSON lines: one object per non-blank line. */
  private static final class JsonLines implements FileRecords {
    private final BufferedReader reader;
    private int line;

    JsonLines(BufferedReader reader) {
      this.reader = reader;
    }

    @Override
    public Item next() throws IOException {
      String text;
      while ((text = reader.readLine()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        try {
          return new Item(line, text, JsonRecords.parseObject(text), null);
        } catch (IllegalArgumentException e) {
          return new Item(line, text, null, e.getMessage());
        }
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /** CSV with a header line naming the columns. */
  private static final class CsvRecords implements FileRecords {
    private final BufferedReader reader;
    private final CsvParser parser;
    private List<String> header;
    private boolean broken;

    CsvRecords(BufferedReader reader, char delimiter, char quote) {
      this.reader = reader;
      this.parser = new CsvParser(reader, delimiter, quote);
    }

    @Override
    public Item next() throws IOException {
      if (broken) {
        return null;
      }
      try {
        if (header == null) {
          CsvParser.Row first = parser.next();
          if (first == null) {
            return null;
          }
          header = new ArrayList<>();
          for (String name : first.fields()) {
            header.add(name == null ? "" : name.strip());
          }
        }
        CsvParser.Row row;
        do {
          row = parser.next();
        } while (row != null && row.text().isBlank());
        if (row == null) {
          return null;
        }
        if (row.fields().size() != header.size()) {
          return new Item(row.line(), row.text(), null, "the row has " + row.fields().size() + " fields and the header "
              + header.size());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
          values.put(header.get(i), row.fields().get(i));
        }
        return new Item(row.line(), row.text(), values, null);
      } catch (CsvParser.CsvException e) {
        // the quoting is lost: the rest of the file cannot be split into rows reliably
        broken = true;
        return new Item(e.line, "", null, e.getMessage() + " (the rest of the file is not read)");
      }
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }
}
