package io.tributary.core.config;

import static io.tributary.core.config.ConfigKeys.POSTGRES_DATABASE;
import static io.tributary.core.config.ConfigKeys.POSTGRES_HEARTBEAT_INTERVAL;
import static io.tributary.core.config.ConfigKeys.POSTGRES_HOST;
import static io.tributary.core.config.ConfigKeys.POSTGRES_PASSWORD;
import static io.tributary.core.config.ConfigKeys.POSTGRES_PORT;
import static io.tributary.core.config.ConfigKeys.POSTGRES_PUBLICATION;
import static io.tributary.core.config.ConfigKeys.POSTGRES_SLOT;
import static io.tributary.core.config.ConfigKeys.POSTGRES_SNAPSHOT;
import static io.tributary.core.config.ConfigKeys.POSTGRES_TABLES;
import static io.tributary.core.config.ConfigKeys.POSTGRES_TABLE_PREFIX;
import static io.tributary.core.config.ConfigKeys.POSTGRES_USER;

import java.util.List;
import java.util.Optional;

/** Reads {@code type: postgres} sources. */
final class PostgresSourceType implements SourceType {
  @Override
  public String name() {
    return PostgresSourceConfig.TYPE;
  }

  @Override
  public List<ConfigKey<?>> keys() {
    return ConfigKeys.postgres();
  }

  @Override
  public SourceConfig read(String pipeline, String name, Section section, LakeTableNames lakeTables) {
    String host = section.get(POSTGRES_HOST);
    int port = section.get(POSTGRES_PORT);
    String database = section.get(POSTGRES_DATABASE);
    String user = section.get(POSTGRES_USER);
    Optional<Secret> password = section.find(POSTGRES_PASSWORD);
    List<TableRef> tables = section.get(POSTGRES_TABLES);
    String prefix = section.get(POSTGRES_TABLE_PREFIX);
    for (TableRef table : tables) {
      lakeTables.claim(prefix + table.table(), name, table);
    }
    long walWarning = section.get(ConfigKeys.POSTGRES_WAL_WARNING);
    long walCritical = section.get(ConfigKeys.POSTGRES_WAL_CRITICAL);
    if (walCritical < walWarning) {
      throw section.value(ConfigKeys.POSTGRES_WAL_CRITICAL.name())
          .or(() -> section.value(ConfigKeys.POSTGRES_WAL_WARNING.name())).orElseThrow()
          .invalid("wal-critical is below wal-warning", "set wal-critical at least as large as wal-warning");
    }
    String slot = section.find(POSTGRES_SLOT).orElseGet(() -> derivedName(pipeline, name, section, POSTGRES_SLOT));
    String publication = section.find(POSTGRES_PUBLICATION)
        .orElseGet(() -> derivedName(pipeline, name, section, POSTGRES_PUBLICATION));
    return new PostgresSourceConfig(name, host, port, database, user, password,
        tables.stream().map(TableRef::qualifiedName).toList(), prefix, slot, publication,
        section.get(POSTGRES_HEARTBEAT_INTERVAL), section.get(POSTGRES_SNAPSHOT), walWarning, walCritical,
        section.get(ConfigKeys.POSTGRES_WAL_POLICY), section.get(ConfigKeys.POSTGRES_CAPTURE),
        new PostgresSnapshotConfig(section.get(ConfigKeys.POSTGRES_SNAPSHOT_READER),
            section.get(ConfigKeys.POSTGRES_SNAPSHOT_THREADS), section.get(ConfigKeys.POSTGRES_SNAPSHOT_CHUNK_ROWS),
            section.get(ConfigKeys.POSTGRES_SNAPSHOT_BUFFER)));
  }

  /** Both names are valid characters by construction; only PostgreSQL's length limit can be exceeded. */
  private static String derivedName(String pipeline, String source, Section section, ConfigKey<String> key) {
    String derived = pipeline + "_" + source;
    if (derived.length() > ValueTypes.MAX_POSTGRES_NAME) {
      throw section.context().error("Cannot derive", section.child(key.name()), section.line(),
          "the default name " + derived + " is longer than " + ValueTypes.MAX_POSTGRES_NAME + " characters",
          "set " + key.name() + " to a shorter name");
    }
    return derived;
  }
}
