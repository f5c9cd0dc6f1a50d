package io.tributary.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Every key of {@code tributary.yaml} with its type, default and meaning, in one place. */
public final class ConfigKeys {
  /** The section that configures the lake. */
  public static final String LAKE = "lake";
  /** The section that holds one entry per source. */
  public static final String SOURCES = "sources";
  /** The section that holds settings per lake table. */
  public static final String TABLES = "tables";
  /** The sub-section of a table that configures its history. */
  public static final String HISTORY = "history";
  /** The section that configures the HTTP server (API, web UI, metrics). */
  public static final String SERVER = "server";

  static final ConfigKey<String> NAME = ConfigKey.derived("name", ValueTypes.pipelineName(),
      "file name without extension",
      "Name of the pipeline: a letter followed by letters, digits or `_`, folded to lower case. "
          + "It forms the default slot and publication names.");

  static final ConfigKey<Path> MODELS = ConfigKey.derived("models", ValueTypes.directory(), "none",
      "Directory of SQL models: each `name.sql` becomes the table `gold.name`, refreshed as the tables it reads "
          + "change (see docs/models.md); a relative path is relative to the configuration file's directory.");

  static final ConfigKey<Path> LAKE_WAREHOUSE = ConfigKey.required("warehouse", ValueTypes.directory(),
      "Directory that holds the lake's tables and catalog; a relative path is relative to the "
          + "configuration file's directory.");
  static final ConfigKey<Duration> LAKE_COMMIT_INTERVAL = ConfigKey.optional("commit-interval",
      ValueTypes.duration(), Duration.ofSeconds(2),
      "Longest time a received change waits before it is committed to the lake; shorter means fresher "
          + "tables and more, smaller files.");
  static final ConfigKey<Integer> LAKE_MAX_BATCH_CHANGES = ConfigKey.optional("max-batch-changes",
      ValueTypes.integer(1, Integer.MAX_VALUE), 50_000,
      "Most changes one commit takes; a larger backlog is committed in several commits.");
  static final ConfigKey<Integer> LAKE_QUEUE_CAPACITY = ConfigKey.optional("queue-capacity",
      ValueTypes.integer(1, Integer.MAX_VALUE), 100_000,
      "Most changes held in memory between the sources and the lake writer; sources wait while it is full.");
  static final ConfigKey<Long> LAKE_MAX_BATCH_BYTES = ConfigKey.optional("max-batch-bytes", ValueTypes.size(),
      io.tributary.core.pipeline.PipelineSettings.DEFAULT_MAX_BATCH_BYTES,
      "Most memory the changes of one commit take on the heap (estimated per change, within a few percent of the "
          + "measured size); a commit closes at this or at `max-batch-changes`, whichever comes first. While it "
          + "writes a commit the lake writer holds up to about four times this again (its copies of the rows for "
          + "each layer): raise it only with the heap.");
  static final ConfigKey<Long> LAKE_QUEUE_BYTES = ConfigKey.optional("queue-bytes", ValueTypes.size(),
      io.tributary.core.pipeline.PipelineSettings.DEFAULT_QUEUE_BYTES,
      "Most memory the changes waiting between the sources and the lake writer take on the heap (estimated as "
          + "for `max-batch-bytes`), besides the commit being written; sources wait while it is full. Twice "
          + "`max-batch-bytes` is enough for the writer never to wait for a full batch.");
  static final ConfigKey<Long> LAKE_HISTORY_MEMORY = ConfigKey.optional("history-memory", ValueTypes.size(),
      io.tributary.core.pipeline.PipelineSettings.DEFAULT_HISTORY_MEMORY,
      "Most memory the lake writer keeps of each history key's last versions between commits (its tails, about "
          + "500 bytes a key of rows of 200 bytes), shared evenly by the sources; a key whose tail is not held is "
          + "read from `history.<table>` when it changes, the slowest part of a commit. Raise it with the heap when "
          + "more keys change than it holds.");

  /** The sub-section of {@link #LAKE} that configures maintenance. */
  public static final String MAINTENANCE = "maintenance";

