package io.tributary.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** JSON for the API: plain maps and lists, with lake values turned into what JSON can hold. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A value of a query result or a Java record field as JSON can hold it. */
  static Object value(Object value) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
        || value instanceof Long || value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      return value;
    }
    if (value instanceof Optional<?> optional) {
      return optional.map(Json::value).orElse(null);
    }
    if (value instanceof Duration duration) {
      return duration.toMillis() / 1000.0;
    }
    if (value instanceof TemporalAccessor) {
      return value.toString();
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(element -> copy.add(value(element)));
      return copy;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, element) -> copy.put(String.valueOf(key), value(element)));
      return copy;
    }
    if (value instanceof Number) {
      return value;
    }
    return value.toString();
  }

  /** A JSON object from alternating keys and values, keeping their order; null values are kept as null. */
  static Map<String, Object> object(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Invalid JSON object: odd number of keys and values");
    }
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      object.put((String) keysAndValues[i], value(keysAndValues[i + 1]));
    }
    return object;
  }
}
