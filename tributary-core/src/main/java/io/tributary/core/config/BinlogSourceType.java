package io.tributary.core.config;

import static io.tributary.core.config.ConfigKeys.BINLOG_DATABASE;
import static io.tributary.core.config.ConfigKeys.BINLOG_HOST;
import static io.tributary.core.config.ConfigKeys.BINLOG_PASSWORD;
import static io.tributary.core.config.ConfigKeys.BINLOG_PORT;
import static io.tributary.core.config.ConfigKeys.BINLOG_SERVER_ID;
import static io.tributary.core.config.ConfigKeys.BINLOG_SNAPSHOT;
import static io.tributary.core.config.ConfigKeys.BINLOG_TABLES;
import static io.tributary.core.config.ConfigKeys.BINLOG_TABLE_PREFIX;
import static io.tributary.core.config.ConfigKeys.BINLOG_USER;
import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/** Reads {@code type: mariadb} and {@code type: mysql} sources: the same keys, another connector. */
final class BinlogSourceType implements SourceType {
  /** Derived server ids stay clear of the small ids servers are usually given. */
  private static final int DERIVED_SERVER_ID_BASE = 100_000;

  private final BinlogSourceConfig.Flavor flavor;

  BinlogSourceType(BinlogSourceConfig.Flavor flavor) {
    this.flavor = requireNonNull(flavor, "flavor is null");
  }

  @Override
  public String name() {
    return flavor.typeName();
  }

  @Override
  public List<ConfigKey<?>> keys() {
    return ConfigKeys.binlog();
  }

  @Override
  public SourceConfig read(String pipeline, String name, Section section, LakeTableNames lakeTables) {
    String host = section.get(BINLOG_HOST);
    int port = section.get(BINLOG_PORT);
    Optional<String> database = section.find(BINLOG_DATABASE);
    String user = section.get(BINLOG_USER);
    Optional<Secret> password = section.find(BINLOG_PASSWORD);
    String prefix = section.get(BINLOG_TABLE_PREFIX);
    List<String> tables = new ArrayList<>();
    for (TableRef table : section.get(BINLOG_TABLES)) {
      TableRef qualified = table;
      if (table.schema().isEmpty()) {
        if (database.isEmpty()) {
          throw section.context().error("Invalid value for", table.key(), table.line(),
              "table " + table.table() + " names no database", "write database.table, or set " + section.child("database"));
        }
        qualified = new TableRef(database.get(), table.table(), table.key(), table.line());
      }
      if (tables.contains(qualified.qualifiedName())) {
        throw section.context().error("Duplicate table", table.key(), table.line(),
            qualified.qualifiedName() + " is listed twice", "remove one of them");
      }
      lakeTables.claim(prefix + qualified.table(), name, qualified);
      tables.add(qualified.qualifiedName());
    }
    int serverId = section.find(BINLOG_SERVER_ID).orElseGet(() -> derivedServerId(pipeline, name));
    return new BinlogSourceConfig(name, flavor, host, port, user, password, tables, prefix, serverId,
        section.get(BINLOG_SNAPSHOT));
  }

  /** Stable for a pipeline and source, so a restart reads as the same replica. */
  static int derivedServerId(String pipeline, String source) {
    CRC32 crc = new CRC32();
    crc.update((pipeline + "_" + source).getBytes(StandardCharsets.UTF_8));
    return DERIVED_SERVER_ID_BASE + (int) (crc.getValue() % 900_000_000L);
  }
}