  static final ConfigKey<Boolean> MAINTENANCE_ENABLED = ConfigKey.optional("enabled", ValueTypes.bool(), true,
      "Whether `run` compacts, expires and cleans the lake's tables in the background; `tributary maintain` "
          + "works either way.");
  static final ConfigKey<Duration> MAINTENANCE_INTERVAL = ConfigKey.optional("interval", ValueTypes.duration(),
      Duration.ofMinutes(5), "Pause between two maintenance rounds of `run`; the first starts one interval after "
          + "the start.");
  static final ConfigKey<Integer> MAINTENANCE_MIN_INPUT_FILES = ConfigKey.optional("min-input-files",
      ValueTypes.integer(2, Integer.MAX_VALUE), 5,
      "Fewest files of one partition, small data files and delete files together, that compaction rewrites "
          + "into larger ones.");
  static final ConfigKey<Long> MAINTENANCE_TARGET_FILE_SIZE = ConfigKey.optional("target-file-size",
      ValueTypes.size(), 128L * 1024 * 1024,
      "Size of the files compaction writes; data files under three quarters of it count as small.");
  static final ConfigKey<Duration> MAINTENANCE_SNAPSHOT_RETENTION = ConfigKey.optional("snapshot-retention",
      ValueTypes.duration(), Duration.ofHours(1),
      "How long a snapshot stays readable (`query --as-of`) before it is expired and the files only it "
          + "references are deleted; every commit adds one, so a long window means larger table metadata.");
  static final ConfigKey<Integer> MAINTENANCE_MIN_SNAPSHOTS = ConfigKey.optional("min-snapshots",
      ValueTypes.integer(1, Integer.MAX_VALUE), 10,
      "Fewest snapshots each table keeps, however old; the last one that records a source position is always kept.");
  static final ConfigKey<Duration> MAINTENANCE_ORPHAN_AGE = ConfigKey.optional("orphan-age", ValueTypes.duration(),
      Duration.ofDays(1), "Files in a table's directory that no snapshot references are removed once they are "
          + "this old (at least 1h: younger ones may belong to a commit being written).");

  static final ConfigKey<String> SOURCE_TYPE = ConfigKey.required("type", ValueTypes.text(),
      "Kind of source; selects which other keys apply: `postgres`, `mariadb`, `mysql`, `kafka`, `files`, `http` or `generator`.");

  static final ConfigKey<String> POSTGRES_HOST = ConfigKey.optional("host", ValueTypes.text(), "127.0.0.1",
      "Host name or address of the PostgreSQL server.");
  static final ConfigKey<Integer> POSTGRES_PORT = ConfigKey.optional("port", ValueTypes.integer(1, 65535), 5432,
      "Port of the PostgreSQL server.");
  static final ConfigKey<String> POSTGRES_DATABASE = ConfigKey.required("database", ValueTypes.text(),
      "Database to capture.");
  static final ConfigKey<String> POSTGRES_USER = ConfigKey.required("user", ValueTypes.text(),
      "User to connect as; see the privileges it needs below.");
  static final ConfigKey<Secret> POSTGRES_PASSWORD = ConfigKey.derived("password", ValueTypes.secret(), "none",
      "Password of the user. Write `${env:NAME}` or `${file:/path}` rather than the password itself.");
  static final ConfigKey<List<TableRef>> POSTGRES_TABLES = ConfigKey.required("tables", ValueTypes.tables(),
      "Tables to capture, each `schema.table`; a bare `table` means `public.table`. At least one.");
  static final ConfigKey<String> POSTGRES_TABLE_PREFIX = ConfigKey.optional("table-prefix", ValueTypes.prefix(),
      "", "Put before each table name to form its lake table name: with `crm_`, `public.accounts` "
          + "lands in `bronze.crm_accounts`.");
  static final ConfigKey<String> POSTGRES_SLOT = ConfigKey.derived("slot", ValueTypes.slotName(),
      "`<pipeline>_<source>`",
      "Logical replication slot the source reads from; created if missing. Its position survives restarts.");
  static final ConfigKey<String> POSTGRES_PUBLICATION = ConfigKey.derived("publication",
      ValueTypes.publicationName(), "`<pipeline>_<source>`",
      "Publication that lists the captured tables; created for them if it does not exist.");
  static final ConfigKey<Duration> POSTGRES_HEARTBEAT_INTERVAL = ConfigKey.optional("heartbeat-interval",
      ValueTypes.duration(), Duration.ofSeconds(10),
      "How often the source reports progress while the captured tables are quiet, so the slot can "
          + "release WAL written by other tables.");
  static final ConfigKey<CaptureMode> POSTGRES_CAPTURE = ConfigKey.optional("capture",
      ValueTypes.choice(CaptureMode.class), PostgresSourceConfig.DEFAULT_CAPTURE,
      "How changes are streamed: `pgoutput` decodes the replication stream in Tributary (several times faster), "
          + "`debezium` streams through the Debezium engine. Either continues a lake the other wrote.");
  static final ConfigKey<SnapshotMode> POSTGRES_SNAPSHOT = ConfigKey.optional("snapshot",
      ValueTypes.choice(SnapshotMode.class), SnapshotMode.INITIAL,
      "`initial` copies the tables' existing rows before streaming changes; `never` streams only new changes.");
  static final ConfigKey<PostgresSnapshotConfig.Reader> POSTGRES_SNAPSHOT_READER = ConfigKey.optional("snapshot-reader",
      ValueTypes.choice(PostgresSnapshotConfig.Reader.class), PostgresSnapshotConfig.Reader.CHUNKED,
      "Who reads the initial snapshot: `chunked` copies ranges of pages of each table on `snapshot-threads` "
          + "connections at once, at the replication slot's exported snapshot; `debezium` lets Debezium read the "
          + "tables one after another on one connection.");
  static final ConfigKey<Integer> POSTGRES_SNAPSHOT_THREADS = ConfigKey.optional("snapshot-threads",
      ValueTypes.integer(1, 64), PostgresSnapshotConfig.DEFAULT_THREADS,
      "Connections the chunked snapshot reads with at once; each is one more backend busy on the server.");
  static final ConfigKey<Integer> POSTGRES_SNAPSHOT_CHUNK_ROWS = ConfigKey.optional("snapshot-chunk-rows",
      ValueTypes.integer(1, Integer.MAX_VALUE), PostgresSnapshotConfig.DEFAULT_CHUNK_ROWS,
      "About how many rows one chunk of a table holds (turned into a range of pages from the table's statistics).");
  static final ConfigKey<Long> POSTGRES_SNAPSHOT_BUFFER = ConfigKey.optional("snapshot-buffer", ValueTypes.size(),
      PostgresSnapshotConfig.DEFAULT_BUFFER_BYTES,
      "About how much memory rows read by the chunked snapshot may take while they wait for the pipeline (whose "
          + "own queue, `lake.queue-bytes`, stands behind it); the readers pause while it is full.");

