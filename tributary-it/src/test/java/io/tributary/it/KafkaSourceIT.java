package io.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.fault.CrashPoints;
import io.tributary.lake.Lake;
import io.tributary.testkit.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic of JSON records over three partitions and a topic of Debezium change events, read by
 * {@code tributary run} in a child JVM from a broker in this JVM; the child is killed with SIGKILL at
 * places of the commit path while records keep arriving. After a last clean run, bronze holds every
 * good record exactly once, silver the last state of every key, and errors.clients each bad record
 * once with its topic, partition and offset.
 */
class KafkaSourceIT {
  private static EmbeddedKafkaBroker broker;

  @TempDir Path work;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void everyRecordLandsExactlyOnceAcrossKills() throws Exception {
    broker.createTopic("crashing.clients", 3);
    broker.createTopic("accounts.cdc", 1);
    Path config = Files.writeString(work.resolve("tributary.yaml"), """
        name: kafkatest
        server:
          listen: 127.0.0.1:0
        lake:
          warehouse: lake
          commit-interval: 200ms
          max-batch-changes: 100
        sources:
          clients:
            type: kafka
            bootstrap-servers: %s
            topic: crashing.clients
            format: json
          accounts:
            type: kafka
            bootstrap-servers: %s
            topic: accounts.cdc
            format: debezium
        tables:
          clients:
            key: [id]
            delete-when: "operation = 'DELETE'"
        """.formatted(broker.bootstrapServers(), broker.bootstrapServers()));
    FeedRecords clients = new FeedRecords(3, 200);
    Map<Integer, List<String>> accounts = new TreeMap<>();
    List<String> bad = new ArrayList<>();
    try (KafkaProducer<String, String> producer = broker.producer()) {
      int[] version = {0};
      Runnable produce = () -> {
        List<FeedRecords.Produced> batch = clients.next(300);
        for (int i = 0; i < batch.size(); i++) {
          FeedRecords.Produced record = batch.get(i);
          producer.send(new ProducerRecord<>("crashing.clients", Integer.toString(record.id()), record.json()));
          if (i == 100) {
            producer.send(new ProducerRecord<>("crashing.clients", "x", "{\"id\": 5, \"name\": "));
            producer.send(new ProducerRecord<>("crashing.clients", "y", "{\"name\": \"no id\", \"n\": 1}"));
            producer.send(new ProducerRecord<>("crashing.clients", "z", "{\"id\": 6, \"name\": \"n is text\", \"n\": \"six\"}"));
            bad.add("batch");
          }
        }
        version[0]++;
        for (int id = 1; id <= 20; id++) {
          boolean delete = version[0] % 3 == 0 && id % 5 == 0;
          producer.send(new ProducerRecord<>("accounts.cdc", "{\"id\": " + id + "}", debezium(id, version[0], delete,
              true)));
          if (delete) {
            accounts.remove(id);
          } else {
            accounts.put(id, List.of(Integer.toString(id), "owner-" + id + "-v" + version[0], "2024-01-" + (10 + version[0])));
          }
        }
        producer.flush();
      };
      produce.run();
      Map<String, String> environment = Map.of();
      ChildRun.start(config, CrashPoints.AFTER_COMMIT + ":3", work.resolve("run-1.log"), environment)
          .awaitCrashPointAndKill();
      produce.run();
      ChildRun.start(config, CrashPoints.AFTER_CHECKPOINT + ":5", work.resolve("run-2.log"), environment)
          .awaitCrashPointAndKill();
      produce.run();
      ChildRun.start(config, CrashPoints.BEFORE_COMMIT + ":3", work.resolve("run-3.log"), environment)
          .awaitCrashPointAndKill();
      produce.run();

      try (ChildRun last = ChildRun.start(config, "", work.resolve("run-4.log"), environment);
          Lake lake = Lake.open(work.resolve("lake"))) {
        List<Integer> expectedBronze = sorted(clients.expectedBronze());
        // Bronze commits before silver in each batch: wait for both layers, then compare them exactly.
        Awaits.until(Duration.ofMinutes(2), "bronze and silver to hold every good record",
            () -> FeedRecords.bronze(lake.catalog(), "clients").size() >= expectedBronze.size()
                && FeedRecords.silver(lake.catalog(), "clients").equals(clients.expectedSilver())
                && accounts.equals(accounts(lake)));
        assertThat(sorted(FeedRecords.bronze(lake.catalog(), "clients"))).isEqualTo(expectedBronze);
        assertThat(FeedRecords.silver(lake.catalog(), "clients")).containsExactlyEntriesOf(clients.expectedSilver());
        assertThat(accounts(lake)).containsExactlyEntriesOf(accounts);

        Map<String, String> errors = new TreeMap<>();
        for (Record record : LakeComparison.records(lake.catalog(), "errors", "clients")) {
          String location = record.getField("_location").toString();
          assertThat(errors.put(location, record.getField("reason").toString())).as("dead letter at " + location).isNull();
        }
        assertThat(errors).hasSize(3 * bad.size());
        assertThat(errors.values()).filteredOn(reason -> reason.startsWith("malformed JSON")).hasSize(bad.size());
        assertThat(errors.values()).filteredOn(reason -> reason.startsWith("key column id is missing")).hasSize(bad.size());
        assertThat(errors.values()).filteredOn(reason -> reason.startsWith("column n: 'six' is not a bigint"))
            .hasSize(bad.size());
        assertThat(errors.keySet()).allMatch(location -> location.matches("topic crashing.clients partition [0-2] offset [0-9]+"));
        assertThat(last.isAlive()).as("the last run is healthy").isTrue();
      }
    }
  }

