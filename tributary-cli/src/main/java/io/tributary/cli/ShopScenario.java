package io.tributary.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The shop (clients and their orders) on a SQL database: what the PostgreSQL and MariaDB scenarios share. */
abstract class ShopScenario implements DemoScenario {
  static final String SOURCE = "shop";

  private final Options options;
  private final ShopDemo.Dialect dialect;
  private final ShopDemo shop = new ShopDemo(System.nanoTime());

  ShopScenario(Options options, ShopDemo.Dialect dialect) {
    this.options = requireNonNull(options, "options is null");
    this.dialect = requireNonNull(dialect, "dialect is null");
  }

  /** A new connection to the shop's database. */
  abstract Connection connection() throws SQLException;

  /** Starts the server and creates the shop's database; prints where its data lives. */
  abstract void startServer(PrintWriter out, Path warehouse) throws Exception;

  @Override
  public final void start(PrintWriter out, Path warehouse) throws Exception {
    startServer(out, warehouse);
    try (Connection connection = connection()) {
      if (shop.createIfMissing(connection, dialect, options.clients(), options.orders())) {
        out.printf("Created the shop: %,d clients, %,d orders%n", options.clients(), options.orders());
      } else {
        out.println("The shop exists from an earlier run: carrying on");
      }
    }
  }

  @Override
  public long sourceRows() throws SQLException {
    try (Connection connection = connection()) {
      return ShopDemo.rows(connection);
    }
  }

  @Override
  public OptionalLong sourceRows(String table) throws SQLException {
    if (!tables().contains(table)) {
      return OptionalLong.empty();
    }
    try (Connection connection = connection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table)) {
      result.next();
      return OptionalLong.of(result.getLong(1));
    }
  }

  @Override
  public List<String> tables() {
    return List.of("clients", "orders");
  }

  @Override
  public Workload workload() throws SQLException {
    Connection connection = connection();
    return new Workload() {
      @Override
      public void step() throws SQLException {
        shop.step(connection, dialect);
      }

      @Override
      public void close() throws SQLException {
        connection.close();
      }
    };
  }

  @Override
  public Optional<Path> models(Path warehouse) {
    return Optional.of(DemoModels.install(warehouse.resolve("_demo/models")));
  }

  @Override
  public List<String> queries() {
    return List.of("SELECT status, count(*), sum(amount) FROM silver.orders GROUP BY status",
        "SELECT _op, count(*) FROM bronze.orders GROUP BY _op",
        "SELECT id, city, email, _valid_from, _valid_to FROM history.clients "
            + "WHERE id = (SELECT id FROM history.clients GROUP BY id ORDER BY count(*) DESC, id LIMIT 1) ORDER BY _valid_from");
  }
}
