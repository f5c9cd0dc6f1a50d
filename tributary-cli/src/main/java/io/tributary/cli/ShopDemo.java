package io.tributary.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Random;

/** The demo's shop: clients and their orders, a first load, and a steady stream of changes. */
final class ShopDemo {
  /** The SQL that differs between the databases the shop runs on. */
  enum Dialect {
    POSTGRES(
        "SELECT to_regclass('public.clients') IS NOT NULL",
        """
        CREATE TABLE clients (
          id serial PRIMARY KEY,
          first_name text NOT NULL,
          last_name text NOT NULL,
          age int,
          email text,
          signup_date date NOT NULL,
          city text)""",
        """
        CREATE TABLE orders (
          id serial PRIMARY KEY,
          client_id int NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
          amount numeric(12,2) NOT NULL,
          status text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now())""",
        "now() - ? * interval '1 minute'"),
    // No ON DELETE CASCADE: MariaDB does not write cascaded changes to the binlog.
    MARIADB(
        "SELECT count(*) > 0 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'clients'",
        """
        CREATE TABLE clients (
          id int AUTO_INCREMENT PRIMARY KEY,
          first_name varchar(60) NOT NULL,
          last_name varchar(60) NOT NULL,
          age int,
          email varchar(120),
          signup_date date NOT NULL,
          city varchar(60)) DEFAULT CHARSET = utf8mb4""",
        """
        CREATE TABLE orders (
          id int AUTO_INCREMENT PRIMARY KEY,
          client_id int NOT NULL REFERENCES clients(id),
          amount decimal(12,2) NOT NULL,
          status varchar(20) NOT NULL,
          created_at timestamp(6) NOT NULL DEFAULT current_timestamp(6),
          updated_at timestamp(6) NOT NULL DEFAULT current_timestamp(6)) DEFAULT CHARSET = utf8mb4""",
        "now(6) - INTERVAL ? MINUTE");

    private final String exists;
    private final String createClients;
    private final String createOrders;
    private final String minutesAgo;

    Dialect(String exists, String createClients, String createOrders, String minutesAgo) {
      this.exists = exists;
      this.createClients = createClients;
      this.createOrders = createOrders;
      this.minutesAgo = minutesAgo;
    }
  }

  private static final String[] FIRST_NAMES = {"Ana", "Bruno", "Carla", "Diego", "Elena", "Felipe", "Gabriela", "Hugo", "Inês",
      "João", "Karin", "Lucas", "Marta", "Nuno", "Olga", "Pedro", "Quitéria", "Rafael", "Sofia", "Tomás", "Úrsula", "Vera"};
  private static final String[] LAST_NAMES = {"Almeida", "Barbosa", "Costa", "Duarte", "Esteves", "Ferreira", "Gomes", "Henriques",
      "Lopes", "Martins", "Nogueira", "Oliveira", "Pereira", "Rocha", "Santos", "Teixeira", "Vieira"};
  private static final String[] CITIES = {"Lisboa", "Porto", "São Paulo", "Recife", "Curitiba", "Coimbra", "Braga", "Salvador",
      "Belo Horizonte", "Faro", "Manaus", "Évora"};
  private static final String[] STATUSES = {"new", "paid", "shipped", "delivered", "cancelled"};

  private final Random random;

  ShopDemo(long seed) {
    this.random = new Random(seed);
  }