  static final ConfigKey<String> BINLOG_HOST = ConfigKey.optional("host", ValueTypes.text(), "127.0.0.1",
      "Host name or address of the MariaDB or MySQL server.");
  static final ConfigKey<Integer> BINLOG_PORT = ConfigKey.optional("port", ValueTypes.integer(1, 65535), 3306,
      "Port of the MariaDB or MySQL server.");
  static final ConfigKey<String> BINLOG_DATABASE = ConfigKey.derived("database", ValueTypes.text(), "none",
      "Database of the tables listed without one: with `shop`, `orders` means `shop.orders`.");
  static final ConfigKey<String> BINLOG_USER = ConfigKey.required("user", ValueTypes.text(),
      "User to connect as; see the privileges it needs in docs/sources.md.");
  static final ConfigKey<Secret> BINLOG_PASSWORD = ConfigKey.derived("password", ValueTypes.secret(), "none",
      "Password of the user. Write `${env:NAME}` or `${file:/path}` rather than the password itself.");
  static final ConfigKey<List<TableRef>> BINLOG_TABLES = ConfigKey.required("tables", ValueTypes.databaseTables(),
      "Tables to capture, each `database.table` (or `table` with `database` set). At least one.");
  static final ConfigKey<String> BINLOG_TABLE_PREFIX = ConfigKey.optional("table-prefix", ValueTypes.prefix(),
      "", "Put before each table name to form its lake table name: with `erp_`, `shop.orders` "
          + "lands in `bronze.erp_orders`.");
  static final ConfigKey<Integer> BINLOG_SERVER_ID = ConfigKey.derived("server-id",
      ValueTypes.integer(1, Integer.MAX_VALUE), "derived from `<pipeline>_<source>`",
      "Replica server id the source reads the binlog as; must differ from the server's own and from "
          + "every other replica's, or the server drops one of the connections.");
  static final ConfigKey<SnapshotMode> BINLOG_SNAPSHOT = ConfigKey.optional("snapshot",
      ValueTypes.choice(SnapshotMode.class), SnapshotMode.INITIAL,
      "`initial` copies the tables' existing rows before streaming changes; `never` streams only new changes.");

