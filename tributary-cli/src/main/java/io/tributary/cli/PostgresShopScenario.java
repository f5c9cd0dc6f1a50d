package io.tributary.cli;

import io.tributary.api.spi.Source;
import io.tributary.server.SourceInfo;
import io.tributary.sources.debezium.SnapshotMode;
import io.tributary.sources.postgres.PostgresSource;
import io.tributary.sources.postgres.PostgresSourceSettings;
import io.tributary.testkit.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code --scenario postgres}: the shop on an embedded PostgreSQL 17, captured through logical replication. */
final class PostgresShopScenario extends ShopScenario {
  private static final List<String> TABLES = List.of("public.clients", "public.orders");

  private EmbeddedPostgresServer postgres;
  private PostgresSourceSettings settings;

  PostgresShopScenario(Options options) {
    super(options, ShopDemo.Dialect.POSTGRES);
  }

  @Override
  void startServer(PrintWriter out, Path warehouse) {
    out.printf("Starting PostgreSQL 17 (embedded, data in %s)%n", warehouse.resolve("_demo/postgres"));
    out.flush();
    postgres = EmbeddedPostgresServer.start(Optional.of(warehouse.resolve("_demo/postgres")), 0, false);
    postgres.createDatabase("shop");
  }

  @Override
  Connection connection() throws SQLException {
    return postgres.connection("shop");
  }

  @Override
  public Source source(Path warehouse) {
    settings = new PostgresSourceSettings(SOURCE, postgres.host(), postgres.port(), "shop",
        EmbeddedPostgresServer.USER, Optional.empty(), TABLES, "", "tributary_demo_shop", "tributary_demo_shop",
        Duration.ofSeconds(5), SnapshotMode.INITIAL, warehouse.resolve("_work/" + SOURCE));
    return new PostgresSource(settings);
  }

  @Override
  public SourceInfo sourceInfo() {
    return PipelineGroup.sourceInfo(settings);
  }

  @Override
  public List<String> captured() {
    return TABLES;
  }

  @Override
  public void close() {
    if (postgres != null) {
      postgres.close();
    }
  }
}