  /** Creates and fills the schema unless it exists; returns whether it did. */
  boolean createIfMissing(Connection connection, Dialect dialect, int clients, int orders) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet exists = statement.executeQuery(dialect.exists)) {
      exists.next();
      if (exists.getBoolean(1)) {
        return false;
      }
    }
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute(dialect.createClients);
      statement.execute(dialect.createOrders);
    }
    for (int i = 0; i < clients; i++) {
      insertClient(connection);
    }
    for (int i = 0; i < orders; i++) {
      insertOrder(connection, dialect, 1 + random.nextInt(clients));
    }
    connection.commit();
    connection.setAutoCommit(true);
    return true;
  }

  static long rows(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM orders)")) {
      result.next();
      return result.getLong(1);
    }
  }

  /** One business event: a new order, a paid or shipped order, a moving client, a new email address, a cancellation, a sign-up. */
  void step(Connection connection, Dialect dialect) throws SQLException {
    int roll = random.nextInt(100);
    if (roll < 35) {
      Integer client = randomId(connection, "clients");
      if (client != null) {
        insertOrder(connection, dialect, client);
      }
    } else if (roll < 70) {
      Integer order = randomId(connection, "orders");
      if (order != null) {
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE orders SET status = ?, amount = amount + ?, updated_at = now() WHERE id = ?")) {
          update.setString(1, STATUSES[random.nextInt(STATUSES.length)]);
          update.setBigDecimal(2, money(0, 20));
          update.setInt(3, order);
          update.executeUpdate();
        }
      }
    } else if (roll < 81) {
      Integer client = randomId(connection, "clients");
      if (client != null) {
        try (PreparedStatement update = connection.prepareStatement("UPDATE clients SET city = ?, age = age + 1 WHERE id = ?")) {
          update.setString(1, CITIES[random.nextInt(CITIES.length)]);
          update.setInt(2, client);
          update.executeUpdate();
        }
      }
    } else if (roll < 85) {
      Integer client = randomId(connection, "clients");
      if (client != null) {
        // a new address: history.clients keeps the old one as an earlier version
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE clients SET email = lower(concat(first_name, '.', last_name, ?, '@example.org')) WHERE id = ?")) {
          update.setInt(1, random.nextInt(1000));
          update.setInt(2, client);
          update.executeUpdate();
        }
      }
    } else if (roll < 95) {
      Integer order = randomId(connection, "orders");
      if (order != null) {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM orders WHERE id = ?")) {
          delete.setInt(1, order);
          delete.executeUpdate();
        }
      }
    } else {
      insertClient(connection);
    }
  }

  private void insertClient(Connection connection) throws SQLException {
    String first = FIRST_NAMES[random.nextInt(FIRST_NAMES.length)];
    String last = LAST_NAMES[random.nextInt(LAST_NAMES.length)];
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO clients (first_name, last_name, age, email, signup_date, city) VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, first);
      insert.setString(2, last);
      insert.setInt(3, 18 + random.nextInt(60));
      insert.setString(4, (first + "." + last + random.nextInt(10_000) + "@example.com").toLowerCase(java.util.Locale.ROOT));
      insert.setObject(5, LocalDate.of(2020, 1, 1).plusDays(random.nextInt(2_000)));
      insert.setString(6, CITIES[random.nextInt(CITIES.length)]);
      insert.executeUpdate();
    }
  }

  private void insertOrder(Connection connection, Dialect dialect, int client) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO orders (client_id, amount, status, created_at, updated_at) "
            + "VALUES (?, ?, ?, " + dialect.minutesAgo + ", now())")) {
      insert.setInt(1, client);
      insert.setBigDecimal(2, money(5, 500));
      insert.setString(3, STATUSES[random.nextInt(2)]);
      insert.setInt(4, random.nextInt(60 * 24 * 30));
      insert.executeUpdate();
    }
  }

  private Integer randomId(Connection connection, String table) throws SQLException {
    // A random existing key without scanning: the first key at or after a random point of the range.
    try (Statement statement = connection.createStatement();
        ResultSet range = statement.executeQuery("SELECT min(id), max(id) FROM " + table)) {
      range.next();
      int min = range.getInt(1);
      int max = range.getInt(2);
      if (range.wasNull()) {
        return null;
      }
      int probe = min + random.nextInt(max - min + 1);
      try (ResultSet found = statement.executeQuery("SELECT id FROM " + table + " WHERE id >= " + probe + " ORDER BY id LIMIT 1")) {
        return found.next() ? found.getInt(1) : null;
      }
    }
  }

  private BigDecimal money(int from, int to) {
    return BigDecimal.valueOf(from * 100L + random.nextInt((to - from) * 100 + 1), 2).setScale(2, RoundingMode.UNNECESSARY);
  }
}
