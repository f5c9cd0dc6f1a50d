package io.tributary.sources.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DataType;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.testkit.EmbeddedMariaDbServer;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MariaDB source against a real server: snapshot, binlog order, types, key updates, resume, preflight errors. */
class MariaDbSourceIT {
  private static EmbeddedMariaDbServer mariadb;

  @TempDir Path work;

  @BeforeAll
  static void startMariaDb() {
    mariadb = EmbeddedMariaDbServer.start();
  }

  @AfterAll
  static void stopMariaDb() {
    mariadb.close();
  }

  @Test
  void snapshotsThenStreamsInBinlogOrderAndResumesAfterAcknowledgedPosition() throws Exception {
    mariadb.createDatabase("streams");
    try (Connection connection = mariadb.adminConnection("streams"); Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE items (
            id int PRIMARY KEY,
            big bigint,
            amount decimal(12,2),
            ratio double,
            name varchar(40) NOT NULL,
            body text,
            day date,
            at datetime(6),
            stamp timestamp(3) NULL,
            doc json,
            bytes blob,
            flag bit(1),
            active bool,
            size enum('s','m','l'))""");
      for (int i = 1; i <= 20; i++) {
        statement.execute("INSERT INTO items VALUES (" + i + ", " + (10_000_000_000L + i) + ", " + i + ".25, " + i + ".5, 'item " + i
            + "', 'text', '2024-02-0" + (1 + i % 9) + "', '2024-03-01 10:00:00.123456', '2024-03-01 10:00:00.500', "
            + "'{\"a\": " + i + "}', x'00ff', b'1', " + (i % 2 == 0) + ", 'm')");
      }
    }
    CollectingSink sink = new CollectingSink();
    MariaDbSource source = new MariaDbSource(settings("streams.items"));
    source.start(Optional.empty(), sink);
    try {
      await(() -> sink.events.size() >= 20, "snapshot");
      assertThat(sink.events).hasSize(20).allSatisfy(event -> assertThat(event.operation()).isEqualTo(Operation.READ));
      ChangeEvent first = sink.events.get(0);
      assertThat(first.schema().table().schema()).isEqualTo("streams");
      assertThat(first.schema().table().name()).isEqualTo("items");
      assertThat(first.schema().key()).containsExactly("id");
      assertThat(first.schema().column("amount").orElseThrow().type()).isEqualTo(DataType.decimal(12, 2));
      assertThat(first.schema().column("big").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.INT64));
      assertThat(first.schema().column("at").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.TIMESTAMP));
      assertThat(first.schema().column("stamp").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.TIMESTAMPTZ));
      assertThat(first.schema().column("bytes").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.BINARY));
      assertThat(first.schema().column("flag").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.BOOLEAN));
      assertThat(first.schema().column("active").orElseThrow().type()).isEqualTo(DataType.of(DataType.Kind.BOOLEAN));
      Map<String, Object> row = first.after().orElseThrow();
      assertThat(row).containsEntry("id", 1).containsEntry("big", 10_000_000_001L).containsEntry("amount", new BigDecimal("1.25"))
          .containsEntry("ratio", 1.5).containsEntry("name", "item 1").containsEntry("body", "text")
          .containsEntry("day", LocalDate.of(2024, 2, 2)).containsEntry("at", LocalDateTime.of(2024, 3, 1, 10, 0, 0, 123_456_000))
          .containsEntry("doc", "{\"a\": 1}").containsEntry("bytes", ByteBuffer.wrap(new byte[] {0, (byte) 0xff}))
          .containsEntry("flag", true).containsEntry("active", false).containsEntry("size", "m");
      assertThat(((OffsetDateTime) row.get("stamp")).getOffset()).isEqualTo(ZoneOffset.UTC);

      try (Connection connection = mariadb.adminConnection("streams"); Statement statement = connection.createStatement()) {
        connection.setAutoCommit(false);
        statement.execute("INSERT INTO items (id, name) VALUES (100, 'new')");
        statement.execute("UPDATE items SET amount = 9.99, body = NULL WHERE id IN (2, 3)");
        statement.execute("DELETE FROM items WHERE id = 4");
        connection.commit();
        statement.execute("UPDATE items SET id = 200 WHERE id = 5");
        connection.commit();
        statement.execute("UPDATE items SET name = 'after the key update' WHERE id = 6");
        connection.commit();
      }
      await(() -> sink.events.size() >= 27, "streamed changes");
      List<ChangeEvent> streamed = sink.events.subList(20, 27);
      assertThat(streamed).extracting(event -> event.row().get("id")).containsExactly(100, 2, 3, 4, 5, 200, 6);
      assertThat(streamed).extracting(ChangeEvent::operation).containsExactly(Operation.CREATE, Operation.UPDATE, Operation.UPDATE,
          Operation.DELETE, Operation.DELETE, Operation.CREATE, Operation.UPDATE);
      assertThat(streamed.get(3).before().orElseThrow()).as("binlog_row_image=FULL: deletes carry the whole old row")
          .containsEntry("name", "item 4").containsEntry("amount", new BigDecimal("4.25"));
      assertThat(streamed.subList(0, 4)).extracting(ChangeEvent::transactionId).as("one transaction, one id").containsOnly(
          streamed.get(0).transactionId());
      assertThat(streamed.get(0).transactionId()).isPositive().isLessThan(streamed.get(4).transactionId());
      List<Position> positions = sink.events.stream().map(ChangeEvent::position).toList();
      assertThat(positions).isSorted().doesNotHaveDuplicates();
      assertThat(positions.get(19).inSnapshot()).as("the last snapshot row ends the snapshot").isFalse();
      assertThat(positions.get(18).inSnapshot()).isTrue();
      assertThat(sink.failure).as("the source reported no failure").isNull();
    } finally {
      source.close();
    }
    assertThat(work.resolve("source").resolve(MariaDbSource.SCHEMA_HISTORY_FILE)).exists();

    // Resumed after the delete half of the key update: the create half comes again, nothing before it.
    CollectingSink resumed = new CollectingSink();
    MariaDbSource again = new MariaDbSource(settings("streams.items"));
    again.start(Optional.of(sink.events.get(24).position()), resumed);
    try {
      try (Connection connection = mariadb.adminConnection("streams"); Statement statement = connection.createStatement()) {
        statement.execute("INSERT INTO items (id, name) VALUES (300, 'after the restart')");
      }
      await(() -> resumed.events.size() >= 3, "resumed changes");
      assertThat(resumed.events).extracting(event -> event.row().get("id")).containsExactly(200, 6, 300);
      assertThat(resumed.events.subList(0, 2)).extracting(ChangeEvent::position)
          .containsExactlyElementsOf(sink.events.subList(25, 27).stream().map(ChangeEvent::position).toList());
      assertThat(resumed.failure).isNull();
    } finally {
      again.close();
    }

    // Resumed right after the snapshot: streams from where the snapshot was taken, no second snapshot.
    CollectingSink afterSnapshot = new CollectingSink();
    MariaDbSource third = new MariaDbSource(settings("streams.items"));
    third.start(Optional.of(sink.events.get(19).position()), afterSnapshot);
    try {
      await(() -> afterSnapshot.events.size() >= 8, "changes after the snapshot");
      assertThat(afterSnapshot.events).extracting(ChangeEvent::operation).doesNotContain(Operation.READ);
      assertThat(afterSnapshot.events).extracting(event -> event.row().get("id"))
          .containsExactly(100, 2, 3, 4, 5, 200, 6, 300);
    } finally {
      third.close();
    }
  }

  @Test
  void missingPrivilegesBinlogSettingsAndTablesAreToldWithTheirRemedy() throws Exception {
    mariadb.createDatabase("grants");
    try (Connection connection = mariadb.adminConnection("grants"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (id int PRIMARY KEY)");
      statement.execute("CREATE USER IF NOT EXISTS 'reader'@'%' IDENTIFIED BY 'secret'");
      statement.execute("GRANT REPLICATION SLAVE ON *.* TO 'reader'@'%'");
    }
    MariaDbSourceSettings base = settings("grants.t");
    MariaDbSourceSettings asReader = new MariaDbSourceSettings(base.name(), base.server(), base.host(), base.port(), "reader",
        Optional.of("secret"), base.tables(), "", base.serverId(), SnapshotMode.INITIAL, base.workDirectory());
    assertThatThrownBy(() -> new MariaDbSource(asReader).start(Optional.empty(), new CollectingSink()))
        .hasMessage("Cannot capture from source maria: user 'reader'@'%' lacks RELOAD, SHOW DATABASES, BINLOG MONITOR, LOCK TABLES "
            + "(run as an administrator: GRANT RELOAD, SHOW DATABASES, BINLOG MONITOR, LOCK TABLES ON *.* TO 'reader'@'%'; "
            + "a capture needs SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION CLIENT and LOCK TABLES)");
    try (Connection connection = mariadb.adminConnection("grants"); Statement statement = connection.createStatement()) {
      statement.execute("GRANT RELOAD, SHOW DATABASES, BINLOG MONITOR, LOCK TABLES ON *.* TO 'reader'@'%'");
    }
    assertThatThrownBy(() -> new MariaDbSource(asReader).start(Optional.empty(), new CollectingSink()))
        .hasMessage("Cannot capture table grants.t of source maria: user 'reader'@'%' may not read it "
            + "(run as an administrator: GRANT SELECT ON `grants`.* TO 'reader'@'%')");
    assertThatThrownBy(() -> new MariaDbSource(settings("grants.nope")).start(Optional.empty(), new CollectingSink()))
        .hasMessage("Cannot capture table grants.nope of source maria: it does not exist on the server "
            + "(check sources.maria.tables; names are database.table)");
    try (Connection connection = mariadb.adminConnection(""); Statement statement = connection.createStatement()) {
      statement.execute("SET GLOBAL binlog_row_image = 'MINIMAL'");
      try {
        assertThatThrownBy(() -> new MariaDbSource(base).start(Optional.empty(), new CollectingSink()))
            .hasMessage("Cannot capture from source maria: the server's binlog_row_image is MINIMAL, capture needs FULL "
                + "(run SET GLOBAL binlog_row_image = 'FULL' and set binlog_row_image = FULL in the server's configuration)");
      } finally {
        statement.execute("SET GLOBAL binlog_row_image = 'FULL'");
      }
    }
    String purged = "{\"file\":\"binlog.000999\",\"pos\":4,\"server_id\":1}";
    assertThatThrownBy(() -> new MariaDbSource(base).start(Optional.of(new Position("1:x", purged, false)), new CollectingSink()))
        .hasMessageStartingWith("Cannot resume source maria: binlog file binlog.000999 that holds the changes after the lake's "
            + "last commit is no longer on the server");
    assertThat(Files.exists(work.resolve("source"))).as("nothing started").isFalse();
  }

  private MariaDbSourceSettings settings(String... tables) {
    return new MariaDbSourceSettings("maria", BinlogServer.MARIADB, mariadb.host(), mariadb.port(), EmbeddedMariaDbServer.CDC_USER,
        Optional.of(EmbeddedMariaDbServer.CDC_PASSWORD), List.of(tables), "", 5401, SnapshotMode.INITIAL, work.resolve("source"));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static final class CollectingSink implements ChangeSink {
    final List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    volatile Throwable failure;

    @Override
    public void accept(ChangeEvent event) {
      events.add(event);
    }

    @Override
    public void reject(DeadLetter deadLetter) {
      throw new AssertionError("The MariaDB source rejected a record: " + deadLetter);
    }

    @Override
    public void progress(Position position) {}

    @Override
    public void failed(Throwable error) {
      failure = error;
    }
  }
}
