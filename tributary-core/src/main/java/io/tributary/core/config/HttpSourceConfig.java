package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP API answering JSON ({@code type: http}), polled on a schedule.
 *
 * @param name the source's name
 * @param table the lake table
 * @param columns declared column types
 * @param url the URL polled
 * @param interval time from the start of one poll to the start of the next
 * @param records where the records are in an answer: a JSON pointer ({@code /data/items}) or a dotted
 *     path ({@code data.items}); empty means the answer itself (an array, or one object)
 * @param headers request headers, whose values may be secrets
 * @param pagination how the pages of one poll are requested
 * @param pageParam the query parameter carrying the page number ({@code page} pagination)
 * @param firstPage the number of the first page
 * @param pageSizeParam the query parameter carrying the page size, when sent
 * @param pageSize the page size sent in {@code pageSizeParam}
 * @param offsetParam the query parameter carrying the offset ({@code offset} pagination)
 * @param cursorParam the query parameter carrying the cursor ({@code cursor} pagination)
 * @param cursorPath where the next page's cursor is in an answer ({@code cursor} pagination)
 * @param maxPages most pages one poll requests
 * @param incrementalParam the query parameter carrying the last value of {@code incrementalField}
 * @param incrementalField the record field whose value, from the last record seen, is sent next time
 * @param incrementalStart the value sent before any record was seen
 * @param timeout how long one request may take
 * @param retries how many times a request that timed out or got a 5xx or 429 answer is tried again
 * @param retryBackoff the wait before the first retry, doubled for each further one
 * @param rateLimit most requests per second, when limited
 */
public record HttpSourceConfig(
    String name, String table, Map<String, CastType> columns, String url, Duration interval, Optional<String> records,
    Map<String, Secret> headers, Pagination pagination, String pageParam, int firstPage,
    Optional<String> pageSizeParam, Optional<Integer> pageSize, String offsetParam, String cursorParam,
    Optional<String> cursorPath, int maxPages, Optional<String> incrementalParam, Optional<String> incrementalField,
    Optional<String> incrementalStart, Duration timeout, int retries, Duration retryBackoff,
    Optional<Integer> rateLimit)
    implements FeedSourceConfig {
  /** The value of {@code type} that selects this source type. */
  public static final String TYPE = "http";

  /** How the pages of one poll are requested. */
  public enum Pagination {
    /** One request per poll. */
    NONE,
    /** {@code page-param} counts up from {@code first-page} until a page holds no record. */
    PAGE,
    /** {@code offset-param} moves on by the records received until a page holds none. */
    OFFSET,
    /** {@code cursor-param} takes the value at {@code cursor-path} of the previous answer, until it is missing. */
    CURSOR,
    /** The URL of the {@code Link} header's {@code rel="next"}, until there is none. */
    LINK
  }

  public HttpSourceConfig {
    requireNonNull(name, "name is null");
    requireNonNull(table, "table is null");
    columns = Map.copyOf(requireNonNull(columns, "columns is null"));
    requireNonNull(url, "url is null");
    requireNonNull(interval, "interval is null");
    requireNonNull(records, "records is null");
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(headers, "headers is null")));
    requireNonNull(pagination, "pagination is null");
    requireNonNull(pageParam, "pageParam is null");
    requireNonNull(pageSizeParam, "pageSizeParam is null");
    requireNonNull(pageSize, "pageSize is null");
    requireNonNull(offsetParam, "offsetParam is null");
    requireNonNull(cursorParam, "cursorParam is null");
    requireNonNull(cursorPath, "cursorPath is null");
    requireNonNull(incrementalParam, "incrementalParam is null");
    requireNonNull(incrementalField, "incrementalField is null");
    requireNonNull(incrementalStart, "incrementalStart is null");
    requireNonNull(timeout, "timeout is null");
    requireNonNull(retryBackoff, "retryBackoff is null");
    requireNonNull(rateLimit, "rateLimit is null");
    if (pagination == Pagination.CURSOR && cursorPath.isEmpty()) {
      throw new IllegalArgumentException("Invalid pagination for source " + name
          + ": cursor pagination needs cursor-path (where the next cursor is in an answer)");
    }
    if (incrementalParam.isPresent() != incrementalField.isPresent()) {
      throw new IllegalArgumentException("Invalid incremental settings for source " + name
          + ": incremental-param and incremental-field go together (set both, or neither)");
    }
  }

  @Override
  public String type() {
    return TYPE;
  }
}
