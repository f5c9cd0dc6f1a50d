package io.tributary.it;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The MariaDB counterpart of {@link ShopFixture}: a table of many MariaDB column types with a
 * primary key, and audit triggers that record every change in a table the pipeline does not capture
 * (the independent truth bronze is compared with, read by {@link LakeComparison#auditedChanges}).
 */
final class MariaDbShopFixture {
  static final String CUSTOMERS_COLUMNS =
      "id, name, email, age, balance, score, active, flag, born, created, updated, doc, photo, size, big, bio";

  private final Random random;
  private final List<Integer> liveIds = new ArrayList<>();
  private int nextId = 1;

  MariaDbShopFixture(long seed) {
    this.random = new Random(seed);
  }

  static void createSchema(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE customers (
            id int PRIMARY KEY,
            name varchar(80),
            email varchar(100),
            age smallint,
            balance decimal(12,2),
            score double,
            active bool,
            flag bit(1),
            born date,
            created datetime(6),
            updated timestamp(6) NULL,
            doc json,
            photo blob,
            size enum('s','m','l','xl'),
            big bigint,
            bio text) DEFAULT CHARSET = utf8mb4""");
      statement.execute("""
          CREATE TABLE change_audit (
            id bigint AUTO_INCREMENT PRIMARY KEY,
            tbl varchar(64) NOT NULL,
            op char(1) NOT NULL,
            old_key int,
            new_key int)""");
      statement.execute("CREATE TRIGGER customers_insert AFTER INSERT ON customers FOR EACH ROW "
          + "INSERT INTO change_audit (tbl, op, new_key) VALUES ('customers', 'c', NEW.id)");
      statement.execute("CREATE TRIGGER customers_update AFTER UPDATE ON customers FOR EACH ROW "
          + "INSERT INTO change_audit (tbl, op, old_key, new_key) VALUES ('customers', 'u', OLD.id, NEW.id)");
      statement.execute("CREATE TRIGGER customers_delete AFTER DELETE ON customers FOR EACH ROW "
          + "INSERT INTO change_audit (tbl, op, old_key) VALUES ('customers', 'd', OLD.id)");
    }
  }

  /** Inserts {@code count} customers in one transaction, before capture starts. */
  void load(Connection connection, int count) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    for (int i = 0; i < count; i++) {
      insert(connection);
    }
    try (Statement statement = connection.createStatement()) {
      // The initial snapshot reads these rows; only changes made after it are audited.
      statement.execute("DELETE FROM change_audit");
    }
    connection.commit();
    connection.setAutoCommit(autoCommit);
  }

  /** Makes one random change in its own transaction. */
  void step(Connection connection) throws SQLException {
    int choice = random.nextInt(100);
    if (liveIds.size() < 5 || choice < 35) {
      insert(connection);
      return;
    }
    int id = liveIds.get(random.nextInt(liveIds.size()));
    if (choice < 80) {
      update(connection, id);
    } else {
      delete(connection, id);
    }
  }

  /** The awkward cases, each once: several changes in one transaction, a key change, delete and re-insert, NULLs. */
  void edgeCases(Connection connection) throws SQLException {
    int hot = insert(connection);
    int other = insert(connection);
    connection.setAutoCommit(false);
    for (int i = 0; i < 10; i++) {
      try (PreparedStatement statement = connection.prepareStatement("UPDATE customers SET age = ?, balance = balance + 1 WHERE id = ?")) {
        statement.setInt(1, 20 + i);
        statement.setInt(2, hot);
        statement.executeUpdate();
      }
    }
    int inTransaction = insert(connection);
    delete(connection, other);
    try (Statement statement = connection.createStatement()) {
      // One statement, one binlog event, several rows.
      statement.executeUpdate("UPDATE customers SET score = score + 1 WHERE id IN (" + hot + ", " + inTransaction + ")");
    }
    connection.commit();
    connection.setAutoCommit(true);

    int moved = insert(connection);
    int newKey = nextId++;
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE customers SET id = " + newKey + ", name = 'Renumbered' WHERE id = " + moved);
    }
    liveIds.remove(Integer.valueOf(moved));
    liveIds.add(newKey);

    int again = insert(connection);
    delete(connection, again);
    insert(connection, again);

    int empty = nextId++;
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("INSERT INTO customers (id) VALUES (" + empty + ")");
    }
    liveIds.add(empty);
  }

  private int insert(Connection connection) throws SQLException {
    int id = nextId++;
    insert(connection, id);
    return id;
  }

  private void insert(Connection connection, int id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "INSERT INTO customers (" + CUSTOMERS_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      statement.setInt(1, id);
      statement.setString(2, nullable(pick(NAMES) + " " + pick(NAMES)));
      statement.setString(3, nullable("user" + id + "@example.org"));
      if (random.nextInt(10) == 0) {
        statement.setNull(4, Types.SMALLINT);
      } else {
        statement.setShort(4, (short) (18 + random.nextInt(70)));
      }
      statement.setBigDecimal(5, BigDecimal.valueOf(random.nextLong() % 1_000_000_000L, 2));
      statement.setDouble(6, Math.round(random.nextGaussian() * 1e6) / 8.0);
      statement.setBoolean(7, random.nextBoolean());
      statement.setBoolean(8, random.nextBoolean());
      statement.setObject(9, LocalDate.of(1950 + random.nextInt(60), 1 + random.nextInt(12), 1 + random.nextInt(28)));
      statement.setObject(10, LocalDateTime.of(2020, 1, 1, 0, 0).plusSeconds(random.nextInt(100_000_000))
          .plusNanos(random.nextInt(1_000_000) * 1000L));
      statement.setString(11, "2024-02-29 12:00:0" + random.nextInt(10) + "." + (100_000 + random.nextInt(900_000)));
      statement.setString(12, "{\"n\": " + id + ", \"tags\": [\"a\", \"ü\"]}");
      byte[] photo = new byte[random.nextInt(64)];
      random.nextBytes(photo);
      statement.setBytes(13, photo);
      statement.setString(14, pick(new String[] {"s", "m", "l", "xl"}));
      statement.setLong(15, random.nextLong());
      statement.setString(16, random.nextInt(5) == 0 ? null : "Bio of " + id + " — 日本語 ✓");
      statement.executeUpdate();
    }
    liveIds.add(id);
  }

  private void update(Connection connection, int id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "UPDATE customers SET name = ?, balance = ?, active = NOT coalesce(active, false), updated = now(6), size = ? WHERE id = ?")) {
      statement.setString(1, nullable(pick(NAMES) + " " + pick(NAMES)));
      statement.setBigDecimal(2, BigDecimal.valueOf(random.nextLong() % 1_000_000_000L, 2));
      statement.setString(3, pick(new String[] {"s", "m", "l", "xl"}));
      statement.setInt(4, id);
      statement.executeUpdate();
    }
  }

  private void delete(Connection connection, int id) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("DELETE FROM customers WHERE id = " + id);
    }
    liveIds.remove(Integer.valueOf(id));
  }

  private String nullable(String value) {
    return random.nextInt(15) == 0 ? null : value;
  }

  private String pick(String[] words) {
    return words[random.nextInt(words.length)];
  }

  private static final String[] NAMES = {
    "Ana", "João", "Zoë", "Łukasz", "Mårten", "Søren", "Chloé", "Ngozi", "Hiroshi", "Olúwá", "Priya", "Émile"
  };
}
