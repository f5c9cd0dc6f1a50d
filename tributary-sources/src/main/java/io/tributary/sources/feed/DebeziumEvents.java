package io.tributary.sources.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Debezium change events as Kafka Connect's JSON converter writes them: the envelope ({@code
 * before}, {@code after}, {@code op}, {@code source}, {@code ts_ms}), alone or as the {@code
 * payload} beside its {@code schema}. With the schema, values of Debezium's and Connect's logical
 * types become dates, timestamps and decimals; without it, values are typed from what they look
 * like. The key is the configured one or, when none is configured, the fields of the message key.
 * Tombstones, truncates and messages are skipped.
 */
final class DebeziumEvents implements KafkaSource.KafkaRecords {
  private final FeedTable table;

  DebeziumEvents(FeedTable table) {
    this.table = table;
  }

  @Override
  public FeedTable.Result convert(ConsumerRecord<byte[], byte[]> record, Position position) {
    if (record.value() == null) {
      return null;
    }
    JsonNode message;
    try {
      message = JsonRecords.MAPPER.readTree(new String(record.value(), StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      return new FeedTable.Rejected("malformed JSON: " + e.getOriginalMessage());
    }
    if (message == null || !message.isObject()) {
      return new FeedTable.Rejected("expected a Debezium change event (a JSON object), found "
          + (message == null ? "nothing" : JsonRecords.kind(message)));
    }
    JsonNode schema = null;
    JsonNode payload = message;
    if (message.has("payload") && message.has("schema")) {
      schema = message.get("schema");
      payload = message.get("payload");
    }
    if (payload == null || payload.isNull()) {
      return null;
    }
    String op = payload.path("op").asText("");
    Operation operation;
    switch (op) {
      case "c" -> operation = Operation.CREATE;
      case "u" -> operation = Operation.UPDATE;
      case "r" -> operation = Operation.READ;
      case "d" -> operation = Operation.DELETE;
      case "t", "m" -> {
        return null;
      }
      default -> {
        return new FeedTable.Rejected("not a Debezium change event: op is " + (op.isEmpty() ? "missing" : "'" + op + "'")
            + " (expected c, u, d or r; with Kafka Connect, use the JSON converter and no unwrap transform, or "
            + "format: json for flattened records)");
      }
    }
    String imageName = operation == Operation.DELETE ? "before" : "after";
    JsonNode image = payload.get(imageName);
    Map<String, JsonNode> fieldSchemas = fieldSchemas(schema, imageName);
    if (table.key().isEmpty()) {
      List<String> key = messageKey(record);
      if (key.isEmpty()) {
        return new FeedTable.Rejected("no key: set tables." + table.id().name() + ".key, or give the messages a key "
            + "(Debezium's message key holds the primary key)");
      }
      table.adoptKey(key);
    }
    Map<String, Object> values;
    if (image == null || image.isNull()) {
      if (operation != Operation.DELETE) {
        return new FeedTable.Rejected("a '" + op + "' event without an after image");
      }
      // a delete without its before image (no REPLICA IDENTITY FULL): the message key names the row
      values = keyValues(record);
      if (values.isEmpty()) {
        return new FeedTable.Rejected("a delete without a before image and without a message key");
      }
    } else if (!image.isObject()) {
      return new FeedTable.Rejected("the " + imageName + " image is " + JsonRecords.kind(image) + ", not an object");
    } else {
      values = new LinkedHashMap<>();
      var fields = image.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        values.put(field.getKey(), typed(field.getValue(), fieldSchemas.get(field.getKey())));
      }
    }
    long millis = payload.path("ts_ms").asLong(payload.path("source").path("ts_ms").asLong(record.timestamp()));
    return table.change(operation, values, position, Instant.ofEpochMilli(millis));
  }

  private static List<String> messageKey(ConsumerRecord<byte[], byte[]> record) {
    return new ArrayList<>(keyValues(record).keySet());
  }

  private static Map<String, Object> keyValues(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      return Map.of();
    }
    try {
      JsonNode key = JsonRecords.MAPPER.readTree(new String(record.key(), StandardCharsets.UTF_8));
      if (key != null && key.has("payload") && key.has("schema")) {
        key = key.get("payload");
      }
      return key != null && key.isObject() ? JsonRecords.fields(key) : Map.of();
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }

  /** The Connect schema of each field of the envelope's {@code before} or {@code after}. */
  private static Map<String, JsonNode> fieldSchemas(JsonNode schema, String image) {
    Map<String, JsonNode> fields = new HashMap<>();
    if (schema == null) {
      return fields;
    }
    for (JsonNode envelopeField : schema.path("fields")) {
      if (image.equals(envelopeField.path("field").asText())) {
        for (JsonNode field : envelopeField.path("fields")) {
          fields.put(field.path("field").asText(), field);
        }
      }
    }
    return fields;
  }

  /** A value of the image, typed by its Connect schema when there is one. */
  static Object typed(JsonNode value, JsonNode schema) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (schema == null) {
      return JsonRecords.value(value);
    }
    String type = schema.path("type").asText();
    String name = schema.path("name").asText("");
    switch (name) {
      case "io.debezium.time.Date", "org.apache.kafka.connect.data.Date":
        return LocalDate.ofEpochDay(value.asLong());
      case "io.debezium.time.Timestamp":
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(value.asLong()), ZoneOffset.UTC);
      case "org.apache.kafka.connect.data.Timestamp":
        return Instant.ofEpochMilli(value.asLong()).atOffset(ZoneOffset.UTC);
      case "io.debezium.time.MicroTimestamp": {
        long micros = value.asLong();
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
            (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
      }
      case "io.debezium.time.NanoTimestamp": {
        long nanos = value.asLong();
        return LocalDateTime.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
            (int) Math.floorMod(nanos, 1_000_000_000L), ZoneOffset.UTC);
      }
      case "io.debezium.time.ZonedTimestamp":
        return OffsetDateTime.parse(value.asText()).withOffsetSameInstant(ZoneOffset.UTC);
      case "org.apache.kafka.connect.data.Decimal": {
        int scale = Integer.parseInt(schema.path("parameters").path("scale").asText("0"));
        if (value.isTextual()) {
          return new BigDecimal(new BigInteger(Base64.getDecoder().decode(value.asText())), scale);
        }
        return value.decimalValue().setScale(scale);
      }
      case "io.debezium.data.Json":
        return new JsonText(value.asText());
      default:
        break;
    }
    return switch (type) {
      case "int8", "int16", "int32" -> value.asInt();
      case "int64" -> value.asLong();
      case "float", "float32", "double", "float64" -> value.asDouble();
      case "boolean" -> value.asBoolean();
      case "string" -> value.asText();
      case "bytes" -> value.asText();
      default -> JsonRecords.value(value);
    };
  }
}
