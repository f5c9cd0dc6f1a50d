package io.tributary.lake;

import static io.tributary.lake.Changes.SOURCE;
import static io.tributary.lake.Changes.byKey;
import static io.tributary.lake.Changes.column;
import static io.tributary.lake.Changes.delete;
import static io.tributary.lake.Changes.insert;
import static io.tributary.lake.Changes.position;
import static io.tributary.lake.Changes.read;
import static io.tributary.lake.Changes.row;
import static io.tributary.lake.Changes.schema;
import static io.tributary.lake.Changes.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DataType;
import io.tributary.api.TableSchema;
import io.tributary.core.config.MaintenanceConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeMaintenanceTest {
  private static final TableSchema ORDERS = schema("orders", List.of("id"),
      column("id", DataType.Kind.INT64),
      column("customer", DataType.Kind.STRING),
      column("amount", DataType.decimal(10, 2)));
  private static final MaintenanceConfig CONFIG = new MaintenanceConfig(true, Duration.ofMinutes(5), 3,
      128L * 1024 * 1024, Duration.ofHours(1), 1, Duration.ofDays(1));

  @TempDir
  Path warehouse;

  private Lake lake;
  private IcebergLakeWriter writer;
  private long nextPosition = 1;

  @BeforeEach
  void open() {
    lake = Lake.open(warehouse);
    writer = new IcebergLakeWriter(lake);
  }

  @AfterEach
  void close() {
    writer.close();
    lake.close();
  }

  private static Map<String, Object> order(long id, String customer, String amount) {
    return row("id", id, "customer", customer, "amount", new BigDecimal(amount));
  }

  /** Commits one batch per call: inserts of new keys, updates and deletes of earlier ones. */
  private List<ChangeEvent> batch(int round) {
    List<ChangeEvent> events = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long id = round * 20L + i;
      events.add(insert(ORDERS, nextPosition++, order(id, "c" + id, round + "." + i)));
    }
    if (round > 0) {
      for (int i = 0; i < 5; i++) {
        long id = (round - 1) * 20L + i;
        events.add(update(ORDERS, nextPosition++, null, order(id, "u" + round, "9" + round + "." + i)));
      }
      events.add(delete(ORDERS, nextPosition++, row("id", (round - 1) * 20L + 10)));
    }
    return events;
  }

  private void commitRounds(int from, int to) {
    for (int round = from; round < to; round++) {
      writer.commit(SOURCE, batch(round), position(nextPosition - 1));
    }
  }

  private Table table(String layer) {
    return lake.catalog().loadTable(TableIdentifier.of(layer, "orders"));
  }

  private static List<String> rows(List<Record> records) {
    return records.stream().map(Record::toString).sorted().toList();
  }

  private LakeMaintenance maintenance(Instant now, Compaction.BeforeCommit beforeCommit) {
    return new LakeMaintenance(lake, CONFIG, Clock.fixed(now, ZoneOffset.UTC), beforeCommit);
  }

  private TableReport report(List<TableReport> reports, String table) {
    return reports.stream().filter(report -> report.table().equals(table)).findFirst().orElseThrow();
  }

  @Test
  void compactionKeepsEveryRowAndFoldsTheDeletes() {
    commitRounds(0, 4);
    List<String> silverBefore = rows(read(lake, Lake.SILVER, "orders"));
    List<String> bronzeBefore = rows(read(lake, Lake.BRONZE, "orders"));
    Table streamed = table(Lake.SILVER);
    String positionBefore = TablePositions.recorded(streamed).orElseThrow();

    // a dry run says what it would do and changes nothing
    TableReport dryRun = report(maintenance(Instant.now().plus(Duration.ofHours(2)), table -> {})
        .run(Optional.empty(), true), "silver.orders");
    assertThat(dryRun.dataFilesRewritten()).isEqualTo(4);
    // one equality delete file per commit; the first applies to no data file
    assertThat(dryRun.deleteFilesFolded()).isEqualTo(4);
    assertThat(dryRun.snapshotsExpired()).isEqualTo(3);
    assertThat(dryRun.compacted()).isFalse();
    assertThat(table(Lake.SILVER).currentSnapshot().snapshotId()).isEqualTo(streamed.currentSnapshot().snapshotId());
    assertThat(countFiles(warehouse.resolve("silver/orders/data"))).isEqualTo(4 + 4);

    List<TableReport> reports = maintenance(Instant.now(), table -> {}).run(Optional.empty(), false);

    TableReport silver = report(reports, "silver.orders");
    assertThat(silver.problem()).isEmpty();
    assertThat(silver.compacted()).isTrue();
    assertThat(silver.dataFilesBefore()).isEqualTo(4);
    assertThat(silver.deleteFilesBefore()).isEqualTo(4);
    assertThat(silver.dataFilesAfter()).isEqualTo(1);
    assertThat(silver.deleteFilesAfter()).isZero();
    assertThat(silver.deleteFilesFolded()).isEqualTo(4);
    assertThat(report(reports, "bronze.orders").dataFilesAfter()).isEqualTo(1);
    assertThat(rows(read(lake, Lake.SILVER, "orders"))).isEqualTo(silverBefore);
    assertThat(rows(read(lake, Lake.BRONZE, "orders"))).isEqualTo(bronzeBefore);
    Table compacted = table(Lake.SILVER);
    assertThat(compacted.currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(compacted.currentSnapshot().summary())
        .containsEntry(LakeProperties.SOURCE, SOURCE)
        .containsEntry(Compaction.MAINTENANCE, "compaction")
        .doesNotContainKey(LakeProperties.POSITION);
    assertThat(TablePositions.recorded(compacted)).contains(positionBefore);
    assertThat(byKey(read(lake, Lake.SILVER, "orders"), "id")).hasSize(4 * 20 - 3);

    // nothing left to do: the next round leaves the tables as they are
    List<TableReport> again = maintenance(Instant.now(), table -> {}).run(Optional.empty(), false);
    assertThat(again).allSatisfy(report -> assertThat(report.compacted()).isFalse());
    assertThat(table(Lake.SILVER).currentSnapshot().snapshotId()).isEqualTo(compacted.currentSnapshot().snapshotId());
  }

  @Test
  void redeliveryAfterCompactionNeitherDuplicatesNorLoses() {
    List<ChangeEvent> first = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      List<ChangeEvent> events = batch(round);
      writer.commit(SOURCE, events, events.get(events.size() - 1).position());
      first.addAll(events);
    }
    maintenance(Instant.now(), table -> {}).run(Optional.empty(), false);
    List<ChangeEvent> second = batch(3);
    writer.commit(SOURCE, second, second.get(second.size() - 1).position());
    maintenance(Instant.now(), table -> {}).run(Optional.empty(), false);
    List<String> silver = rows(read(lake, Lake.SILVER, "orders"));
    int bronzeRows = read(lake, Lake.BRONZE, "orders").size();
    assertThat(bronzeRows).isEqualTo(first.size() + second.size());

    // a restarted writer is sent everything again, as after a crash before the checkpoint
    IcebergLakeWriter restarted = new IcebergLakeWriter(lake);
    List<ChangeEvent> all = new ArrayList<>(first);
    all.addAll(second);
    var summary = restarted.commit(SOURCE, all, all.get(all.size() - 1).position());
    restarted.close();

    assertThat(summary.skipped()).isEqualTo(all.size());
    assertThat(read(lake, Lake.BRONZE, "orders")).hasSize(bronzeRows);
    assertThat(rows(read(lake, Lake.SILVER, "orders"))).isEqualTo(silver);
  }

  @Test
  void writerCommitDuringCompactionSurvives() {
    commitRounds(0, 4);
    List<ChangeEvent> concurrent = List.of(
        update(ORDERS, 1000, null, order(3, "late", "3.33")),
        delete(ORDERS, 1001, row("id", 4L)),
        insert(ORDERS, 1002, order(999, "new", "9.99")));
    IcebergLakeWriter other = new IcebergLakeWriter(lake);

    List<TableReport> reports = maintenance(Instant.now(), table -> {
      if (table.name().endsWith("silver.orders")) {
        other.commit(SOURCE, concurrent, position(1002));
      }
    }).run(Optional.of("silver.orders"), false);
    other.close();

    assertThat(reports).singleElement().satisfies(report -> assertThat(report.compacted()).isTrue());
    Map<Object, Record> silver = byKey(read(lake, Lake.SILVER, "orders"), "id");
    assertThat(silver.get(3L).getField("customer")).as("the writer's update wins over the compacted row")
        .isEqualTo("late");
    assertThat(silver).doesNotContainKey(4L).containsKey(999L);
    assertThat(silver).hasSize(4 * 20 - 3 - 1 + 1);
    Table table = table(Lake.SILVER);
    assertThat(table.currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(TablePositions.recorded(table)).as("the writer's position, not the compaction's base")
        .contains(position(1002).sortKey());
    // the writer's delete file stays: it applies to the compacted rows
    assertThat(table.currentSnapshot().summary()).containsEntry("total-delete-files", "1");
  }

  @Test
  void aConflictingCommitMakesCompactionGiveUpTheRound() {
    commitRounds(0, 3);
    List<String> before = rows(read(lake, Lake.SILVER, "orders"));

    List<TableReport> reports = maintenance(Instant.now(), table -> {
      // a concurrent compaction of the same files wins
      new LakeMaintenance(lake, CONFIG).run(Optional.of("silver.orders"), false);
    }).run(Optional.of("silver.orders"), false);

    assertThat(reports).singleElement().satisfies(report -> {
      assertThat(report.compacted()).isFalse();
      assertThat(report.compactionSkipped()).hasValueSatisfying(why -> assertThat(why)
          .startsWith("a concurrent commit conflicts").endsWith("tried again next round"));
    });
    assertThat(rows(read(lake, Lake.SILVER, "orders"))).isEqualTo(before);
    assertThat(countFiles(warehouse.resolve("silver/orders/data"))).as("the loser's files were removed")
        .isEqualTo(3 + 3 + 1);
  }

  @Test
  void expiryKeepsTheRecordedPositionReadable() {
    commitRounds(0, 4);
    String position = TablePositions.recorded(table(Lake.SILVER)).orElseThrow();
    maintenance(Instant.now(), table -> {}).run(Optional.empty(), false);
    List<String> silver = rows(read(lake, Lake.SILVER, "orders"));

    // two hours later, everything is older than the retention: only what must stay, stays
    List<TableReport> reports = maintenance(Instant.now().plus(Duration.ofHours(2)), table -> {})
        .run(Optional.empty(), false);

    TableReport report = report(reports, "silver.orders");
    assertThat(report.snapshotsExpired()).isEqualTo(4 - 1);
    assertThat(report.expiredFilesDeleted()).isPositive();
    Table table = table(Lake.SILVER);
    List<Snapshot> snapshots = new ArrayList<>();
    table.snapshots().forEach(snapshots::add);
    assertThat(snapshots).extracting(Snapshot::operation)
        .containsExactlyInAnyOrder(DataOperations.OVERWRITE, DataOperations.REPLACE);
    assertThat(TablePositions.recorded(table)).contains(position);
    assertThat(rows(read(lake, Lake.SILVER, "orders"))).isEqualTo(silver);
    assertThat(countFiles(warehouse.resolve("silver/orders/data"))).as("the kept writer snapshot holds its files")
        .isEqualTo(4 + 4 + 1);

    // the writer goes on from the kept position; its commit lets the next round expire the rest
    List<ChangeEvent> next = batch(4);
    writer.commit(SOURCE, next, next.get(next.size() - 1).position());
    assertThat(TablePositions.recorded(table(Lake.SILVER))).contains(next.get(next.size() - 1).position().sortKey());
    TableReport later = report(new LakeMaintenance(lake, new MaintenanceConfig(true, Duration.ofMinutes(5), 100,
        128L * 1024 * 1024, Duration.ofHours(1), 1, Duration.ofDays(1)),
        Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC), ignored -> {})
        .run(Optional.of("silver.orders"), false), "silver.orders");
    assertThat(later.snapshotsExpired()).isEqualTo(2);
    assertThat(countFiles(warehouse.resolve("silver/orders/data"))).as("files of expired snapshots are deleted")
        .isEqualTo(1 + 2);
  }

  @Test
  void orphanRemovalDeletesOnlyOldUnreferencedFiles() throws IOException {
    commitRounds(0, 2);
    Path data = warehouse.resolve("silver/orders/data");
    Path metadata = warehouse.resolve("silver/orders/metadata");
    Path oldOrphan = Files.writeString(data.resolve("00000-orphan.parquet"), "left by a crashed commit");
    Path oldMetadataOrphan = Files.writeString(metadata.resolve("snap-orphan.avro"), "left by a crashed commit");
    Path youngOrphan = Files.writeString(data.resolve("00001-young.parquet"), "a commit being written");
    List<String> rows = rows(read(lake, Lake.SILVER, "orders"));
    Instant now = Instant.now().plus(Duration.ofMinutes(30));
    // every file but the young one is older than the safety age (one day) at "now"
    FileTime old = FileTime.from(now.minus(Duration.ofDays(2)));
    try (Stream<Path> files = Files.walk(warehouse.resolve("silver/orders"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.equals(youngOrphan)) {
          Files.setLastModifiedTime(file, old);
        }
      }
    }
    long referenced = countFiles(data) - 2;

    TableReport dryRun = report(maintenance(now, table -> {}).run(Optional.of("silver.orders"), true),
        "silver.orders");
    assertThat(dryRun.orphansRemoved()).isEqualTo(2);
    assertThat(oldOrphan).exists();

    TableReport report = report(new LakeMaintenance(lake, new MaintenanceConfig(true, Duration.ofMinutes(5), 100,
        128L * 1024 * 1024, Duration.ofDays(7), 1, Duration.ofDays(1)), Clock.fixed(now, ZoneOffset.UTC),
        table -> {}).run(Optional.of("silver.orders"), false), "silver.orders");

    assertThat(report.orphansRemoved()).isEqualTo(2);
    assertThat(oldOrphan).doesNotExist();
    assertThat(oldMetadataOrphan).doesNotExist();
    assertThat(youngOrphan).exists();
    assertThat(countFiles(data)).isEqualTo(referenced + 1);
    assertThat(rows(read(lake, Lake.SILVER, "orders"))).isEqualTo(rows);
  }

  @Test
  void theSchedulerRunsRoundsOnTheGivenExecutorUntilClosed() throws InterruptedException {
    commitRounds(0, 3);
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try (MaintenanceScheduler scheduler = new MaintenanceScheduler(new LakeMaintenance(lake, CONFIG),
        Duration.ofMillis(50), executor)) {
      scheduler.start();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (scheduler.lastRound().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(scheduler.lastRound()).extracting(TableReport::table)
          .containsExactly("bronze.orders", "history.orders", "silver.orders");
    } finally {
      executor.shutdown();
      assertThat(executor.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(table(Lake.SILVER).currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(table(Lake.BRONZE).currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
  }

  @Test
  void theSchedulerSkipsRoundsWhileDeferred() throws InterruptedException {
    commitRounds(0, 3);
    long before = table(Lake.SILVER).currentSnapshot().snapshotId();
    AtomicInteger asked = new AtomicInteger();
    AtomicBoolean snapshotting = new AtomicBoolean(true);
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try (MaintenanceScheduler scheduler = new MaintenanceScheduler(new LakeMaintenance(lake, CONFIG),
        Duration.ofMillis(50), executor, () -> {
          asked.incrementAndGet();
          return snapshotting.get();
        })) {
      scheduler.start();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (asked.get() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(asked.get()).as("rounds due").isGreaterThanOrEqualTo(3);
      assertThat(scheduler.lastRound()).as("no round ran while deferred").isEmpty();
      assertThat(table(Lake.SILVER).currentSnapshot().snapshotId()).isEqualTo(before);

      snapshotting.set(false);
      while (scheduler.lastRound().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(scheduler.lastRound()).extracting(TableReport::table)
          .containsExactly("bronze.orders", "history.orders", "silver.orders");
    } finally {
      executor.shutdown();
      assertThat(executor.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(table(Lake.SILVER).currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
  }

  @Test
  void anUnknownTableIsRefused() {
    commitRounds(0, 1);

    assertThatThrownBy(() -> new LakeMaintenance(lake, CONFIG).run(Optional.of("silver.nope"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid table silver.nope: the lake has no such table (tables: [bronze.orders, history.orders, silver.orders])");
  }

  private static long countFiles(Path directory) {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