  /** The configuration example of the feeds' documentation, as written but for the folder and the broker. */
  @Test
  void theFeedExampleRunsAsWritten() throws Exception {
    Path in = Files.createDirectories(work.resolve("users-in"));
    broker.createTopic("clients", 3);
    String example = """
        sources:
          users:
            type: files
            path: /data/users-in
            format: jsonl
          clients:
            type: kafka
            bootstrap-servers: 127.0.0.1:9092
            topic: clients
            format: json
        tables:
          users:
            key: [userId]
            sequence-by: sequenceNum
            delete-when: "operation = 'DELETE'"
            history:
              effective-from: sequenceNum
          clients:
            key: [email]
            sequence-by: data_cadastro
            history:
              effective-from: data_cadastro
        """;
    Path config = Files.writeString(work.resolve("tributary.yaml"), "lake:\n  warehouse: lake\n  commit-interval: 200ms\n"
        + example.replace("/data/users-in", in.toString()).replace("127.0.0.1:9092", broker.bootstrapServers()));
    Files.writeString(in.resolve(".users-1.tmp"), """
        {"userId": 1, "name": "Ana", "sequenceNum": 1, "operation": "INSERT"}
        {"userId": 2, "name": "Bruno", "sequenceNum": 2, "operation": "INSERT"}
        {"userId": 1, "name": "Ana Maria", "sequenceNum": 3, "operation": "UPDATE"}
        {"userId": 2, "sequenceNum": 4, "operation": "DELETE"}
        """);
    Files.move(in.resolve(".users-1.tmp"), in.resolve("users-1.jsonl"));
    try (KafkaProducer<String, String> producer = broker.producer()) {
      producer.send(new ProducerRecord<>("clients", "ana@example.com",
          "{\"email\": \"ana@example.com\", \"name\": \"Ana\", \"data_cadastro\": \"2024-01-05\"}"));
      producer.send(new ProducerRecord<>("clients", "ana@example.com",
          "{\"email\": \"ana@example.com\", \"name\": \"Ana Maria\", \"data_cadastro\": \"2024-03-01\"}"));
      producer.send(new ProducerRecord<>("clients", "rui@example.com",
          "{\"email\": \"rui@example.com\", \"name\": \"Rui\", \"data_cadastro\": \"2024-02-11\"}"));
    }
    try (ChildRun run = ChildRun.start(config, "", work.resolve("example.log"), Map.of());
        Lake lake = Lake.open(work.resolve("lake"))) {
      Awaits.until(Duration.ofMinutes(2), "silver to hold the example's records",
          () -> LakeComparison.records(lake.catalog(), "silver", "users").size() == 1
              && LakeComparison.records(lake.catalog(), "silver", "clients").size() == 2
              && LakeComparison.records(lake.catalog(), "bronze", "users").size() == 4);
      Record ana = LakeComparison.records(lake.catalog(), "silver", "users").get(0);
      assertThat(ana.getField("userId")).isEqualTo(1L);
      assertThat(ana.getField("name")).isEqualTo("Ana Maria");
      Map<String, String> clients = new TreeMap<>();
      for (Record client : LakeComparison.records(lake.catalog(), "silver", "clients")) {
        clients.put(client.getField("email").toString(), client.getField("name").toString());
      }
      assertThat(clients).containsExactly(Map.entry("ana@example.com", "Ana Maria"), Map.entry("rui@example.com", "Rui"));
      assertThat(run.isAlive()).as("the pipeline of the example runs").isTrue();
    }
  }

  /** A Debezium event for account {@code id}, with its schema part or as the bare envelope. */
  private static String debezium(int id, int version, boolean delete, boolean withSchema) {
    String row = "{\"id\": " + id + ", \"owner\": \"owner-" + id + "-v" + version + "\", \"opened\": "
        + (19732 + version) + "}";
    String envelope = "{\"before\": " + (delete ? row : "null") + ", \"after\": " + (delete ? "null" : row)
        + ", \"op\": \"" + (delete ? "d" : version == 1 ? "c" : "u") + "\", \"ts_ms\": 1733000000000, "
        + "\"source\": {\"connector\": \"postgresql\", \"table\": \"accounts\"}}";
    if (!withSchema) {
      return envelope;
    }
    String fields = "[{\"type\": \"int32\", \"optional\": false, \"field\": \"id\"}, "
        + "{\"type\": \"string\", \"optional\": true, \"field\": \"owner\"}, "
        + "{\"type\": \"int32\", \"optional\": true, \"name\": \"io.debezium.time.Date\", \"field\": \"opened\"}]";
    String schema = "{\"type\": \"struct\", \"name\": \"shop.public.accounts.Envelope\", \"fields\": ["
        + "{\"type\": \"struct\", \"optional\": true, \"field\": \"before\", \"fields\": " + fields + "}, "
        + "{\"type\": \"struct\", \"optional\": true, \"field\": \"after\", \"fields\": " + fields + "}, "
        + "{\"type\": \"string\", \"optional\": false, \"field\": \"op\"}]}";
    return "{\"schema\": " + schema + ", \"payload\": " + envelope + "}";
  }

  /** silver.accounts as id to [id, owner, opened]; dates opened as days since 1970 or dates. */
  private static Map<Integer, List<String>> accounts(Lake lake) {
    Map<Integer, List<String>> rows = new TreeMap<>();
    for (Record record : LakeComparison.records(lake.catalog(), "silver", "accounts")) {
      int id = ((Number) record.getField("id")).intValue();
      Object opened = record.getField("opened");
      String date = opened instanceof Number days ? java.time.LocalDate.ofEpochDay(days.longValue()).toString()
          : opened.toString();
      rows.put(id, List.of(Integer.toString(id), record.getField("owner").toString(), date));
    }
    return rows;
  }

  private static List<Integer> sorted(List<Integer> values) {
    return values.stream().sorted().toList();
  }
}
