package io.tributary.sql.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSchedulerTest {
  @TempDir Path directory;

  /** A clock the test moves by hand. */
  private static final class FakeClock extends Clock {
    private Instant now;

    FakeClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void runsOnlyAffectedModelsUpstreamFirstAndRespectsMinIntervalAndSchedule() throws Exception {
    Path models = Files.createDirectories(directory.resolve("models"));
    Files.writeString(models.resolve("a.sql"), "SELECT id, status FROM silver.orders");
    Files.writeString(models.resolve("c.sql"), "SELECT count(*) AS n FROM gold.a");
    Files.writeString(models.resolve("b.sql"), "-- refresh: {min-interval: 10s}\nSELECT id, name FROM silver.clients");
    Files.writeString(models.resolve("d.sql"), "-- refresh: {schedule: '*/5 * * * *'}\nSELECT count(*) AS n FROM silver.orders");
    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:01:30Z"));
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      SilverTables silver = new SilverTables(lake);
      Table orders = silver.create("orders", SilverTables.ORDERS);
      Table clients = silver.create("clients", SilverTables.CLIENTS);
      silver.upsert(orders, List.of(SilverTables.order(orders, 1, 1L, "new", "1.00")), List.of());
      silver.upsert(clients, List.of(SilverTables.client(clients, 1, "ana")), List.of());
      try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
        ModelScheduler scheduler = new ModelScheduler(ModelProject.load(models), new ModelRunner(lake, engine), clock);
        assertThat(scheduler.runDue()).isEmpty();

        scheduler.onCommitted(Set.of("silver.orders"));
        assertThat(scheduler.dirtyModels()).containsExactlyInAnyOrder("a", "c");
        assertThat(scheduler.runDue()).extracting(ModelRunResult::model).containsExactly("a", "c");
        assertThat(scheduler.lastResults().get("c").succeeded()).isTrue();
        assertThat(engine.query("SELECT n FROM gold.c").rows()).containsExactly(List.of(1L));
        assertThat(scheduler.runDue()).isEmpty();

        scheduler.onCommitted(Set.of("silver.clients"));
        assertThat(scheduler.runDue()).extracting(ModelRunResult::model).containsExactly("b");
        clock.advance(Duration.ofSeconds(5));
        scheduler.onCommitted(Set.of("silver.clients"));
        assertThat(scheduler.runDue()).isEmpty();
        clock.advance(Duration.ofSeconds(5));
        assertThat(scheduler.runDue()).extracting(ModelRunResult::model).containsExactly("b");

        // d runs at 00:05, not before, whatever is committed.
        assertThat(scheduler.nextScheduledRuns()).containsEntry("d", Instant.parse("2026-01-01T00:05:00Z"));
        clock.advance(Duration.ofMinutes(3));
        assertThat(scheduler.runDue()).isEmpty();
        clock.advance(Duration.ofSeconds(20));
        assertThat(scheduler.runDue()).extracting(ModelRunResult::model).containsExactly("d");
        assertThat(scheduler.nextScheduledRuns()).containsEntry("d", Instant.parse("2026-01-01T00:10:00Z"));
        assertThat(scheduler.lastResults()).containsOnlyKeys("a", "b", "c", "d");
      }
    }
  }

  @Test
  void modelReadingATableNotInTheLakeYetWaitsForItAndRunsOnceItExists() throws Exception {
    Path models = Files.createDirectories(directory.resolve("models"));
    Files.writeString(models.resolve("m.sql"),
        "SELECT o.id, x.name FROM silver.orders o JOIN silver.x x ON x.id = o.id");
    Files.writeString(models.resolve("n.sql"), "SELECT count(*) AS rows FROM gold.m");
    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    Set<String> lakeTables = new java.util.HashSet<>(Set.of("silver.orders"));
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      SilverTables silver = new SilverTables(lake);
      Table orders = silver.create("orders", SilverTables.ORDERS);
      silver.upsert(orders, List.of(SilverTables.order(orders, 1, 1L, "new", "1.00"),
          SilverTables.order(orders, 2, 1L, "new", "2.00")), List.of());
      try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
        ModelScheduler scheduler = new ModelScheduler(ModelProject.load(models), new ModelRunner(lake, engine), clock,
            lakeTables::contains);

        scheduler.onCommitted(Set.of("silver.orders"));
        List<ModelRunResult> waiting = scheduler.runDue();

        assertThat(waiting).extracting(ModelRunResult::model, ModelRunResult::outcome).containsExactly(
            org.assertj.core.api.Assertions.tuple("m", ModelRunResult.Outcome.SKIPPED),
            org.assertj.core.api.Assertions.tuple("n", ModelRunResult.Outcome.SKIPPED));
        assertThat(waiting.get(0).error()).contains("waiting for silver.x, which has no rows yet");
        assertThat(waiting.get(1).error())
            .contains("waiting for gold.m, which is waiting for silver.x, which has no rows yet");
        assertThat(scheduler.dirtyModels()).containsExactlyInAnyOrder("m", "n");
        assertThat(lake.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of("gold", "m"))).isFalse();
        // Still waiting on the next round: nothing ran, nothing failed.
        clock.advance(Duration.ofSeconds(1));
        assertThat(scheduler.runDue()).extracting(ModelRunResult::outcome)
            .containsOnly(ModelRunResult.Outcome.SKIPPED);
        assertThat(scheduler.dirtyModels()).containsExactlyInAnyOrder("m", "n");

        Table x = silver.create("x", SilverTables.CLIENTS);
        silver.upsert(x, List.of(SilverTables.client(x, 2, "bia"), SilverTables.client(x, 3, "cid")), List.of());
        lakeTables.add("silver.x");
        clock.advance(Duration.ofSeconds(1));
        List<ModelRunResult> ran = scheduler.runDue();

        assertThat(ran).extracting(ModelRunResult::model, ModelRunResult::outcome).containsExactly(
            org.assertj.core.api.Assertions.tuple("m", ModelRunResult.Outcome.SUCCEEDED),
            org.assertj.core.api.Assertions.tuple("n", ModelRunResult.Outcome.SUCCEEDED));
        assertThat(scheduler.dirtyModels()).isEmpty();
        assertThat(engine.query("SELECT id, name FROM gold.m").rows()).containsExactly(List.of(2L, "bia"));
        assertThat(engine.query("SELECT rows FROM gold.n").rows()).containsExactly(List.of(1L));
        assertThat(scheduler.runDue()).isEmpty();
      }
    }
  }

  @Test
  void cronFindsTheNextRun() {
    Instant after = Instant.parse("2026-01-30T23:58:10Z"); // a Friday
    assertThat(CronSchedule.parse("*/5 * * * *").nextRun(after)).isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
    assertThat(CronSchedule.parse("30 2 * * MON-FRI").nextRun(after)).isEqualTo(Instant.parse("2026-02-02T02:30:00Z"));
    assertThat(CronSchedule.parse("0 0 1 */3 *").nextRun(after)).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(CronSchedule.parse("0 12 29 2 *").nextRun(after)).isEqualTo(Instant.parse("2028-02-29T12:00:00Z"));
    assertThat(CronSchedule.parse("0 0 13 * 5").nextRun(after)).isEqualTo(Instant.parse("2026-02-06T00:00:00Z"));
    assertThat(CronSchedule.parse("59 23 * * *").nextRun(after)).isEqualTo(Instant.parse("2026-01-30T23:59:00Z"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CronSchedule.parse("0 0 31 2 *"))
        .hasMessageStartingWith("Invalid cron expression '0 0 31 2 *': no time ever matches it");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CronSchedule.parse("* * * *"))
        .hasMessageStartingWith("Invalid cron expression '* * * *': it has 4 fields, expected 5");
  }
}
