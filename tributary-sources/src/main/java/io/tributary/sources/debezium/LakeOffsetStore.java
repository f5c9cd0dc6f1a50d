package io.tributary.sources.debezium;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * The Debezium engine's offset store, seeded with the position the lake last committed and never
 * persisted: the lake is the only record of how far the source got (decision 4).
 *
 * <p>Debezium builds its offset store from a class name, so the seed arrives through the engine's
 * own properties ({@value #RESUME_OFFSET}) rather than a constructor.
 */
public final class LakeOffsetStore extends MemoryOffsetBackingStore {
  public static final String RESUME_OFFSET = "tributary.resume.offset";
  public static final String ENGINE_NAME = "name";
  public static final String TOPIC_PREFIX = "topic.prefix";
  /** Encodes every record's offset: built once, since configuring a converter is not free. */
  private static final JsonConverter OFFSETS = converter(false);

  @Override
  public void configure(WorkerConfig config) {
    super.configure(config);
    Map<String, Object> originals = config.originals();
    Object offset = originals.get(RESUME_OFFSET);
    if (offset == null || offset.toString().isEmpty()) {
      return;
    }
    String engine = originals.get(ENGINE_NAME).toString();
    Map<String, Object> partition = Map.of("server", originals.get(TOPIC_PREFIX).toString());
    byte[] key = converter(true).fromConnectData(engine, null, List.of(engine, partition));
    data = new HashMap<>(data == null ? Map.of() : data);
    data.put(ByteBuffer.wrap(key), ByteBuffer.wrap(offset.toString().getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public Set<Map<String, Object>> connectorPartitions(String connectorName) {
    return Set.of();
  }

  /** The text form of a Debezium source offset, as this store expects it back. */
  public static String encode(Map<String, ?> sourceOffset) {
    return new String(OFFSETS.fromConnectData("", null, sourceOffset), StandardCharsets.UTF_8);
  }

  /** The JSON form Debezium's engine uses for offsets: no schemas. */
  private static JsonConverter converter(boolean forKeys) {
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of("schemas.enable", "false"), forKeys);
    return converter;
  }
}
