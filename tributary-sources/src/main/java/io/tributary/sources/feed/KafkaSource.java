package io.tributary.sources.feed;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.api.Position;
import io.tributary.core.config.KafkaSourceConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka topic of JSON records or Debezium change events ({@code type: kafka}).
 *
 * <p>Partitions are assigned, never subscribed: there is no consumer group and no offset is
 * committed to Kafka; the lake's recorded offsets are the only truth. Each plan takes, for every
 * partition with new records, the range from the next unread offset to the end offset seen when
 * planning; the plan is recorded in the lake first, then the ranges are read partition by partition
 * in partition order. A restart inside a plan seeks every partition back to the plan's start and
 * reads the same ranges in the same order, so each record gets the same sequence number again and
 * the lake skips the ones it holds.
 */
public final class KafkaSource extends FeedSource {
  private static final Logger log = LoggerFactory.getLogger(KafkaSource.class);
  /** Bounds one plan so a large backlog is recorded in several steps. */
  static final long MAX_PLAN_RECORDS_PER_PARTITION = 100_000;
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration IDLE = Duration.ofMillis(200);

  private final KafkaSourceConfig config;
  private final KafkaRecords records;
  private KafkaConsumer<byte[], byte[]> consumer;

  public KafkaSource(KafkaSourceConfig config, FeedTable table) {
    super(config.name(), table);
    this.config = requireNonNull(config, "config is null");
    this.records = config.format() == KafkaSourceConfig.Format.DEBEZIUM
        ? new DebeziumEvents(table)
        : new JsonValues(table);
  }

  /** Turns one Kafka record into a change, a dead letter, or nothing. */
  interface KafkaRecords {
    FeedTable.Result convert(ConsumerRecord<byte[], byte[]> record, Position position);
  }

  @Override
  protected void run(Optional<Position> resumeAfter) throws Exception {
    consumer = new KafkaConsumer<>(properties());
    // offsets: next offset to read per partition when the current plan started; to: end of the plan
    Map<Integer, Long> from = new TreeMap<>();
    Map<Integer, Long> to = new TreeMap<>();
    String token = null;
    long sequence = 0;
    long resumeAt = 0;
    if (resumeAfter.isPresent()) {
      JsonNode state = FeedPositions.read(resumeAfter.get());
      table().restore(FeedPositions.types(state.get("columns")));
      from = offsets(state.get("from"));
      to = offsets(state.get("to"));
      sequence = state.get("seq0").asLong();
      resumeAt = FeedPositions.sequence(resumeAfter.get());
      token = resumeAfter.get().resumeToken();
      log.info("Source {} resumes topic {} at offsets {} (plan up to {}), after record {} of the plan", name(),
          config.topic(), from, to, resumeAt - sequence);
    }
    boolean loggedMissing = false;
    while (!stopping()) {
      if (token != null) {
        sequence = read(from, to, sequence, resumeAt, token);
        from = new TreeMap<>(to);
        token = null;
      }
      List<TopicPartition> partitions = partitions();
      if (partitions.isEmpty()) {
        if (!loggedMissing) {
          log.warn("Source {}: topic {} does not exist or has no partitions yet; waiting for it", name(), config.topic());
          loggedMissing = true;
        }
        pause(Duration.ofSeconds(1));
        continue;
      }
      loggedMissing = false;
      Map<Integer, Long> next = new TreeMap<>(from);
      List<TopicPartition> unknown = partitions.stream().filter(tp -> !next.containsKey(tp.partition())).toList();
      if (!unknown.isEmpty()) {
        Map<TopicPartition, Long> starts = config.start() == KafkaSourceConfig.Start.EARLIEST
            ? consumer.beginningOffsets(unknown)
            : consumer.endOffsets(unknown);
        starts.forEach((tp, offset) -> next.put(tp.partition(), offset));
      }
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Map<Integer, Long> planEnd = new TreeMap<>(next);
      boolean work = false;
      for (TopicPartition tp : partitions) {
        long start = next.get(tp.partition());
        long end = Math.min(ends.get(tp), start + MAX_PLAN_RECORDS_PER_PARTITION);
        if (end < start) {
          // the log was truncated below the recorded offset (topic re-created): read what is there
          log.warn("Source {}: partition {} of {} ends at {} before the recorded offset {}; reading from its start",
              name(), tp.partition(), config.topic(), end, start);
          start = consumer.beginningOffsets(List.of(tp)).get(tp);
          next.put(tp.partition(), start);
          end = Math.min(ends.get(tp), start + MAX_PLAN_RECORDS_PER_PARTITION);
        }
        planEnd.put(tp.partition(), end);
        work |= end > start;
      }
      if (!work && unknown.isEmpty()) {
        pause(IDLE);
        continue;
      }
      sequence++;
      ObjectNode state = FeedPositions.object();
      state.put("topic", config.topic());
      state.put("seq0", sequence);
      state.set("columns", FeedPositions.types(table().types()));
      state.set("from", json(next));
      state.set("to", json(planEnd));
      token = FeedPositions.write(state);
      log.debug("Source {} plans offsets {} to {}", name(), next, planEnd);
      awaitRecorded(FeedPositions.position(sequence, token));
      from = next;
      to = planEnd;
      resumeAt = sequence;
    }
  }

