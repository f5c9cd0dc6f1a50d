package io.tributary.cli;

import io.tributary.api.spi.Source;
import io.tributary.core.pipeline.ReplicationSlotProbe;
import io.tributary.server.SourceInfo;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.mariadb.BinlogServer;
import io.tributary.sources.mariadb.MariaDbSource;
import io.tributary.sources.mariadb.MariaDbSourceSettings;
import io.tributary.testkit.EmbeddedMariaDbServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code --scenario mariadb}: the shop on an embedded MariaDB 11.4, captured from its binary log. */
final class MariaDbShopScenario extends ShopScenario {
  private static final List<String> TABLES = List.of("shop.clients", "shop.orders");

  private EmbeddedMariaDbServer mariadb;

  MariaDbShopScenario(Options options) {
    super(options, ShopDemo.Dialect.MARIADB);
  }

  @Override
  void startServer(PrintWriter out, Path warehouse) {
    out.printf("Starting MariaDB 11.4 (embedded, data in %s)%n", warehouse.resolve("_demo/mariadb"));
    out.flush();
    mariadb = EmbeddedMariaDbServer.start(Optional.of(warehouse.resolve("_demo/mariadb")));
    mariadb.createDatabase("shop");
  }

  @Override
  Connection connection() throws SQLException {
    return mariadb.adminConnection("shop");
  }

  @Override
  public Source source(Path warehouse) {
    return new MariaDbSource(new MariaDbSourceSettings(SOURCE, BinlogServer.MARIADB, mariadb.host(), mariadb.port(),
        EmbeddedMariaDbServer.CDC_USER, Optional.of(EmbeddedMariaDbServer.CDC_PASSWORD), TABLES, "", 5400,
        SnapshotMode.INITIAL, warehouse.resolve("_work/" + SOURCE)));
  }

  @Override
  public SourceInfo sourceInfo() {
    return new SourceInfo(SOURCE, "mariadb", TABLES, Optional.empty(), ReplicationSlotProbe.NONE);
  }

  @Override
  public List<String> captured() {
    return TABLES;
  }

  @Override
  public void close() {
    if (mariadb != null) {
      mariadb.close();
    }
  }
}