  static final ConfigKey<List<String>> TABLE_KEY = ConfigKey.derived("key", ValueTypes.columns(),
      "the source's primary key",
      "Columns that identify a record of a feed (Kafka, files, HTTP); silver keeps one row per key. "
          + "CDC tables always use their primary key.");
  static final ConfigKey<String> TABLE_SEQUENCE_BY = ConfigKey.derived("sequence-by", ValueTypes.column(),
      "commit order (CDC), arrival order (feeds)",
      "Column whose value orders the versions of a key: a record older than the one silver holds never "
          + "replaces it, and history puts it in its place.");
  static final ConfigKey<String> TABLE_DELETE_WHEN = ConfigKey.derived("delete-when", ValueTypes.text(), "none",
      "SQL condition over a feed's record that makes it a delete of its key, such as `operation = 'DELETE'`.");
  static final ConfigKey<Map<String, String>> TABLE_RENAME = ConfigKey.derived("rename",
      ValueTypes.columnMap(false, ValueTypes.newColumn(), "rename: {idade: age}"), "none",
      "Source column to its name in silver and history, such as `{idade: age}`.");
  static final ConfigKey<Map<String, CastType>> TABLE_CAST = ConfigKey.derived("cast",
      ValueTypes.columnMap(false, ValueTypes.castType(), "cast: {idade: int}"), "none",
      "Source column to the type silver and history hold it as: " + CastType.SPELLINGS + ". A value that "
          + "fails the cast sends its change to `errors.<table>` with its key, value and reason, and silver keeps "
          + "the key's previous version; the rest flows on. What each type accepts: [shaping.md](shaping.md#casts).");
  static final ConfigKey<List<String>> TABLE_DROP = ConfigKey.derived("drop", ValueTypes.columns(), "none",
      "Source columns left out of silver and history (bronze keeps them).");
  static final ConfigKey<List<String>> TABLE_MASK = ConfigKey.derived("mask", ValueTypes.columns(), "none",
      "Source columns whose values silver and history hold as a salted hash, the hex SHA-256 of the salt "
          + "followed by the value's text (needs `mask-salt`); the same value gives the same mask, so joins on "
          + "masked columns still match.");
  static final ConfigKey<Secret> TABLE_MASK_SALT = ConfigKey.derived("mask-salt", ValueTypes.secret(), "none",
      "Salt of the masks' hashes, a secret: write `${env:NAME}` or `${file:/path}`. Required with `mask`.");
  static final ConfigKey<Map<String, String>> TABLE_COMPUTED = ConfigKey.derived("computed",
      ValueTypes.columnMap(true, ValueTypes.text(), "computed: {full_name: \"first || ' ' || last\"}"), "none",
      "New column to the SQL expression over the source columns (as they arrive, before casts and masks) that "
          + "gives its value in silver and history, evaluated by DuckDB; its type is the expression's. A row whose "
          + "expression fails goes to `errors.<table>`.");

  static final ConfigKey<Boolean> HISTORY_ENABLED = ConfigKey.optional("enabled", ValueTypes.bool(), true,
      "Whether the table gets `history.<table>`, one row per version of each key (it needs a key).");
  static final ConfigKey<String> HISTORY_EFFECTIVE_FROM = ConfigKey.derived("effective-from",
      ValueTypes.column(), "the source commit time",
      "Column whose value starts a version, such as a business date; `_valid_from` and `_valid_to` take its "
          + "type.");
  static final ConfigKey<List<String>> HISTORY_TRACK = ConfigKey.derived("track", ValueTypes.columns(),
      "every column",
      "Columns whose changes open a new version; a change to other columns updates the current version in "
          + "place.");
  static final ConfigKey<Boolean> SERVER_ENABLED = ConfigKey.optional("enabled", ValueTypes.bool(), true,
      "Whether `run` starts the HTTP server: the REST API, the web UI and the Prometheus metrics.");
  static final ConfigKey<ListenAddress> SERVER_LISTEN = ConfigKey.optional("listen", ValueTypes.listenAddress(),
      ServerConfig.DEFAULT_LISTEN,
      "Address and port the server listens on; port 0 picks a free one. Any address other than a loopback "
          + "one (`127.0.0.1`, `localhost`, `[::1]`) needs `token`.");
  static final ConfigKey<Secret> SERVER_TOKEN = ConfigKey.derived("token", ValueTypes.secret(), "none",
      "Token every call must carry as `Authorization: Bearer <token>`. Write `${env:NAME}` or `${file:/path}`; "
          + "required when `listen` is not a loopback address.");
  static final ConfigKey<Duration> SERVER_SQL_TIMEOUT = ConfigKey.optional("sql-timeout", ValueTypes.duration(),
      ServerConfig.DEFAULT_SQL_TIMEOUT,
      "Longest a statement of the SQL console may run before it is cancelled (whole seconds, rounded up).");
  static final ConfigKey<Integer> SERVER_SQL_MAX_ROWS = ConfigKey.optional("sql-max-rows",
      ValueTypes.integer(1, 1_000_000), ServerConfig.DEFAULT_SQL_MAX_ROWS,
      "Most rows the SQL console returns for one statement; the answer says when there were more.");

