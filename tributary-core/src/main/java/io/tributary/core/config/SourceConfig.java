package io.tributary.core.config;

import io.tributary.api.TableId;
import java.util.Map;

/**
 * One entry of the {@code sources} section. Each source type has its own record; switch over the
 * permitted records to build the matching source.
 */
public sealed interface SourceConfig permits PostgresSourceConfig, BinlogSourceConfig, FeedSourceConfig {
  /** The source's name: its key under {@code sources}. */
  String name();

  /** The source type as written in {@code type}, such as {@code postgres}. */
  String type();

  /** Each captured table and the name its lake tables get (for example {@code bronze.<name>}). */
  Map<TableId, String> lakeTables();
}
