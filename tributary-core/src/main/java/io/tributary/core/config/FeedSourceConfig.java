package io.tributary.core.config;

import io.tributary.api.TableId;
import java.util.List;
import java.util.Map;

/**
 * A source whose records are the latest state of their key (Kafka topics, files, HTTP APIs, the
 * generator), as opposed to a database's change log. Each makes one lake table; its key, order and
 * deletes are configured under {@code tables.<table>}.
 */
public sealed interface FeedSourceConfig extends SourceConfig
    permits FilesSourceConfig, KafkaSourceConfig, HttpSourceConfig, GeneratorSourceConfig {

  /** The lake table the source makes: {@code table:}, or the source's name. */
  String table();

  /** Declared column types ({@code columns:}); columns not declared get types inferred from their values. */
  Map<String, CastType> columns();

  /** The key the source brings when {@code tables.<table>.key} is not set; empty if it has none. */
  default List<String> defaultKey() {
    return List.of();
  }

  /** The one table, identified with an empty schema. */
  default TableId tableId() {
    return new TableId(name(), "", table());
  }

  @Override
  default Map<TableId, String> lakeTables() {
    return Map.of(tableId(), table());
  }
}