  static final ConfigKey<Long> POSTGRES_WAL_WARNING = ConfigKey.optional("wal-warning", ValueTypes.size(),
      PostgresSourceConfig.DEFAULT_WAL_WARNING,
      "Raise a warning alert when the replication slot retains more WAL than this (see docs/operations.md).");
  static final ConfigKey<Long> POSTGRES_WAL_CRITICAL = ConfigKey.optional("wal-critical", ValueTypes.size(),
      PostgresSourceConfig.DEFAULT_WAL_CRITICAL,
      "Raise a critical alert and apply `wal-policy` when the slot retains more WAL than this.");
  static final ConfigKey<WalPolicy> POSTGRES_WAL_POLICY = ConfigKey.optional("wal-policy",
      ValueTypes.hyphenatedChoice(WalPolicy.class), WalPolicy.PAUSE_AND_ALERT,
      "At `wal-critical`: `pause-and-alert` stops the source and keeps the slot; `drop-and-resnapshot` drops "
          + "the slot so PostgreSQL frees the WAL and takes a new snapshot (see docs/operations.md).");

  /** The section of scheduled reconciliation checks. */
  public static final String CHECKS = "checks";
  static final ConfigKey<Duration> CHECKS_INTERVAL = ConfigKey.derived("interval", ValueTypes.duration(), "none",
      "How often a running pipeline compares every table with its source, as `tributary check` does; "
          + "without it only `tributary check` compares.");

  /** The section of alerts. */
  public static final String ALERTS = "alerts";
  /** The sub-section of {@link #ALERTS} that holds one entry per webhook. */
  public static final String ALERT_TARGETS = "targets";
  static final ConfigKey<Duration> ALERTS_LAG = ConfigKey.optional("lag", ValueTypes.duration(),
      Duration.ofMinutes(5), "Raise an alert when a source's changes wait longer than this to reach the lake.");
  static final ConfigKey<io.tributary.core.config.AlertTargetConfig.AlertTargetType> TARGET_TYPE =
      ConfigKey.required("type", ValueTypes.choice(io.tributary.core.config.AlertTargetConfig.AlertTargetType.class),
          "Message format: `webhook` (a JSON object), `slack` (`{\"text\": ...}`) or `telegram` (Bot API "
              + "`sendMessage`).");
  static final ConfigKey<Secret> TARGET_URL = ConfigKey.derived("url", ValueTypes.secret(),
      "required; telegram: `https://api.telegram.org`",
      "Address to post to; for telegram the Bot API's base address. Write `${env:NAME}` or `${file:/path}`: "
          + "webhook addresses are secrets.");
  static final ConfigKey<Secret> TARGET_TOKEN = ConfigKey.derived("token", ValueTypes.secret(), "none",
      "Telegram bot token (required for telegram).");
  static final ConfigKey<String> TARGET_CHAT_ID = ConfigKey.derived("chat-id", ValueTypes.text(), "none",
      "Telegram chat to post to (required for telegram).");
  static final ConfigKey<String> FEED_TABLE = ConfigKey.derived("table", ValueTypes.lakeTable(), "the source's name",
      "Lake table the records land in (`bronze.<table>`, `silver.<table>`); its key, order and deletes are set under "
          + "`tables.<table>`.");
  static final ConfigKey<Map<String, CastType>> FEED_COLUMNS = ConfigKey.derived("columns",
      ValueTypes.columnMap(false, ValueTypes.castType(), "columns: {amount: double}"), "inferred from the values",
      "Types of columns, such as `{amount: double, signed_up: date}`: " + CastType.SPELLINGS + ". Other columns take "
          + "the type of their first value (whole numbers bigint, other numbers double, true/false boolean, objects "
          + "and arrays JSON text, the rest text; every CSV value is text).");

  static final ConfigKey<Path> FILES_PATH = ConfigKey.required("path", ValueTypes.directory(),
      "Directory watched for new files; a relative path is relative to the configuration file's directory.");
  static final ConfigKey<FilesSourceConfig.Format> FILES_FORMAT = ConfigKey.required("format",
      ValueTypes.choice(FilesSourceConfig.Format.class),
      "How the files are written: `csv` (with a header line), `jsonl` (one JSON object per line) or `parquet`.");
  static final ConfigKey<String> FILES_GLOB = ConfigKey.optional("glob", ValueTypes.text(), "*",
      "Which file names are read, such as `*.csv` or `users-*.jsonl`; names starting with `.` or `_` never are "
          + "(write files under such a name, then rename them into place).");
  static final ConfigKey<Duration> FILES_SETTLE_TIME = ConfigKey.derived("settle-time", ValueTypes.duration(),
      "none: files are renamed into place",
      "When set, a file is read only once its size and modification time have not changed for this long, for "
          + "writers that cannot rename.");
  static final ConfigKey<Path> FILES_ARCHIVE = ConfigKey.derived("archive", ValueTypes.directory(),
      "none: files stay in place",
      "Directory read files are moved to once the lake holds their records; without it they stay, and the lake "
          + "remembers them by name, size and modification time.");
  static final ConfigKey<Duration> FILES_POLL_INTERVAL = ConfigKey.optional("poll-interval", ValueTypes.duration(),
      Duration.ofSeconds(1), "How often the directory is listed for new files.");
  static final ConfigKey<Character> FILES_CSV_DELIMITER = ConfigKey.optional("csv-delimiter",
      ValueTypes.character(), ',', "Character between the fields of a CSV line; `\\t` for a tab.");
  static final ConfigKey<Character> FILES_CSV_QUOTE = ConfigKey.optional("csv-quote", ValueTypes.character(), '"',
      "Character that quotes a CSV field holding the delimiter, a quote (doubled) or a line break.");

