package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.fault.CrashPoints;
import io.tributary.lake.HistoryCheck;
import io.tributary.lake.Lake;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code tributary run} in a child JVM and kills it with SIGKILL at chosen places of the
 * commit path — during the initial snapshot, between writing data files and committing them, right
 * after a commit, right after a checkpoint — while a workload keeps changing the source. After a
 * last clean run, bronze must hold every audited change exactly once and silver must equal the
 * source row by row.
 */
class CrashRecoveryIT {
  private static final int PRELOADED = 3_000;

  @TempDir Path work;

  @Test
  void noChangeIsLostOrDuplicatedAcrossKills() throws Exception {
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      postgres.createDatabase("shop");
      ShopFixture shop = new ShopFixture(7);
      try (Connection connection = postgres.connection("shop")) {
        ShopFixture.createSchema(connection);
        shop.load(connection, PRELOADED);
      }
      Path config = writeConfig(postgres);
      Path warehouse = work.resolve("lake");

      // 1. Killed in the middle of the initial snapshot.
      runUntilCrash(config, CrashPoints.AFTER_COMMIT + ":3", 1);

      // 2. The snapshot starts again and completes; then the workload starts.
      Workload workload = new Workload(postgres, shop);
      Process second = start(config, CrashPoints.BEFORE_COMMIT + ":45", 2);
      try (Lake lake = Lake.open(warehouse)) {
        Awaits.until(Duration.ofMinutes(3), "the snapshot to complete after the restart",
            () -> LakeComparison.snapshotReads(lake.catalog(), "customers").size() == PRELOADED);
      }
      workload.start();
      awaitCrashPoint(second, 2);

      // 3. and 4. Killed while streaming: right after a layer table commit (bronze, silver and history commit
      // side by side, so a kill can leave any of them behind the others), right after a checkpoint.
      runUntilCrash(config, CrashPoints.AFTER_COMMIT + ":17", 3);
      runUntilCrash(config, CrashPoints.AFTER_CHECKPOINT + ":6", 4);

      // 5. A clean run catches up after the workload stops.
      Process last = start(config, "", 5);
      try {
        Thread.sleep(2_000);
        workload.stop();
        try (Lake lake = Lake.open(warehouse);
            Connection connection = postgres.connection("shop")) {
          Map<Integer, List<String>> expected = LakeComparison.auditedChanges(connection, "customers");
          assertThat(expected).hasSizeGreaterThan(100);
          Awaits.until(Duration.ofMinutes(3), "bronze to hold every audited change",
              () -> LakeComparison.bronzeChanges(lake.catalog(), "customers").equals(expected));
          Map<Integer, List<String>> source = LakeComparison.sourceRows(connection, "customers", ShopFixture.CUSTOMERS_COLUMNS);
          Awaits.until(Duration.ofMinutes(1), "silver to equal the source",
              () -> LakeComparison.lakeRows(lake.catalog(), "silver", "customers", ShopFixture.CUSTOMERS_COLUMNS).equals(source));

          assertThat(LakeComparison.bronzeChanges(lake.catalog(), "customers")).isEqualTo(expected);
          assertThat(LakeComparison.snapshotReads(lake.catalog(), "customers"))
              .hasSize(PRELOADED)
              .allSatisfy((key, reads) -> assertThat(reads).as("snapshot reads of key %s", key).isEqualTo(1L));
          assertThat(LakeComparison.lakeRows(lake.catalog(), "silver", "customers", ShopFixture.CUSTOMERS_COLUMNS))
              .containsExactlyEntriesOf(source);
          Awaits.until(Duration.ofMinutes(1), "history's current versions to equal the source",
              () -> LakeComparison.currentHistoryRows(lake.catalog(), "customers", ShopFixture.CUSTOMERS_COLUMNS)
                  .equals(source));
          // no version lost or doubled: history is exactly what bronze's changes make
          assertThat(HistoryCheck.violations(lake, "customers")).isEmpty();
        }
        assertThat(last.isAlive()).as("the last run is still healthy").isTrue();
      } finally {
        workload.stop();
        last.destroy();
        last.waitFor(60, TimeUnit.SECONDS);
        last.destroyForcibly();
      }
    }
  }

  private Path writeConfig(EmbeddedPostgresServer postgres) throws IOException {
    Path config = work.resolve("tributary.yaml");
    Files.writeString(config, """
        name: crashtest
        server:
          listen: 127.0.0.1:0
        lake:
          warehouse: lake
          commit-interval: 200ms
          max-batch-changes: 400
        sources:
          shop:
            type: postgres
            host: 127.0.0.1
            port: %d
            database: shop
            user: postgres
            password: ${env:SHOP_PASSWORD}
            tables: [public.customers, public.page_views]
            heartbeat-interval: 1s
        """.formatted(postgres.port()));
    return config;
  }

  private void runUntilCrash(Path config, String crashPoint, int run) throws Exception {
    awaitCrashPoint(start(config, crashPoint, run), run);
  }

  private Process start(Path config, String crashPoint, int run) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    if (!crashPoint.isEmpty()) {
      command.add("-D" + CrashPoints.PROPERTY + "=" + crashPoint);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tributary.cli.Main", "run", "--config", config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log(run).toFile());
    builder.environment().put("SHOP_PASSWORD", "postgres");
    return builder.start();
  }

  private void awaitCrashPoint(Process process, int run) throws Exception {
    try {
      Awaits.until(Duration.ofMinutes(3), "run " + run + " to reach its crash point (log: " + log(run) + ")", () -> {
        if (!process.isAlive()) {
          throw new AssertionError("run " + run + " exited with " + process.exitValue() + ":\n" + Files.readString(log(run)));
        }
        return Files.readString(log(run)).contains(CrashPoints.MARKER);
      });
    } finally {
      // SIGKILL: no shutdown hook, no flush, exactly where it stands.
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Path log(int run) {
    return work.resolve("run-" + run + ".log");
  }

  /** Changes the source continuously on its own thread until stopped. */
  private static final class Workload {
    private final EmbeddedPostgresServer postgres;
    private final ShopFixture shop;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private Thread thread;

    Workload(EmbeddedPostgresServer postgres, ShopFixture shop) {
      this.postgres = postgres;
      this.shop = shop;
    }

    void start() {
      running.set(true);
      thread = new Thread(() -> {
        try (Connection connection = postgres.connection("shop")) {
          boolean edgeCasesDone = false;
          while (running.get()) {
            shop.step(connection);
            if (!edgeCasesDone) {
              shop.edgeCases(connection);
              edgeCasesDone = true;
            }
            Thread.sleep(5);
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "crash-test-workload");
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      if (thread != null) {
        thread.join();
      }
      if (failure.get() != null) {
        throw new AssertionError("The workload failed", failure.get());
      }
    }
  }
}
