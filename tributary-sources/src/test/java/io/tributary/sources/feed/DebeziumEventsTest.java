package io.tributary.sources.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DebeziumEventsTest {
  private static final Position AT = FeedPositions.position(1, "{}");

  @Test
  void readsTheBareEnvelopeWithTheKeyFromTheMessageKey() {
    FeedTable table = new FeedTable(new TableId("cdc", "", "accounts"), List.of(), Optional.empty(), Map.of());
    DebeziumEvents events = new DebeziumEvents(table);

    ChangeEvent create = accepted(events.convert(record("{\"id\": 7}",
        "{\"before\": null, \"after\": {\"id\": 7, \"owner\": \"Ana\"}, \"op\": \"c\", \"ts_ms\": 1733000000000}"), AT));
    assertThat(create.operation()).isEqualTo(Operation.CREATE);
    assertThat(create.schema().key()).containsExactly("id");
    assertThat(create.after().orElseThrow()).containsEntry("owner", "Ana");
    assertThat(create.commitTime().toEpochMilli()).isEqualTo(1733000000000L);

    ChangeEvent delete = accepted(events.convert(record("{\"id\": 7}",
        "{\"before\": null, \"after\": null, \"op\": \"d\", \"ts_ms\": 1733000000001}"), AT));
    assertThat(delete.operation()).isEqualTo(Operation.DELETE);
    assertThat(delete.before().orElseThrow()).containsEntry("id", 7L);

    assertThat(events.convert(record("{\"id\": 7}", null), AT)).as("a tombstone is skipped").isNull();
    assertThat(events.convert(record("{\"id\": 7}", "{\"op\": \"t\"}"), AT)).as("a truncate is skipped").isNull();
    assertThat(events.convert(record("{\"id\": 7}", "{\"id\": 7}"), AT)).isInstanceOf(FeedTable.Rejected.class);
    assertThat(((FeedTable.Rejected) events.convert(record("{\"id\": 7}", "{\"op\": "), AT)).reason())
        .startsWith("malformed JSON");
  }

  @Test
  void typesLogicalValuesByTheSchemaPart() {
    FeedTable table = new FeedTable(new TableId("cdc", "", "accounts"), List.of("id"), Optional.empty(), Map.of());
    String fields = "[{\"type\": \"int32\", \"field\": \"id\"}, {\"type\": \"int32\", \"name\": \"io.debezium.time.Date\", "
        + "\"field\": \"opened\"}, {\"type\": \"bytes\", \"name\": \"org.apache.kafka.connect.data.Decimal\", "
        + "\"parameters\": {\"scale\": \"2\"}, \"field\": \"balance\"}]";
    String value = "{\"schema\": {\"type\": \"struct\", \"fields\": [{\"type\": \"struct\", \"field\": \"after\", \"fields\": "
        + fields + "}]}, \"payload\": {\"before\": null, \"after\": {\"id\": 1, \"opened\": 19733, \"balance\": \"MDk=\"}, "
        + "\"op\": \"r\", \"ts_ms\": 1}}";

    ChangeEvent read = accepted(new DebeziumEvents(table).convert(record(null, value), AT));
    assertThat(read.operation()).isEqualTo(Operation.READ);
    assertThat(read.after().orElseThrow()).containsEntry("id", 1).containsEntry("opened", LocalDate.of(2024, 1, 11))
        .containsEntry("balance", new java.math.BigDecimal("123.45"));
  }

  private static ConsumerRecord<byte[], byte[]> record(String key, String value) {
    return new ConsumerRecord<>("accounts", 0, 0, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static ChangeEvent accepted(FeedTable.Result result) {
    assertThat(result).isInstanceOf(FeedTable.Accepted.class);
    return ((FeedTable.Accepted) result).event();
  }
}