  static final ConfigKey<String> KAFKA_BOOTSTRAP_SERVERS = ConfigKey.required("bootstrap-servers", ValueTypes.text(),
      "Brokers to connect to, `host:port` separated by commas.");
  static final ConfigKey<String> KAFKA_TOPIC = ConfigKey.required("topic", ValueTypes.text(),
      "Topic to read, every partition of it.");
  static final ConfigKey<KafkaSourceConfig.Format> KAFKA_FORMAT = ConfigKey.optional("format",
      ValueTypes.choice(KafkaSourceConfig.Format.class), KafkaSourceConfig.Format.JSON,
      "`json`: each value is a JSON object, the latest state of its key; `debezium`: each value is a Debezium change "
          + "event, with or without its `schema` part.");
  static final ConfigKey<KafkaSourceConfig.Start> KAFKA_START = ConfigKey.optional("start",
      ValueTypes.choice(KafkaSourceConfig.Start.class), KafkaSourceConfig.Start.EARLIEST,
      "Where a partition the lake holds no offset for is read from: its first record, or records arriving from now.");
  static final ConfigKey<Map<String, Secret>> KAFKA_CONSUMER = ConfigKey.derived("consumer",
      ValueTypes.secretMap("consumer: {security.protocol: SASL_SSL}"), "none",
      "Further Kafka consumer properties, such as `security.protocol` or `sasl.jaas.config` (values may be "
          + "`${env:NAME}`); offsets are never committed to Kafka, the lake keeps them.");

  static final ConfigKey<String> HTTP_URL = ConfigKey.required("url", ValueTypes.httpUrl(),
      "URL polled, with any fixed query parameters.");
  static final ConfigKey<Duration> HTTP_INTERVAL = ConfigKey.optional("interval", ValueTypes.duration(),
      Duration.ofMinutes(1), "Time from the start of one poll to the start of the next.");
  static final ConfigKey<String> HTTP_RECORDS = ConfigKey.derived("records", ValueTypes.text(), "the answer itself",
      "Where the records are in an answer: a JSON pointer such as `/data/items` or a path such as `data.items`; "
          + "an array holds many records, an object one.");
  static final ConfigKey<Map<String, Secret>> HTTP_HEADERS = ConfigKey.derived("headers",
      ValueTypes.secretMap("headers: {Authorization: \"Bearer ${env:API_TOKEN}\"}"), "none",
      "Request headers; values may be `${env:NAME}` or `${file:/path}` and are never logged.");
  static final ConfigKey<HttpSourceConfig.Pagination> HTTP_PAGINATION = ConfigKey.optional("pagination",
      ValueTypes.choice(HttpSourceConfig.Pagination.class), HttpSourceConfig.Pagination.NONE,
      "How one poll walks the pages: `page` numbers, an `offset`, a `cursor` from the answer, or the `Link` "
          + "header's next URL (`link`); it stops at a page without records.");
  static final ConfigKey<String> HTTP_PAGE_PARAM = ConfigKey.optional("page-param", ValueTypes.text(), "page",
      "Query parameter carrying the page number (`pagination: page`).");
  static final ConfigKey<Integer> HTTP_FIRST_PAGE = ConfigKey.optional("first-page",
      ValueTypes.integer(0, Integer.MAX_VALUE), 1, "Number of the first page (`pagination: page`).");
  static final ConfigKey<String> HTTP_PAGE_SIZE_PARAM = ConfigKey.derived("page-size-param", ValueTypes.text(),
      "none", "Query parameter carrying `page-size`, such as `per_page` or `limit`.");
  static final ConfigKey<Integer> HTTP_PAGE_SIZE = ConfigKey.derived("page-size",
      ValueTypes.integer(1, Integer.MAX_VALUE), "none",
      "Records asked for per page; a page with fewer records is the last one.");
  static final ConfigKey<String> HTTP_OFFSET_PARAM = ConfigKey.optional("offset-param", ValueTypes.text(), "offset",
      "Query parameter carrying how many records were received so far (`pagination: offset`).");
  static final ConfigKey<String> HTTP_CURSOR_PARAM = ConfigKey.optional("cursor-param", ValueTypes.text(), "cursor",
      "Query parameter carrying the cursor of the previous answer (`pagination: cursor`).");
  static final ConfigKey<String> HTTP_CURSOR_PATH = ConfigKey.derived("cursor-path", ValueTypes.text(), "none",
      "Where the next page's cursor is in an answer, as a JSON pointer or path; required with `pagination: cursor`.");
  static final ConfigKey<Integer> HTTP_MAX_PAGES = ConfigKey.optional("max-pages",
      ValueTypes.integer(1, Integer.MAX_VALUE), 1000, "Most pages one poll requests.");
  static final ConfigKey<String> HTTP_INCREMENTAL_PARAM = ConfigKey.derived("incremental-param", ValueTypes.text(),
      "none", "Query parameter carrying the value of `incremental-field` in the last record received, so each poll "
          + "asks only for newer records; the value is recorded in the lake with each commit.");
  static final ConfigKey<String> HTTP_INCREMENTAL_FIELD = ConfigKey.derived("incremental-field", ValueTypes.column(),
      "none", "Record field whose last value is sent in `incremental-param`, such as `updated_at`.");
  static final ConfigKey<String> HTTP_INCREMENTAL_START = ConfigKey.derived("incremental-start", ValueTypes.text(),
      "none: the parameter is left out", "Value of `incremental-param` before any record was received.");
  static final ConfigKey<Duration> HTTP_TIMEOUT = ConfigKey.optional("timeout", ValueTypes.duration(),
      Duration.ofSeconds(30), "Longest time one request may take before it counts as failed.");
  static final ConfigKey<Integer> HTTP_RETRIES = ConfigKey.optional("retries", ValueTypes.integer(0, 100), 5,
      "Times a request that timed out, failed to connect or got a 5xx or 429 answer is tried again before the poll "
          + "gives up until the next interval.");
  static final ConfigKey<Duration> HTTP_RETRY_BACKOFF = ConfigKey.optional("retry-backoff", ValueTypes.duration(),
      Duration.ofSeconds(1), "Wait before the first retry; each further retry waits twice as long.");
  static final ConfigKey<Integer> HTTP_RATE_LIMIT = ConfigKey.derived("rate-limit",
      ValueTypes.integer(1, Integer.MAX_VALUE), "none", "Most requests per second.");

