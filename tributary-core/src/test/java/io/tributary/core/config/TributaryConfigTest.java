package io.tributary.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.TableId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TributaryConfigTest {
  private static final String EXAMPLE = """
      lake:
        warehouse: /var/lib/tributary/lake
      sources:
        bench:
          type: postgres
          host: 127.0.0.1
          port: 5432
          database: bench
          user: postgres
          password: ${env:PGPASSWORD}
          tables: [public.pgbench_accounts, public.pgbench_branches, public.pgbench_tellers, public.pgbench_history]
      """;
  private static final Map<String, String> ENV = Map.of("PGPASSWORD", "s3cret");

  @TempDir
  Path dir;

  @Test
  void loadsTheExampleWithItsDefaults() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE);

    TributaryConfig config = TributaryConfig.load(file, ENV);

    assertThat(config.name()).isEqualTo("tributary");
    assertThat(config.file()).isEqualTo(file);
    assertThat(config.lake())
        .isEqualTo(new LakeConfig(Path.of("/var/lib/tributary/lake"), Duration.ofSeconds(2), 50_000, 100_000));
    assertThat(config.sources()).containsOnlyKeys("bench");
    PostgresSourceConfig bench = (PostgresSourceConfig) config.sources().get("bench");
    assertThat(bench).isEqualTo(new PostgresSourceConfig("bench", "127.0.0.1", 5432, "bench", "postgres",
        Optional.of(Secret.of("s3cret")),
        List.of("public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers",
            "public.pgbench_history"),
        "", "tributary_bench", "tributary_bench", Duration.ofSeconds(10), SnapshotMode.INITIAL));
    assertThat(bench.password().orElseThrow().reveal()).isEqualTo("s3cret");
    assertThat(bench.type()).isEqualTo("postgres");
    assertThat(bench.snapshotReading()).isEqualTo(new PostgresSnapshotConfig(PostgresSnapshotConfig.Reader.CHUNKED, 2,
        100_000, 32L << 20));
    assertThat(bench.lakeTables()).containsExactly(
        Map.entry(new TableId("bench", "public", "pgbench_accounts"), "pgbench_accounts"),
        Map.entry(new TableId("bench", "public", "pgbench_branches"), "pgbench_branches"),
        Map.entry(new TableId("bench", "public", "pgbench_tellers"), "pgbench_tellers"),
        Map.entry(new TableId("bench", "public", "pgbench_history"), "pgbench_history"));
    assertThat(config.lake().pipelineSettings().commitInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.models()).isEmpty();
    assertThat(config.server()).isEqualTo(ServerConfig.defaults());
    assertThat(config.server().listen()).hasToString("127.0.0.1:8080");
  }

  @Test
  void readsTheServerSection() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE + """
        server:
          enabled: false
          listen: 0.0.0.0:9090
          token: ${env:TRIBUTARY_TOKEN}
          sql-timeout: 5s
          sql-max-rows: 20
        """);

    ServerConfig server = TributaryConfig.load(file, Map.of("PGPASSWORD", "a", "TRIBUTARY_TOKEN", "t0ken")).server();

    assertThat(server).isEqualTo(new ServerConfig(false, new ListenAddress("0.0.0.0", 9090),
        Optional.of(Secret.of("t0ken")), Duration.ofSeconds(5), 20));
    assertThat(server.toString()).doesNotContain("t0ken");
  }

  @Test
  void acceptsLoopbackAddressesWithoutToken() throws IOException {
    for (String listen : List.of("127.0.0.1:0", "localhost:8081", "[::1]:8080")) {
      Path file = write("tributary.yaml", EXAMPLE + "server:\n  listen: \"" + listen + "\"\n");

      assertThat(TributaryConfig.load(file, ENV).server().listen()).hasToString(listen);
    }
  }

  @Test
  void rejectsANonLoopbackAddressWithoutToken() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE + "server:\n  listen: 0.0.0.0:8080\n");

    assertError(file, "Missing value for server.token at line 13 of " + file + ": server.listen is 0.0.0.0:8080,"
        + " which other machines can reach, so every call must carry a token"
        + " (set server.token: ${env:TRIBUTARY_TOKEN} or listen on 127.0.0.1)");
  }

  @Test
  void rejectsABadListenAddressAndAnUnknownServerKey() throws IOException {
    Path noPort = write("tributary.yaml", EXAMPLE + "server:\n  listen: 127.0.0.1\n");
    assertError(noPort, "Invalid value for server.listen at line 13 of " + noPort
        + ": '127.0.0.1': expected host:port (write host:port, such as 127.0.0.1:8080 or [::1]:8080)");

    Path unknown = write("tributary.yaml", EXAMPLE + "server:\n  port: 8080\n");
    assertError(unknown, "Unknown key server.port at line 13 of " + unknown
        + " (known keys here: enabled, listen, token, sql-timeout, sql-max-rows)");

    Path notBoolean = write("tributary.yaml", EXAMPLE + "server:\n  enabled: yes please\n");
    assertError(notBoolean, "Invalid value for server.enabled at line 13 of " + notBoolean
        + ": 'yes please' is not true or false (write true or false)");
  }

  @Test
  void modelsDirectoryIsRelativeToTheFile() throws IOException {
    Path file = write("tributary.yaml", "models: ./models\n" + EXAMPLE);

    assertThat(TributaryConfig.load(file, ENV).models()).contains(dir.resolve("models"));
  }

  @Test
  void readsEveryKeyWhenSet() throws IOException {
    Path file = write("prod.yml", """
        name: Orders_Pipeline
        lake:
          warehouse: lake
          commit-interval: 500ms
          max-batch-changes: 1_000
          queue-capacity: 4000
          max-batch-bytes: 16MB
          queue-bytes: 32MB
          history-memory: 512MB
        sources:
          crm:
            type: postgres
            host: db.internal
            port: 6543
            database: crm
            user: tributary
            tables: [accounts, sales.orders]
            table-prefix: crm_
            slot: crm_slot
            publication: crm_pub
            heartbeat-interval: 5m
            snapshot: never
        """);

    TributaryConfig config = TributaryConfig.load(file, Map.of());

    assertThat(config.name()).isEqualTo("orders_pipeline");
    // Relative to the file, not to the working directory, so the same file works from anywhere.
    assertThat(config.lake()).isEqualTo(new LakeConfig(dir.resolve("lake"), Duration.ofMillis(500), 1000, 4000,
        16L << 20, 32L << 20, 512L << 20, io.tributary.core.config.MaintenanceConfig.defaults()));
    assertThat(config.sources().get("crm")).isEqualTo(new PostgresSourceConfig("crm", "db.internal", 6543, "crm",
        "tributary", Optional.empty(), List.of("public.accounts", "sales.orders"), "crm_", "crm_slot", "crm_pub",
        Duration.ofMinutes(5), SnapshotMode.NEVER));
    assertThat(config.sources().get("crm").lakeTables().values()).containsExactly("crm_accounts", "crm_orders");
  }

  @Test
  void defaultsHostPortAndDerivesSlotFromPipelineName() throws IOException {
    Path file = write("tributary.yaml", """
        name: shop
        lake: {warehouse: /lake}
        sources:
          main: {type: postgres, database: shop, user: cdc, tables: [orders], heartbeat-interval: 1h}
        """);

    PostgresSourceConfig main = (PostgresSourceConfig) TributaryConfig.load(file, Map.of()).sources().get("main");

    assertThat(main.host()).isEqualTo("127.0.0.1");
    assertThat(main.port()).isEqualTo(5432);
    assertThat(main.password()).isEmpty();
    assertThat(main.slot()).isEqualTo("shop_main");
    assertThat(main.publication()).isEqualTo("shop_main");
    assertThat(main.heartbeatInterval()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void secretNeverShowsItsValue() throws IOException {
    Secret secret = Secret.of("hunter2");
    assertThat(secret.toString()).isEqualTo("******");
    assertThat(secret.reveal()).isEqualTo("hunter2");
    assertThat(secret).isEqualTo(Secret.of("hunter2")).isNotEqualTo(Secret.of("hunter3"));

    TributaryConfig config = TributaryConfig.load(write("tributary.yaml", EXAMPLE), ENV);
    assertThat(config.toString()).contains("password=Optional[******]").doesNotContain("s3cret");
  }

  @Test
  void readsFileReferencesWithoutTheTrailingNewline() throws IOException {
    Files.writeString(dir.resolve("pg.secret"), "from-file\n");
    Path absolute = Files.writeString(dir.resolve("user.txt"), "cdc_user\r\n");
    Path file = write("tributary.yaml", EXAMPLE
        .replace("${env:PGPASSWORD}", "${file:pg.secret}")
        .replace("user: postgres", "user: ${file:" + absolute + "}"));

    PostgresSourceConfig bench = (PostgresSourceConfig) TributaryConfig.load(file, Map.of()).sources().get("bench");

    assertThat(bench.password().orElseThrow().reveal()).isEqualTo("from-file");
    assertThat(bench.user()).isEqualTo("cdc_user");
  }

  @Test
  void resolvesReferencesInsideStringsAndKeepsEscapedOnes() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE
        .replace("host: 127.0.0.1", "host: db-${env:REGION}.internal")
        .replace("port: 5432", "port: ${env:PGPORT}")
        .replace("${env:PGPASSWORD}", "\"pa$${ss}\""));

    PostgresSourceConfig bench = (PostgresSourceConfig) TributaryConfig
        .load(file, Map.of("REGION", "eu", "PGPORT", "6000")).sources().get("bench");

    assertThat(bench.host()).isEqualTo("db-eu.internal");
    assertThat(bench.port()).isEqualTo(6000);
    assertThat(bench.password().orElseThrow().reveal()).isEqualTo("pa${ss}");
  }

  @Test
  void mergesSharedSettingsFromAnAnchor() throws IOException {
    Path file = write("tributary.yaml", """
        lake: {warehouse: /lake}
        sources:
          one: &common
            type: postgres
            host: db
            database: one
            user: cdc
            tables: [a]
          two:
            <<: *common
            database: two
            table-prefix: two_
        """);

    PostgresSourceConfig two = (PostgresSourceConfig) TributaryConfig.load(file, Map.of()).sources().get("two");

    assertThat(two.host()).isEqualTo("db");
    assertThat(two.database()).isEqualTo("two");
    assertThat(two.lakeTables().values()).containsExactly("two_a");
  }

  @Test
  void rejectsAnUnknownKeyAndSuggestsTheClosest() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("host: 127.0.0.1", "hots: 127.0.0.1"));

    assertThatThrownBy(() -> TributaryConfig.load(file, ENV))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Unknown key sources.bench.hots at line 6 of " + file + " (did you mean host?)")
        .satisfies(e -> {
          ConfigException error = (ConfigException) e;
          assertThat(error.file()).isEqualTo(file);
          assertThat(error.key()).contains("sources.bench.hots");
          assertThat(error.line()).isEqualTo(OptionalInt.of(6));
        });
  }

  @Test
  void rejectsAnUnknownKeyWithoutCloseMatchByListingTheKnownOnes() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("lake:\n", "lake:\n  compression: zstd\n"));

    assertError(file, "Unknown key lake.compression at line 2 of " + file
        + " (known keys here: warehouse, commit-interval, max-batch-changes, queue-capacity, max-batch-bytes, queue-bytes, history-memory, maintenance)");
  }

  @Test
  void rejectsAMissingRequiredKey() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("    database: bench\n", ""));

    assertError(file, "Missing required key sources.bench.database at line 4 of " + file
        + " (add database under sources.bench)");
  }

  @Test
  void rejectsARequiredKeyWithoutValue() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("database: bench", "database:"));

    assertError(file, "Missing value for sources.bench.database at line 8 of " + file
        + " (set a value after database:)");
  }

  @Test
  void rejectsAMissingLakeSection() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("lake:\n  warehouse: /var/lib/tributary/lake\n", ""));

    assertError(file, "Missing required key lake at line 1 of " + file + " (add lake at the top level)");
  }

  @Test
  void rejectsTextWhereANumberIsNeeded() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("port: 5432", "port: five"));

    assertError(file, "Invalid value for sources.bench.port at line 7 of " + file
        + ": 'five' is not a whole number (use a whole number from 1 to 65535)");
  }

  @Test
  void rejectsAPortOutOfRange() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("port: 5432", "port: 70000"));

    assertError(file, "Invalid value for sources.bench.port at line 7 of " + file
        + ": 70000 is out of range (use a whole number from 1 to 65535)");
  }

  @Test
  void rejectsAListWhereOneValueIsNeeded() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("host: 127.0.0.1", "host: [a, b]"));

    assertError(file, "Invalid value for sources.bench.host at line 6 of " + file
        + ": expected a string, found a list (write a single value)");
  }

  @Test
  void rejectsABadDuration() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("lake:\n", "lake:\n  commit-interval: 2 sec\n"));

    assertError(file, "Invalid value for lake.commit-interval at line 2 of " + file
        + ": '2 sec' is not a duration"
        + " (use a whole number with a unit: ms, s, m, h or d, for example 500ms, 2s, 5m, 1h)");
  }

  @Test
  void rejectsADurationWithoutUnit() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("    port: 5432\n", "    heartbeat-interval: 10\n"));

    assertError(file, "Invalid value for sources.bench.heartbeat-interval at line 7 of " + file
        + ": '10' has no unit (write 10s for seconds or 10ms for milliseconds)");
  }

  @Test
  void rejectsABadTableName() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("public.pgbench_tellers", "public.pgbench.tellers"));

    assertError(file, "Invalid value for sources.bench.tables[2] at line 11 of " + file
        + ": 'public.pgbench.tellers' is not a table name"
        + " (use schema.table or table; each part a letter or _ followed by letters, digits, _ or $)");
  }

  @Test
  void rejectsAnEmptyTableList() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replaceAll("tables: \\[.*]", "tables: []"));

    assertError(file, "Invalid value for sources.bench.tables at line 11 of " + file
        + ": the list is empty (list at least one table as schema.table)");
  }

  @Test
  void rejectsATableListedTwice() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("public.pgbench_history", "pgbench_accounts"));

    assertError(file, "Duplicate table sources.bench.tables[3] at line 11 of " + file
        + ": public.pgbench_accounts is already listed as sources.bench.tables[0] at line 11 (remove one of them)");
  }

  @Test
  void rejectsTwoSourcesWritingTheSameLakeTable() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE + """
          copy:
            type: postgres
            database: bench2
            user: postgres
            tables:
              - public.other
              - public.pgbench_branches
        """);

    assertError(file, "Duplicate lake table name for sources.copy.tables[1] at line 18 of " + file
        + ": public.pgbench_branches and public.pgbench_branches (sources.bench.tables[1], line 11) would both"
        + " become lake table pgbench_branches (set table-prefix on sources.bench or sources.copy so the names"
        + " differ)");
  }

  @Test
  void acceptsTheSameTableFromTwoSourcesWithPrefixes() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE + """
          copy:
            type: postgres
            database: bench2
            user: postgres
            table-prefix: copy_
            tables: [pgbench_branches]
        """);

    assertThat(TributaryConfig.load(file, ENV).sources()).containsOnlyKeys("bench", "copy");
  }

  @Test
  void rejectsTablesOfOneSourceThatShareALakeName() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("public.pgbench_history", "archive.PGBENCH_ACCOUNTS"));

    assertError(file, "Duplicate lake table name for sources.bench.tables[3] at line 11 of " + file
        + ": archive.PGBENCH_ACCOUNTS and public.pgbench_accounts (sources.bench.tables[0], line 11) would both"
        + " become lake table PGBENCH_ACCOUNTS"
        + " (capture only one of them, or move one to a second source with its own table-prefix)");
  }

  @Test
  void rejectsAnUnknownSourceType() throws IOException {
    assertError(write("tributary.yaml", EXAMPLE.replace("type: postgres", "type: oracle")),
        "Invalid value for sources.bench.type at line 5 of " + dir.resolve("tributary.yaml")
            + ": unknown source type 'oracle' (use one of: postgres, mariadb, mysql, kafka, files, http, generator)");
    assertError(write("tributary.yaml", EXAMPLE.replace("type: postgres", "type: postgre")),
        "Invalid value for sources.bench.type at line 5 of " + dir.resolve("tributary.yaml")
            + ": unknown source type 'postgre' (did you mean postgres? known types: postgres, mariadb, mysql, kafka, files, http, generator)");
  }

  @Test
  void rejectsAMissingSourceType() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("    type: postgres\n", ""));

    assertError(file, "Missing required key sources.bench.type at line 4 of " + file
        + " (add type under sources.bench)");
  }

  @Test
  void rejectsBadNames() throws IOException {
    assertError(write("tributary.yaml", "name: 9lives\n" + EXAMPLE),
        "Invalid value for name at line 1 of " + dir.resolve("tributary.yaml")
            + ": '9lives' is not a valid pipeline name (use a letter followed by letters, digits or _)");
    assertError(write("tributary.yaml", EXAMPLE.replace("  bench:", "  Bench-DB:")),
        "Invalid source name sources.Bench-DB at line 4 of " + dir.resolve("tributary.yaml")
            + ": a source name is a lower-case letter followed by lower-case letters, digits or _"
            + " (rename it to bench_db)");
    Path dashed = write("my-pipeline.yaml", EXAMPLE);
    assertError(dashed, "Invalid pipeline name 'my-pipeline' taken from the name of " + dashed
        + " (add name: with a letter followed by letters, digits or _, or rename the file)");
  }

  @Test
  void rejectsADefaultSlotNameLongerThanPostgresAllows() throws IOException {
    String name = "p".repeat(60);
    Path file = write("tributary.yaml", "name: " + name + "\n" + EXAMPLE);

    assertError(file, "Cannot derive sources.bench.slot at line 5 of " + file + ": the default name " + name
        + "_bench is longer than 63 characters (set slot to a shorter name)");
  }

  @Test
  void rejectsADuplicateKey() throws IOException {
    Path file = write("tributary.yaml",
        EXAMPLE.replace("    user: postgres\n", "    port: 5433\n    user: postgres\n"));

    assertError(file, "Duplicate key sources.bench.port at line 9 of " + file
        + ": already set at line 7 (keep only one of them)");
  }

  @Test
  void rejectsAPipelineWithoutSources() throws IOException {
    Path file = write("tributary.yaml", "lake:\n  warehouse: /lake\nsources: {}\n");

    assertError(file, "No source in sources at line 3 of " + file
        + " (add at least one, for example sources.shop with type: postgres; see docs/configuration.md)");
  }

  @Test
  void rejectsASourceThatIsNotAMapping() throws IOException {
    Path file = write("tributary.yaml", "lake:\n  warehouse: /lake\nsources:\n  bench: postgres\n");

    assertError(file, "Invalid value for sources.bench at line 4 of " + file
        + ": expected a mapping of keys, found a single value (indent the keys of sources.bench under it)");
  }

  @Test
  void rejectsAMissingEnvironmentVariable() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE);

    assertError(file, Map.of(), "Cannot resolve ${env:PGPASSWORD} for sources.bench.password at line 10 of " + file
        + ": environment variable PGPASSWORD is not set (set PGPASSWORD in the environment that starts tributary)");
  }

  @Test
  void rejectsAnUnreadableFileReference() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("${env:PGPASSWORD}", "${file:/nonexistent/pg.secret}"));

    assertError(file, "Cannot resolve ${file:/nonexistent/pg.secret} for sources.bench.password at line 10 of "
        + file + ": file /nonexistent/pg.secret does not exist"
        + " (check the path and that the tributary process may read the file)");
  }

  @Test
  void rejectsAnUnknownReference() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("${env:PGPASSWORD}", "${PGPASSWORD}"));

    assertError(file, "Invalid reference ${PGPASSWORD} in sources.bench.password at line 10 of " + file
        + ": unknown kind of reference (use ${env:NAME} or ${file:/path}, or write $${ for a literal ${)");
  }

  @Test
  void rejectsAYamlSyntaxError() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("    user: postgres", "    user: postgres: admin"));

    assertError(file, "Invalid YAML at line 9, column 19 of " + file
        + ": mapping values are not allowed here"
        + " (fix the syntax there: check indentation, quotes and the space after ':')");
  }

  @Test
  void rejectsAnEmptyFile() throws IOException {
    String expected = " (add a lake section and at least one source; see docs/configuration.md)";
    Path empty = write("tributary.yaml", "");
    assertError(empty, "Cannot load configuration file " + empty + ": the file is empty" + expected);
    Path comments = write("comments.yaml", "# nothing yet\n\n");
    assertError(comments, "Cannot load configuration file " + comments + ": the file is empty" + expected);
  }

  @Test
  void rejectsATopLevelThatIsNotAMapping() throws IOException {
    Path file = write("tributary.yaml", "- lake\n- sources\n");

    assertError(file, "Invalid configuration at line 1 of " + file
        + ": expected a mapping of keys, found a list (start with lake: and sources:)");
  }

  @Test
  void rejectsAMissingFile() {
    Path file = dir.resolve("absent.yaml");

    assertError(file, "Cannot read configuration file " + file + ": it does not exist (check the path)");
  }

  @Test
  void rejectsAnS3Warehouse() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("/var/lib/tributary/lake", "s3://bucket/lake"));

    assertError(file, "Invalid value for lake.warehouse at line 2 of " + file
        + ": 's3://bucket/lake' is a URI, but only local directories are supported so far"
        + " (use a local directory path)");
  }

  @Test
  void loadsMariaDbAndMySqlSources() throws IOException {
    Path file = write("shop.yaml", """
        lake:
          warehouse: /lake
        sources:
          erp:
            type: mariadb
            port: 3307
            database: shop
            user: tributary
            password: ${env:PGPASSWORD}
            tables: [orders, billing.invoices]
          legacy:
            type: mysql
            host: mysql.internal
            user: cdc
            tables: [crm.clients]
            table-prefix: crm_
            server-id: 4242
            snapshot: never
        """);

    TributaryConfig config = TributaryConfig.load(file, ENV);

    BinlogSourceConfig erp = (BinlogSourceConfig) config.sources().get("erp");
    assertThat(erp).isEqualTo(new BinlogSourceConfig("erp", BinlogSourceConfig.Flavor.MARIADB, "127.0.0.1", 3307, "tributary",
        Optional.of(Secret.of("s3cret")), List.of("shop.orders", "billing.invoices"), "",
        BinlogSourceType.derivedServerId("shop", "erp"), SnapshotMode.INITIAL));
    assertThat(erp.type()).isEqualTo("mariadb");
    assertThat(erp.serverId()).as("derived, stable, clear of small ids").isGreaterThanOrEqualTo(100_000);
    assertThat(erp.lakeTables()).containsExactly(
        Map.entry(new TableId("erp", "shop", "orders"), "orders"),
        Map.entry(new TableId("erp", "billing", "invoices"), "invoices"));
    BinlogSourceConfig legacy = (BinlogSourceConfig) config.sources().get("legacy");
    assertThat(legacy.flavor()).isEqualTo(BinlogSourceConfig.Flavor.MYSQL);
    assertThat(legacy.type()).isEqualTo("mysql");
    assertThat(legacy.serverId()).isEqualTo(4242);
    assertThat(legacy.port()).isEqualTo(3306);
    assertThat(legacy.snapshot()).isEqualTo(SnapshotMode.NEVER);
    assertThat(legacy.lakeTables()).containsExactly(Map.entry(new TableId("legacy", "crm", "clients"), "crm_clients"));
  }

  @Test
  void rejectsAMariaDbTableWithoutDatabase() throws IOException {
    Path file = write("shop.yaml", """
        lake:
          warehouse: /lake
        sources:
          erp:
            type: mariadb
            user: tributary
            tables: [shop.orders, invoices]
        """);

    assertError(file, "Invalid value for sources.erp.tables[1] at line 7 of " + file
        + ": table invoices names no database (write database.table, or set sources.erp.database)");
  }

  @Test
  void readsTheMaintenanceSection() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE.replace("  warehouse: /var/lib/tributary/lake\n",
        "  warehouse: /var/lib/tributary/lake\n  maintenance:\n    enabled: false\n    interval: 30s\n"
            + "    min-input-files: 3\n    target-file-size: 64MB\n    snapshot-retention: 7d\n"
            + "    min-snapshots: 2\n    orphan-age: 2h\n"));

    MaintenanceConfig maintenance = TributaryConfig.load(file, ENV).lake().maintenance();

    assertThat(maintenance).isEqualTo(new MaintenanceConfig(false, Duration.ofSeconds(30), 3, 64L * 1024 * 1024,
        Duration.ofDays(7), 2, Duration.ofHours(2)));
    assertThat(TributaryConfig.load(write("defaults.yaml", EXAMPLE), ENV).lake().maintenance())
        .isEqualTo(MaintenanceConfig.defaults())
        .isEqualTo(new MaintenanceConfig(true, Duration.ofMinutes(5), 5, 128L * 1024 * 1024, Duration.ofHours(1), 10,
            Duration.ofDays(1)));
  }

  @Test
  void rejectsBadMaintenanceValues() throws IOException {
    String section = "  warehouse: /var/lib/tributary/lake\n  maintenance:\n    ";
    Path size = write("size.yaml", EXAMPLE.replace("  warehouse: /var/lib/tributary/lake\n",
        section + "target-file-size: 128\n"));
    assertError(size, "Invalid value for lake.maintenance.target-file-size at line 4 of " + size
        + ": '128' is not a size (use a whole number with a unit: B, kB, MB, GB or TB, for example 512MB or 2GB)");
    Path age = write("age.yaml", EXAMPLE.replace("  warehouse: /var/lib/tributary/lake\n",
        section + "orphan-age: 10m\n"));
    assertError(age, "Invalid value for lake.maintenance.orphan-age at line 4 of " + age
        + ": '10m' is too short: a younger file may belong to a commit being written (use at least 1h)");
    Path flag = write("flag.yaml", EXAMPLE.replace("  warehouse: /var/lib/tributary/lake\n",
        section + "enabled: yes please\n"));
    assertError(flag, "Invalid value for lake.maintenance.enabled at line 4 of " + flag
        + ": 'yes please' is not true or false (write true or false)");
    Path unknown = write("unknown.yaml", EXAMPLE.replace("  warehouse: /var/lib/tributary/lake\n",
        section + "orphan-ages: 1d\n"));
    assertError(unknown, "Unknown key lake.maintenance.orphan-ages at line 4 of " + unknown
        + " (did you mean orphan-age?)");
  }

  @Test
  void snapshotReaderDebeziumBringsDebeziumsSnapshotBack() throws IOException {
    Path file = write("tributary.yaml", EXAMPLE + "    snapshot-reader: debezium\n    snapshot-threads: 4\n");

    PostgresSourceConfig bench = (PostgresSourceConfig) TributaryConfig.load(file, ENV).sources().get("bench");

    assertThat(bench.snapshotReading().reader()).isEqualTo(PostgresSnapshotConfig.Reader.DEBEZIUM);
    assertThat(bench.snapshotReading().threads()).isEqualTo(4);
  }

  @Test
  void documentationDescribesEveryKeyAsDeclared() throws IOException {
    // Surefire runs in the module directory; the docs live at the top of the project.
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    for (List<ConfigKey<?>> section : List.of(ConfigKeys.pipeline(), ConfigKeys.lake(), ConfigKeys.maintenance(),
        ConfigKeys.server(), ConfigKeys.postgres(), ConfigKeys.table(), ConfigKeys.history(), ConfigKeys.checks(),
        ConfigKeys.alerts(), ConfigKeys.alertTarget(), ConfigKeys.binlog(), ConfigKeys.files(), ConfigKeys.kafka(),
        ConfigKeys.http(), ConfigKeys.generator())) {
      for (ConfigKey<?> key : section) {
        String row = "| `" + key.name() + "` | " + key.type() + " | " + key.defaultText() + " | "
            + key.description() + " |";
        assertThat(docs).as("docs/configuration.md row for %s", key.name()).contains(row);
      }
    }
  }

  @Test
  void documentationExamplesLoad() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
    Path secret = Files.writeString(dir.resolve("orders-db-password"), "pw\n");
    Map<String, String> environment = Map.of("PGPASSWORD", "a", "CRM_PASSWORD", "b", "MASK_SALT", "c",
        "SLACK_WEBHOOK_URL", "http://127.0.0.1/slack", "TELEGRAM_BOT_TOKEN", "t", "PAGER_URL", "http://127.0.0.1/p",
        "TRIBUTARY_TOKEN", "t");
    List<String> examples = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(docs).results()
        .map(match -> match.group(1))
        .toList();
    assertThat(examples).hasSize(4);
    for (String example : examples) {
      String text = example.replace("/run/secrets/orders-db-password", secret.toString());
      // The anchor example shows only the sources section, the tables example only the tables section.
      if (!text.contains("sources:")) {
        text += "sources: {shop: {type: postgres, database: shop, user: u, tables: [clients]}}\n";
      }
      Path file = write("tributary.yaml", text.contains("lake:") ? text : "lake: {warehouse: /lake}\n" + text);
      assertThat(TributaryConfig.load(file, environment).sources()).isNotEmpty();
    }
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static void assertError(Path file, String message) {
    assertError(file, ENV, message);
  }

  private static void assertError(Path file, Map<String, String> environment, String message) {
    assertThatThrownBy(() -> TributaryConfig.load(file, environment))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }
}
