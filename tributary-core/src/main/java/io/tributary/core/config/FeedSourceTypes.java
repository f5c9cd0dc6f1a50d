package io.tributary.core.config;

import static io.tributary.core.config.ConfigKeys.FEED_COLUMNS;
import static io.tributary.core.config.ConfigKeys.FEED_TABLE;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the feed sources: {@code kafka}, {@code files}, {@code http} and {@code generator}. */
final class FeedSourceTypes {
  private FeedSourceTypes() {}

  static List<SourceType> all() {
    return List.of(new Kafka(), new Files(), new Http(), new Generator());
  }

  private static String table(String name, Section section, LakeTableNames lakeTables) {
    String table = section.find(FEED_TABLE).orElse(name);
    lakeTables.claim(table, name, new TableRef(name, table, section.child(FEED_TABLE.name()),
        section.keyLine(FEED_TABLE.name())));
    return table;
  }

  private static Map<String, CastType> columns(Section section) {
    return section.find(FEED_COLUMNS).orElse(Map.of());
  }

  /** A record constructor's refusal, as a configuration error at the source. */
  private static ConfigException invalid(Section section, String key, IllegalArgumentException e) {
    return section.context().error("Invalid value for", section.child(key), section.keyLine(key),
        e.getMessage(), "see docs/sources.md");
  }

  private static final class Kafka implements SourceType {
    @Override
    public String name() {
      return KafkaSourceConfig.TYPE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
      return ConfigKeys.kafka();
    }

    @Override
    public SourceConfig read(String pipeline, String name, Section section, LakeTableNames lakeTables) {
      return new KafkaSourceConfig(name, table(name, section, lakeTables), columns(section),
          section.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS), section.get(ConfigKeys.KAFKA_TOPIC),
          section.get(ConfigKeys.KAFKA_FORMAT), section.get(ConfigKeys.KAFKA_START),
          section.find(ConfigKeys.KAFKA_CONSUMER).orElse(Map.of()));
    }
  }

  private static final class Files implements SourceType {
    @Override
    public String name() {
      return FilesSourceConfig.TYPE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
      return ConfigKeys.files();
    }

    @Override
    public SourceConfig read(String pipeline, String name, Section section, LakeTableNames lakeTables) {
      String table = table(name, section, lakeTables);
      Path path = section.get(ConfigKeys.FILES_PATH);
      Optional<Path> archive = section.find(ConfigKeys.FILES_ARCHIVE);
      try {
        return new FilesSourceConfig(name, table, columns(section), path, section.get(ConfigKeys.FILES_FORMAT),
            section.get(ConfigKeys.FILES_GLOB), section.find(ConfigKeys.FILES_SETTLE_TIME), archive,
            section.get(ConfigKeys.FILES_POLL_INTERVAL), section.get(ConfigKeys.FILES_CSV_DELIMITER),
            section.get(ConfigKeys.FILES_CSV_QUOTE));
      } catch (IllegalArgumentException e) {
        String key = e.getMessage().contains("archive") ? ConfigKeys.FILES_ARCHIVE.name()
            : ConfigKeys.FILES_CSV_QUOTE.name();
        throw invalid(section, key, e);
      }
    }
  }

  private static final class Http implements SourceType {
    @Override
    public String name() {
      return HttpSourceConfig.TYPE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
      return ConfigKeys.http();
    }

    @Override
    public SourceConfig read(String pipeline, String name, Section section, LakeTableNames lakeTables) {
      String table = table(name, section, lakeTables);
      HttpSourceConfig.Pagination pagination = section.get(ConfigKeys.HTTP_PAGINATION);
      if (pagination == HttpSourceConfig.Pagination.CURSOR && section.find(ConfigKeys.HTTP_CURSOR_PATH).isEmpty()) {
        throw section.context().error("Missing required key", section.child(ConfigKeys.HTTP_CURSOR_PATH.name()),
            section.keyLine(ConfigKeys.HTTP_PAGINATION.name()), "pagination: cursor needs to know where the next "
                + "cursor is in an answer", "add cursor-path, such as cursor-path: meta.next_cursor");
      }
      Optional<String> incrementalParam = section.find(ConfigKeys.HTTP_INCREMENTAL_PARAM);
      Optional<String> incrementalField = section.find(ConfigKeys.HTTP_INCREMENTAL_FIELD);
      if (incrementalParam.isPresent() != incrementalField.isPresent()) {
        ConfigKey<String> missing = incrementalParam.isPresent() ? ConfigKeys.HTTP_INCREMENTAL_FIELD
            : ConfigKeys.HTTP_INCREMENTAL_PARAM;
        ConfigKey<String> present = incrementalParam.isPresent() ? ConfigKeys.HTTP_INCREMENTAL_PARAM
            : ConfigKeys.HTTP_INCREMENTAL_FIELD;
        throw section.context().error("Missing required key", section.child(missing.name()),
            section.keyLine(present.name()), present.name() + " and " + missing.name() + " go together",
            "add " + missing.name() + " or remove " + present.name());
      }
      return new HttpSourceConfig(name, table, columns(section), section.get(ConfigKeys.HTTP_URL),
          section.get(ConfigKeys.HTTP_INTERVAL), section.find(ConfigKeys.HTTP_RECORDS),
          section.find(ConfigKeys.HTTP_HEADERS).orElse(Map.of()), pagination, section.get(ConfigKeys.HTTP_PAGE_PARAM),
          section.get(ConfigKeys.HTTP_FIRST_PAGE), section.find(ConfigKeys.HTTP_PAGE_SIZE_PARAM),
          section.find(ConfigKeys.HTTP_PAGE_SIZE), section.get(ConfigKeys.HTTP_OFFSET_PARAM),
          section.get(ConfigKeys.HTTP_CURSOR_PARAM), section.find(ConfigKeys.HTTP_CURSOR_PATH),
          section.get(ConfigKeys.HTTP_MAX_PAGES), incrementalParam, incrementalField,
          section.find(ConfigKeys.HTTP_INCREMENTAL_START), section.get(ConfigKeys.HTTP_TIMEOUT),
          section.get(ConfigKeys.HTTP_RETRIES), section.get(ConfigKeys.HTTP_RETRY_BACKOFF),
          section.find(ConfigKeys.HTTP_RATE_LIMIT));
    }
  }

  private static final class Generator implements SourceType {
    @Override
    public String name() {
      return GeneratorSourceConfig.TYPE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
      return ConfigKeys.generator();
    }

    @Override
    public SourceConfig read(String pipeline, String name, Section section, LakeTableNames lakeTables) {
      return new GeneratorSourceConfig(name, table(name, section, lakeTables), columns(section),
          section.get(ConfigKeys.GENERATOR_RATE), section.get(ConfigKeys.GENERATOR_SEED),
          section.get(ConfigKeys.GENERATOR_CLIENTS), section.find(ConfigKeys.GENERATOR_LIMIT));
    }
  }
}