  static final ConfigKey<Integer> GENERATOR_RATE = ConfigKey.optional("rate", ValueTypes.integer(1, Integer.MAX_VALUE),
      10, "Records made per second.");
  static final ConfigKey<Long> GENERATOR_SEED = ConfigKey.optional("seed", ValueTypes.longInteger(Long.MIN_VALUE), 1L,
      "Seed of the random choices: the same seed makes the same records.");
  static final ConfigKey<Integer> GENERATOR_CLIENTS = ConfigKey.optional("clients",
      ValueTypes.integer(1, Integer.MAX_VALUE), 1000,
      "How many different e-mails the records use; each comes back with a later `data_cadastro`.");
  static final ConfigKey<Long> GENERATOR_LIMIT = ConfigKey.derived("limit", ValueTypes.longInteger(1),
      "none: until stopped", "How many records to make in all.");

  private ConfigKeys() {}

  /** The keys of the {@code checks} section. */
  public static List<ConfigKey<?>> checks() {
    return List.of(CHECKS_INTERVAL);
  }

  /** The keys of the {@code alerts} section besides {@link #ALERT_TARGETS}. */
  public static List<ConfigKey<?>> alerts() {
    return List.of(ALERTS_LAG);
  }

  /** The keys of one entry of {@code alerts.targets}. */
  public static List<ConfigKey<?>> alertTarget() {
    return List.of(TARGET_TYPE, TARGET_URL, TARGET_TOKEN, TARGET_CHAT_ID);
  }

  /** The keys of a {@code mariadb} or {@code mysql} source. */
  public static List<ConfigKey<?>> binlog() {
    return List.of(SOURCE_TYPE, BINLOG_HOST, BINLOG_PORT, BINLOG_DATABASE, BINLOG_USER, BINLOG_PASSWORD, BINLOG_TABLES,
        BINLOG_TABLE_PREFIX, BINLOG_SERVER_ID, BINLOG_SNAPSHOT);
  }

  /** The keys at the top level besides the {@link #LAKE} and {@link #SOURCES} sections. */
  public static List<ConfigKey<?>> pipeline() {
    return List.of(NAME, MODELS);
  }

