package io.tributary.sources.feed;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.api.Position;
import io.tributary.core.config.HttpSourceConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP API answering JSON, polled every {@code interval} ({@code type: http}).
 *
 * <p>Each poll walks the pages of one answer and makes the records it found a plan: the records are
 * kept in the source's work directory ({@code poll-<n>.json}) and the plan — with the incremental
 * cursor the poll was sent with — is recorded in the lake before any record is delivered. A restart
 * inside a plan delivers the kept records again with the same sequence numbers (an API need not
 * answer the same twice), so the lake skips those it holds. After a plan, the cursor is the value of
 * {@code incremental-field} in its last record; it travels in the next plan's position.
 */
public final class HttpSource extends FeedSource {
  private static final Logger log = LoggerFactory.getLogger(HttpSource.class);
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]*)>\\s*;[^,]*rel\\s*=\\s*\"?next\"?");

  private final HttpSourceConfig config;
  private final Path work;
  private final HttpClient client;
  private long lastRequest;

  /** A request that kept failing with a retriable error until the retries ran out. */
  private static final class RetriesExhausted extends Exception {
    RetriesExhausted(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public HttpSource(HttpSourceConfig config, FeedTable table, Path work) {
    super(config.name(), table);
    this.config = requireNonNull(config, "config is null");
    this.work = requireNonNull(work, "work is null");
    this.client = HttpClient.newBuilder().connectTimeout(config.timeout()).followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  @Override
  protected void run(Optional<Position> resumeAfter) throws Exception {
    Files.createDirectories(work);
    Optional<String> cursor = config.incrementalStart();
    long sequence = 0;
    if (resumeAfter.isPresent()) {
      JsonNode state = FeedPositions.read(resumeAfter.get());
      table().restore(FeedPositions.types(state.get("columns")));
      cursor = state.hasNonNull("cursor") ? Optional.of(state.get("cursor").asText()) : Optional.empty();
      sequence = state.get("seq0").asLong();
      long resumeAt = FeedPositions.sequence(resumeAfter.get());
      Path kept = spool(sequence);
      List<JsonNode> records;
      if (Files.exists(kept)) {
        records = read(kept);
      } else {
        log.warn("Source {}: the records of the poll being committed before the restart are gone from {}; polling "
            + "again with the same cursor (the answer may differ)", name(), work);
        records = fetch(cursor);
      }
      log.info("Source {} resumes a poll of {} records after record {}", name(), records.size(), resumeAt - sequence);
      sequence = deliver(records, sequence, resumeAt, resumeAfter.get().resumeToken());
      cursor = next(records, cursor);
    }
    Instant nextPoll = Instant.now();
    while (!stopping()) {
      Duration wait = Duration.between(Instant.now(), nextPoll);
      if (!wait.isNegative() && !wait.isZero()) {
        pause(wait);
      }
      nextPoll = Instant.now().plus(config.interval());
      List<JsonNode> records;
      try {
        records = fetch(cursor);
      } catch (RetriesExhausted e) {
        log.warn("Source {}: {}; trying again at the next poll in {}", name(), e.getMessage(), config.interval());
        continue;
      }
      if (records.isEmpty()) {
        log.debug("Source {}: no new records", name());
        continue;
      }
      sequence++;
      write(spool(sequence), records);
      ObjectNode state = FeedPositions.object();
      state.put("seq0", sequence);
      state.set("columns", FeedPositions.types(table().types()));
      if (cursor.isPresent()) {
        state.put("cursor", cursor.get());
      } else {
        state.putNull("cursor");
      }
      String token = FeedPositions.write(state);
      long plan = sequence;
      awaitRecorded(FeedPositions.position(sequence, token));
      forget(plan);
      log.info("Source {} polled {} records", name(), records.size());
      sequence = deliver(records, sequence, sequence, token);
      cursor = next(records, cursor);
    }
  }

  private long deliver(List<JsonNode> records, long first, long resumeAt, String token) throws InterruptedException {
    long sequence = first;
    Instant time = Instant.now();
    for (int i = 0; i < records.size(); i++) {
      JsonNode record = records.get(i);
      sequence++;
      Position position = FeedPositions.position(sequence, token);
      FeedTable.Result result = record.isObject()
          ? table().record(JsonRecords.fields(record), position, time)
          : new FeedTable.Rejected("expected a JSON object, found " + JsonRecords.kind(record));
      if (sequence <= resumeAt) {
        continue;
      }
      if (result instanceof FeedTable.Accepted accepted) {
        deliver(accepted.event());
      } else {
        reject((FeedTable.Rejected) result, position, "GET " + withoutQuery(config.url()) + " record " + (i + 1)
            + " of poll " + first, record.toString());
      }
    }
    progress(FeedPositions.position(sequence, token));
    return sequence;
  }

  /** The cursor after {@code records}: the incremental field of the last record that has it. */
  private Optional<String> next(List<JsonNode> records, Optional<String> cursor) {
    if (config.incrementalField().isEmpty()) {
      return cursor;
    }
    for (int i = records.size() - 1; i >= 0; i--) {
      JsonNode value = records.get(i).get(config.incrementalField().get());
      if (value != null && !value.isNull()) {
        return Optional.of(value.asText());
      }
    }
    return cursor;
  }

  // ---- one poll: every page of the answer

  private List<JsonNode> fetch(Optional<String> cursor) throws InterruptedException, RetriesExhausted {
    List<JsonNode> records = new ArrayList<>();
    int page = config.firstPage();
    long offset = 0;
    String pageCursor = null;
    URI next = null;
    for (int n = 0; n < config.maxPages(); n++) {
      URI uri;
      if (config.pagination() == HttpSourceConfig.Pagination.LINK && next != null) {
        uri = next;
      } else {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (config.incrementalParam().isPresent() && cursor.isPresent()) {
          parameters.put(config.incrementalParam().get(), cursor.get());
        }
        if (config.pageSizeParam().isPresent() && config.pageSize().isPresent()) {
          parameters.put(config.pageSizeParam().get(), Integer.toString(config.pageSize().get()));
        }
        switch (config.pagination()) {
          case PAGE -> parameters.put(config.pageParam(), Integer.toString(page));
          case OFFSET -> parameters.put(config.offsetParam(), Long.toString(offset));
          case CURSOR -> {
            if (pageCursor != null) {
              parameters.put(config.cursorParam(), pageCursor);
            }
          }
          default -> { }
        }
        uri = uri(config.url(), parameters);
      }
      HttpResponse<String> response = request(uri, n + 1);
      JsonNode answer;
      try {
        answer = JsonRecords.MAPPER.readTree(response.body());
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read the answer of GET " + withoutQuery(uri.toString()) + " (page "
            + (n + 1) + ") of source " + name() + ": it is not JSON (" + e.getMessage() + ")");
      }
      List<JsonNode> found = records(answer, uri, n + 1);
      records.addAll(found);
      boolean shortPage = config.pageSize().isPresent() && found.size() < config.pageSize().get();
      switch (config.pagination()) {
        case NONE:
          return records;
        case PAGE:
          if (found.isEmpty() || shortPage) {
            return records;
          }
          page++;
          break;
        case OFFSET:
          if (found.isEmpty() || shortPage) {
            return records;
          }
          offset += found.size();
          break;
        case CURSOR:
          JsonNode value = answer.at(pointer(config.cursorPath().orElseThrow()));
          if (value.isMissingNode() || value.isNull() || value.asText().isEmpty() || found.isEmpty()) {
            return records;
          }
          pageCursor = value.asText();
          break;
        case LINK:
          next = response.headers().allValues("Link").stream()
              .map(NEXT_LINK::matcher).filter(Matcher::find).findFirst()
              .map(matcher -> uri.resolve(matcher.group(1))).orElse(null);
          if (next == null || found.isEmpty()) {
            return records;
          }
          break;
        default:
          return records;
      }
    }
    log.warn("Source {}: stopped after max-pages {} pages; the rest comes with the next poll", name(), config.maxPages());
    return records;
  }

  private List<JsonNode> records(JsonNode answer, URI uri, int page) {
    JsonNode found = config.records().map(path -> answer.at(pointer(path))).orElse(answer);
    if (found.isMissingNode() || found.isNull()) {
      if (config.records().isPresent() && answer.isObject() && !answer.has(pointer(config.records().get()).substring(1))
          && page > 1) {
        return List.of();
      }
      throw new IllegalStateException("Cannot find the records of source " + name() + " in the answer of GET "
          + withoutQuery(uri.toString()) + " (page " + page + "): nothing at " + config.records().orElse("the top")
          + " (fix sources." + name() + ".records: a JSON pointer such as /data or a path such as data.items)");
    }
    List<JsonNode> records = new ArrayList<>();
    if (found.isArray()) {
      found.forEach(records::add);
    } else {
      records.add(found);
    }
    return records;
  }

  private HttpResponse<String> request(URI uri, int page) throws InterruptedException, RetriesExhausted {
    Duration backoff = config.retryBackoff();
    String shown = "GET " + withoutQuery(uri.toString()) + " (page " + page + ")";
    for (int attempt = 0; ; attempt++) {
      limitRate();
      HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(config.timeout()).GET()
          .header("Accept", "application/json");
      config.headers().forEach((name, value) -> builder.header(name, value.reveal()));
      String problem;
      Throwable cause = null;
      try {
        HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return response;
        }
        if (status != 429 && status < 500) {
          throw new IllegalStateException("Cannot poll source " + name() + ": " + shown + " answered " + status
              + " (check sources." + name() + ".url and its headers; 401 and 403 mean the credentials are refused)");
        }
        problem = "answered " + status;
      } catch (IOException e) {
        problem = e instanceof java.net.http.HttpTimeoutException ? "timed out after " + config.timeout().toMillis()
            + " ms" : "failed: " + e;
        cause = e;
      }
      if (attempt >= config.retries()) {
        throw new RetriesExhausted(shown + " " + problem + " " + (attempt + 1) + " times", cause);
      }
      log.warn("Source {}: {} {}; retry {} of {} in {} ms", name(), shown, problem, attempt + 1, config.retries(),
          backoff.toMillis());
      pause(backoff);
      backoff = backoff.multipliedBy(2);
    }
  }

  private void limitRate() throws InterruptedException {
    if (config.rateLimit().isEmpty()) {
      return;
    }
    long gap = 1_000_000_000L / config.rateLimit().get();
    long wait = lastRequest + gap - System.nanoTime();
    if (wait > 0) {
      pause(Duration.ofNanos(wait));
    }
    lastRequest = System.nanoTime();
  }

  static URI uri(String base, Map<String, String> parameters) {
    StringBuilder uri = new StringBuilder(base);
    boolean first = !base.contains("?");
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      uri.append(first ? '?' : '&').append(URLEncoder.encode(parameter.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
      first = false;
    }
    return URI.create(uri.toString());
  }

  /** A JSON pointer as given, or a dotted path ({@code data.items}) as one. */
  static String pointer(String path) {
    if (path.isEmpty() || path.startsWith("/")) {
      return path;
    }
    return "/" + path.replace("~", "~0").replace("/", "~1").replace('.', '/');
  }

  private static String withoutQuery(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  // ---- kept polls

  private Path spool(long plan) {
    return work.resolve("poll-" + plan + ".json");
  }

  private static void write(Path file, List<JsonNode> records) throws IOException {
    ArrayNode array = JsonRecords.MAPPER.createArrayNode();
    records.forEach(array::add);
    Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(temporary, JsonRecords.MAPPER.writeValueAsString(array));
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> records = new ArrayList<>();
    JsonRecords.MAPPER.readTree(Files.readString(file)).forEach(records::add);
    return records;
  }

  /** Deletes the kept polls before {@code plan}: the lake holds them whole. */
  private void forget(long plan) throws IOException {
    try (Stream<Path> files = Files.list(work)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.startsWith("poll-") && name.endsWith(".json")) {
          long number = Long.parseLong(name.substring(5, name.length() - 5));
          if (number < plan) {
            Files.deleteIfExists(file);
          }
        }
      }
    }
  }
}
