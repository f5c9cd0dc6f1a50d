package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Kafka topic ({@code type: kafka}) of JSON records or Debezium change events.
 *
 * @param name the source's name
 * @param table the lake table
 * @param columns declared column types
 * @param bootstrapServers the brokers to connect to, {@code host:port,...}
 * @param topic the topic read
 * @param format what the record values hold
 * @param start where to start reading partitions the lake holds no offset for
 * @param consumer further Kafka consumer properties, such as security settings
 */
public record KafkaSourceConfig(
    String name, String table, Map<String, CastType> columns, String bootstrapServers, String topic, Format format,
    Start start, Map<String, Secret> consumer)
    implements FeedSourceConfig {
  /** The value of {@code type} that selects this source type. */
  public static final String TYPE = "kafka";

  /** What a record's value holds. */
  public enum Format {
    /** A JSON object: the latest state of its key. */
    JSON,
    /** A Debezium change event: {@code before}, {@code after}, {@code op}, {@code source}, with or without {@code schema}. */
    DEBEZIUM
  }

  /** Where to start a partition the lake holds no offset for. */
  public enum Start {
    EARLIEST,
    LATEST
  }

  public KafkaSourceConfig {
    requireNonNull(name, "name is null");
    requireNonNull(table, "table is null");
    columns = Map.copyOf(requireNonNull(columns, "columns is null"));
    requireNonNull(bootstrapServers, "bootstrapServers is null");
    requireNonNull(topic, "topic is null");
    requireNonNull(format, "format is null");
    requireNonNull(start, "start is null");
    consumer = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(consumer, "consumer is null")));
  }

  @Override
  public String type() {
    return TYPE;
  }
}