  /** Reads the plan's ranges, partition by partition; records numbered at or below {@code resumeAt} are held. */
  private long read(Map<Integer, Long> from, Map<Integer, Long> to, long first, long resumeAt, String token)
      throws Exception {
    long sequence = first;
    for (Map.Entry<Integer, Long> range : to.entrySet()) {
      int partition = range.getKey();
      long start = from.getOrDefault(partition, range.getValue());
      long end = range.getValue();
      if (end <= start) {
        continue;
      }
      TopicPartition tp = new TopicPartition(config.topic(), partition);
      consumer.assign(List.of(tp));
      consumer.seek(tp, start);
      while (consumer.position(tp) < end) {
        if (stopping()) {
          throw new InterruptedException("closing");
        }
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
        Iterator<ConsumerRecord<byte[], byte[]>> iterator = polled.records(tp).iterator();
        while (iterator.hasNext()) {
          ConsumerRecord<byte[], byte[]> record = iterator.next();
          if (record.offset() >= end) {
            break;
          }
          sequence++;
          Position position = FeedPositions.position(sequence, token);
          FeedTable.Result result = records.convert(record, position);
          if (sequence <= resumeAt || result == null) {
            continue;
          }
          if (result instanceof FeedTable.Accepted accepted) {
            deliver(accepted.event());
          } else {
            reject((FeedTable.Rejected) result, position, "topic " + record.topic() + " partition " + record.partition()
                + " offset " + record.offset(), record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    progress(FeedPositions.position(sequence, token));
    return sequence;
  }

  private List<TopicPartition> partitions() {
    List<PartitionInfo> infos = consumer.partitionsFor(config.topic(), Duration.ofSeconds(10));
    List<TopicPartition> partitions = new ArrayList<>();
    if (infos != null) {
      for (PartitionInfo info : infos) {
        partitions.add(new TopicPartition(info.topic(), info.partition()));
      }
    }
    partitions.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
    return partitions;
  }

  private Properties properties() {
    Properties properties = new Properties();
    config.consumer().forEach((key, value) -> properties.put(key, value.reveal()));
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // a range whose records were deleted by retention is read from the earliest offset still there
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "tributary-" + name());
    properties.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return properties;
  }

  @Override
  protected void release() {
    if (consumer != null) {
      // clear an interrupt so the consumer can close its connections
      Thread.interrupted();
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (InterruptException | WakeupException e) {
        log.debug("Source {}: consumer closed while interrupted", name());
      }
      consumer = null;
    }
  }

  private static ObjectNode json(Map<Integer, Long> offsets) {
    ObjectNode node = FeedPositions.object();
    offsets.forEach((partition, offset) -> node.put(Integer.toString(partition), offset));
    return node;
  }

  private static Map<Integer, Long> offsets(JsonNode node) {
    Map<Integer, Long> offsets = new TreeMap<>();
    node.fields().forEachRemaining(field -> offsets.put(Integer.parseInt(field.getKey()), field.getValue().asLong()));
    return offsets;
  }

  /** JSON objects, each the latest state of its key; a tombstone deletes the key its message key names. */
  static final class JsonValues implements KafkaRecords {
    private final FeedTable table;

    JsonValues(FeedTable table) {
      this.table = table;
    }

    @Override
    public FeedTable.Result convert(ConsumerRecord<byte[], byte[]> record, Position position) {
      Instant time = Instant.ofEpochMilli(record.timestamp());
      if (record.value() == null) {
        return tombstone(table, record, position, time);
      }
      Map<String, Object> values;
      try {
        values = JsonRecords.parseObject(new String(record.value(), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        return new FeedTable.Rejected(e.getMessage());
      }
      return table.record(values, position, time);
    }
  }

  static FeedTable.Result tombstone(FeedTable table, ConsumerRecord<byte[], byte[]> record, Position position,
      Instant time) {
    if (record.key() == null) {
      return new FeedTable.Rejected("a tombstone (null value) without a message key: no key to delete");
    }
    try {
      Map<String, Object> key = JsonRecords.parseObject(new String(record.key(), StandardCharsets.UTF_8));
      return table.change(io.tributary.api.Operation.DELETE, unwrap(key, Function.identity()), position, time);
    } catch (IllegalArgumentException e) {
      return new FeedTable.Rejected("a tombstone (null value) whose message key is not a JSON object of the key "
          + "columns: " + e.getMessage());
    }
  }

  /** The {@code payload} of a Kafka Connect JSON message with its schema, or the message itself. */
  static Map<String, Object> unwrap(Map<String, Object> message, Function<Map<String, Object>, Map<String, Object>> then) {
    if (message.size() == 2 && message.containsKey("schema") && message.containsKey("payload")
        && message.get("payload") instanceof JsonText payload) {
      return then.apply(JsonRecords.parseObject(payload.json()));
    }
    return then.apply(message);
  }
}
