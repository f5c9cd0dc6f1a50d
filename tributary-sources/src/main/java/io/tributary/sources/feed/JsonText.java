package io.tributary.sources.feed;

import static java.util.Objects.requireNonNull;

/** A nested JSON object or array of a record, kept as its JSON text. */
public record JsonText(String json) {
  public JsonText {
    requireNonNull(json, "json is null");
  }

  @Override
  public String toString() {
    return json;
  }
}