  /** The keys of the {@code lake} section. */
  public static List<ConfigKey<?>> lake() {
    return List.of(LAKE_WAREHOUSE, LAKE_COMMIT_INTERVAL, LAKE_MAX_BATCH_CHANGES, LAKE_QUEUE_CAPACITY,
        LAKE_MAX_BATCH_BYTES, LAKE_QUEUE_BYTES, LAKE_HISTORY_MEMORY);
  }

  /** The keys of one entry of the {@link #TABLES} section, besides its {@link #HISTORY} sub-section. */
  public static List<ConfigKey<?>> table() {
    return List.of(TABLE_KEY, TABLE_SEQUENCE_BY, TABLE_DELETE_WHEN, TABLE_RENAME, TABLE_CAST, TABLE_DROP,
        TABLE_MASK, TABLE_MASK_SALT, TABLE_COMPUTED);
  }

  /** The keys of a table's {@link #HISTORY} sub-section. */
  public static List<ConfigKey<?>> history() {
    return List.of(HISTORY_ENABLED, HISTORY_EFFECTIVE_FROM, HISTORY_TRACK);
  }

  /** The keys of the {@code lake.maintenance} section. */
  public static List<ConfigKey<?>> maintenance() {
    return List.of(MAINTENANCE_ENABLED, MAINTENANCE_INTERVAL, MAINTENANCE_MIN_INPUT_FILES, MAINTENANCE_TARGET_FILE_SIZE,
        MAINTENANCE_SNAPSHOT_RETENTION, MAINTENANCE_MIN_SNAPSHOTS, MAINTENANCE_ORPHAN_AGE);
  }

  /** The keys of a {@code files} source. */
  public static List<ConfigKey<?>> files() {
    return List.of(SOURCE_TYPE, FEED_TABLE, FEED_COLUMNS, FILES_PATH, FILES_FORMAT, FILES_GLOB, FILES_SETTLE_TIME,
        FILES_ARCHIVE, FILES_POLL_INTERVAL, FILES_CSV_DELIMITER, FILES_CSV_QUOTE);
  }

  /** The keys of a {@code kafka} source. */
  public static List<ConfigKey<?>> kafka() {
    return List.of(SOURCE_TYPE, FEED_TABLE, FEED_COLUMNS, KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC, KAFKA_FORMAT,
        KAFKA_START, KAFKA_CONSUMER);
  }

  /** The keys of an {@code http} source. */
  public static List<ConfigKey<?>> http() {
    return List.of(SOURCE_TYPE, FEED_TABLE, FEED_COLUMNS, HTTP_URL, HTTP_INTERVAL, HTTP_RECORDS, HTTP_HEADERS,
        HTTP_PAGINATION, HTTP_PAGE_PARAM, HTTP_FIRST_PAGE, HTTP_PAGE_SIZE_PARAM, HTTP_PAGE_SIZE, HTTP_OFFSET_PARAM,
        HTTP_CURSOR_PARAM, HTTP_CURSOR_PATH, HTTP_MAX_PAGES, HTTP_INCREMENTAL_PARAM, HTTP_INCREMENTAL_FIELD,
        HTTP_INCREMENTAL_START, HTTP_TIMEOUT, HTTP_RETRIES, HTTP_RETRY_BACKOFF, HTTP_RATE_LIMIT);
  }

  /** The keys of a {@code generator} source. */
  public static List<ConfigKey<?>> generator() {
    return List.of(SOURCE_TYPE, FEED_TABLE, FEED_COLUMNS, GENERATOR_RATE, GENERATOR_SEED, GENERATOR_CLIENTS,
        GENERATOR_LIMIT);
  }

  /** The keys of the {@code server} section. */
  public static List<ConfigKey<?>> server() {
    return List.of(SERVER_ENABLED, SERVER_LISTEN, SERVER_TOKEN, SERVER_SQL_TIMEOUT, SERVER_SQL_MAX_ROWS);
  }

  /** The keys of a {@code postgres} source. */
  public static List<ConfigKey<?>> postgres() {
    return List.of(SOURCE_TYPE, POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DATABASE, POSTGRES_USER, POSTGRES_PASSWORD,
        POSTGRES_TABLES, POSTGRES_TABLE_PREFIX, POSTGRES_SLOT, POSTGRES_PUBLICATION, POSTGRES_HEARTBEAT_INTERVAL,
        POSTGRES_SNAPSHOT, POSTGRES_CAPTURE, POSTGRES_SNAPSHOT_READER, POSTGRES_SNAPSHOT_THREADS,
        POSTGRES_SNAPSHOT_CHUNK_ROWS, POSTGRES_SNAPSHOT_BUFFER, POSTGRES_WAL_WARNING, POSTGRES_WAL_CRITICAL,
        POSTGRES_WAL_POLICY);
  }
}
