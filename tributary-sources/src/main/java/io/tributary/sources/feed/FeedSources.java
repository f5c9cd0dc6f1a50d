package io.tributary.sources.feed;

import static java.util.Objects.requireNonNull;

import io.tributary.api.spi.Source;
import io.tributary.core.config.FeedSourceConfig;
import io.tributary.core.config.FilesSourceConfig;
import io.tributary.core.config.GeneratorSourceConfig;
import io.tributary.core.config.HttpSourceConfig;
import io.tributary.core.config.KafkaSourceConfig;
import io.tributary.core.config.TableConfig;
import java.nio.file.Path;
import java.util.List;

/** Builds the source of a feed's configuration. */
public final class FeedSources {
  private FeedSources() {}

  /**
   * @param table the settings of the feed's lake table (key, delete-when)
   * @param work a directory the source may keep files in
   */
  public static Source create(FeedSourceConfig config, TableConfig table, Path work) {
    requireNonNull(config, "config is null");
    requireNonNull(table, "table is null");
    requireNonNull(work, "work is null");
    List<String> key = table.key().isEmpty() ? config.defaultKey() : table.key();
    FeedTable feedTable = new FeedTable(config.tableId(), key, table.deleteWhen(), config.columns());
    if (config instanceof FilesSourceConfig files) {
      return new FilesSource(files, feedTable);
    }
    if (config instanceof KafkaSourceConfig kafka) {
      return new KafkaSource(kafka, feedTable);
    }
    if (config instanceof HttpSourceConfig http) {
      return new HttpSource(http, feedTable, work);
    }
    if (config instanceof GeneratorSourceConfig generator) {
      return new GeneratorSource(generator, feedTable);
    }
    throw new IllegalArgumentException("Cannot run source " + config.name() + ": unknown feed type " + config.type());
  }

}
