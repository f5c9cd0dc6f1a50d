package io.tributary.sources.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns JSON text into the values of a feed record. */
public final class JsonRecords {
  /** Shared: an ObjectMapper is thread-safe once configured. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonRecords() {}

  /**
   * The fields of a JSON object: whole numbers as {@link Long} (or {@link BigDecimal} beyond its
   * range), other numbers as {@link Double}, strings, booleans, nulls, and nested objects and arrays
   * as {@link JsonText}.
   *
   * @throws IllegalArgumentException with the reason if the text is not one JSON object
   */
  public static Map<String, Object> parseObject(String text) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw new IllegalArgumentException("empty value: no JSON object");
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("expected a JSON object, found " + kind(node));
    }
    return fields(node);
  }

  /** The fields of {@code object}, converted as {@link #parseObject} does. */
  public static Map<String, Object> fields(JsonNode object) {
    Map<String, Object> values = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      values.put(field.getKey(), value(field.getValue()));
    }
    return values;
  }

  /** One JSON value as a record value. */
  public static Object value(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : new BigDecimal(node.bigIntegerValue());
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    return new JsonText(node.toString());
  }

  static String kind(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isNull()) {
      return "null";
    }
    return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
