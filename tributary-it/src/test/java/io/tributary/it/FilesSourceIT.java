package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.fault.CrashPoints;
import io.tributary.lake.Lake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder of JSON lines and one of CSV files, read by {@code tributary run} in a child JVM that is
 * killed with SIGKILL at places of the commit path while files keep arriving. After a last clean
 * run, bronze holds every good record exactly once, silver the last state of every key (deletes
 * applied), bad rows none, and read files sit in the archive.
 */
class FilesSourceIT {
  @TempDir Path work;

  @Test
  void everyFileIsReadExactlyOnceAcrossKills() throws Exception {
    Path jsonIn = Files.createDirectories(work.resolve("users-in"));
    Path csvIn = Files.createDirectories(work.resolve("orders-in"));
    Path archive = work.resolve("orders-done");
    Path config = Files.writeString(work.resolve("tributary.yaml"), """
        name: filestest
        server:
          listen: 127.0.0.1:0
        lake:
          warehouse: lake
          commit-interval: 200ms
          max-batch-changes: 100
        sources:
          users:
            type: files
            path: users-in
            format: jsonl
            poll-interval: 100ms
          orders:
            type: files
            path: orders-in
            format: csv
            glob: "*.csv"
            archive: orders-done
            poll-interval: 100ms
            columns: {id: int, n: bigint}
        tables:
          users:
            key: [id]
            delete-when: "operation = 'DELETE'"
          orders:
            key: [id]
            delete-when: "operation = 'DELETE'"
        """);
    FeedRecords users = new FeedRecords(1, 150);
    FeedRecords orders = new FeedRecords(2, 150);
    int[] file = {0};
    Runnable drop = () -> {
      try {
        file[0]++;
        List<String> lines = new ArrayList<>();
        for (FeedRecords.Produced record : users.next(250)) {
          lines.add(record.json());
        }
        // a bad line and a line without the key: both refused, the rest flows on
        lines.add(120, "{\"id\": 7, \"name\": broken");
        lines.add(60, "{\"name\": \"no key\", \"n\": 0}");
        renameIntoPlace(jsonIn, String.format("users-%03d.jsonl", file[0]), String.join("\n", lines) + "\n");
        List<String> rows = new ArrayList<>(List.of("id,name,n,operation"));
        for (FeedRecords.Produced record : orders.next(250)) {
          rows.add(record.name().contains(",") ? record.csv().replace(record.name(), "\"" + record.name() + "\"")
              : record.csv());
        }
        rows.add(30, "8,wrong n,not-a-number,UPSERT");
        rows.add(90, "9,too,many,fields,here");
        renameIntoPlace(csvIn, String.format("orders-%03d.csv", file[0]), String.join("\n", rows) + "\n");
        // written in place under a hidden name: never read while it is being written
        Files.writeString(csvIn.resolve(".orders-partial.csv"), "id,name,n,operation\n1,x,");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    drop.run();
    drop.run();

    Map<String, String> environment = Map.of();
    ChildRun.start(config, CrashPoints.AFTER_COMMIT + ":3", work.resolve("run-1.log"), environment)
        .awaitCrashPointAndKill();
    drop.run();
    ChildRun.start(config, CrashPoints.AFTER_CHECKPOINT + ":5", work.resolve("run-2.log"), environment)
        .awaitCrashPointAndKill();
    ChildRun.start(config, CrashPoints.BEFORE_COMMIT + ":4", work.resolve("run-3.log"), environment)
        .awaitCrashPointAndKill();
    drop.run();

    try (ChildRun last = ChildRun.start(config, "", work.resolve("run-4.log"), environment);
        Lake lake = Lake.open(work.resolve("lake"))) {
      // Bronze commits before silver in each batch: wait for both layers, then compare them exactly.
      Awaits.until(Duration.ofMinutes(2), "bronze and silver to hold every good record",
          () -> FeedRecords.bronze(lake.catalog(), "users").size() >= users.produced().size()
              && FeedRecords.bronze(lake.catalog(), "orders").size() >= orders.produced().size()
              && FeedRecords.silver(lake.catalog(), "users").equals(users.expectedSilver())
              && FeedRecords.silver(lake.catalog(), "orders").equals(orders.expectedSilver())
              && archived(archive) == file[0]);
      assertThat(FeedRecords.bronze(lake.catalog(), "users")).isEqualTo(users.expectedBronze());
      assertThat(FeedRecords.bronze(lake.catalog(), "orders")).isEqualTo(orders.expectedBronze());
      assertThat(FeedRecords.silver(lake.catalog(), "users")).containsExactlyEntriesOf(users.expectedSilver());
      assertThat(FeedRecords.silver(lake.catalog(), "orders")).containsExactlyEntriesOf(orders.expectedSilver());
      assertThat(last.isAlive()).as("the last run is healthy").isTrue();
      // each bad row once, whichever run read it first
      Map<String, String> userErrors = errors(lake, "users");
      Map<String, String> orderErrors = errors(lake, "orders");
      assertThat(userErrors).hasSize(2 * file[0]);
      assertThat(orderErrors).hasSize(2 * file[0]);
      assertThat(userErrors.get("file " + jsonIn.resolve("users-001.jsonl") + " line 122"))
          .startsWith("malformed JSON: Unrecognized token 'broken'");
      assertThat(userErrors.get("file " + jsonIn.resolve("users-004.jsonl") + " line 61"))
          .isEqualTo("key column id is missing (every record needs its key: id)");
      assertThat(orderErrors.get("file " + csvIn.resolve("orders-001.csv") + " line 31"))
          .isEqualTo("column n: 'not-a-number' is not a bigint (the column is bigint, declared under columns)");
      assertThat(orderErrors.get("file " + csvIn.resolve("orders-003.csv") + " line 91"))
          .isEqualTo("the row has 5 fields and the header 4");
      assertThat(last.output()).doesNotContain(".orders-partial.csv");
    }
    try (Stream<Path> left = Files.list(csvIn)) {
      assertThat(left.map(path -> path.getFileName().toString())).containsExactly(".orders-partial.csv");
    }
  }

  /** errors.<table> as location to reason; a location twice fails. */
  private static Map<String, String> errors(Lake lake, String table) {
    Map<String, String> errors = new java.util.TreeMap<>();
    for (org.apache.iceberg.data.Record record : LakeComparison.records(lake.catalog(), "errors", table)) {
      String location = record.getField("_location").toString();
      if (errors.put(location, record.getField("reason").toString()) != null) {
        throw new AssertionError("errors." + table + " holds " + location + " twice");
      }
    }
    return errors;
  }

  private static long archived(Path archive) throws Exception {
    if (!Files.isDirectory(archive)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(archive)) {
      return files.count();
    }
  }

  private static void renameIntoPlace(Path directory, String name, String content) throws Exception {
    Path temporary = directory.resolve("." + name + ".tmp");
    Files.writeString(temporary, content);
    Files.move(temporary, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }
}
