package io.tributary.sources.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.api.Position;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Positions of feed sources. The sort key is a sequence number counting the records (and planning
 * markers) of the source, zero-padded so that text order is number order; the resume token is a JSON
 * object holding what the source needs to deliver the same records with the same numbers again.
 */
public final class FeedPositions {
  private FeedPositions() {}

  public static String sortKey(long sequence) {
    return String.format("%016d", sequence);
  }

  public static long sequence(Position position) {
    try {
      return Long.parseLong(position.sortKey());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid feed position " + position.sortKey()
          + ": not a sequence number (the lake holds a position of another kind of source under this name)", e);
    }
  }

  public static Position position(long sequence, String token) {
    return new Position(sortKey(sequence), token, false);
  }

  public static ObjectNode object() {
    return JsonRecords.MAPPER.createObjectNode();
  }

  public static String write(JsonNode token) {
    try {
      return JsonRecords.MAPPER.writeValueAsString(token);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a resume token: " + e.getMessage(), e);
    }
  }

  public static JsonNode read(Position position) {
    try {
      JsonNode node = JsonRecords.MAPPER.readTree(position.resumeToken());
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return node;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid resume token at feed position " + position.sortKey() + ": "
          + e.getMessage() + " (the lake holds a position of another kind of source under this name)", e);
    }
  }

  public static ObjectNode types(Map<String, String> types) {
    ObjectNode node = object();
    types.forEach(node::put);
    return node;
  }

  public static Map<String, String> types(JsonNode node) {
    Map<String, String> types = new LinkedHashMap<>();
    if (node != null) {
      node.fields().forEachRemaining(field -> types.put(field.getKey(), field.getValue().asText()));
    }
    return types;
  }
}
