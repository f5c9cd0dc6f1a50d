package io.tributary.it;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A source schema for end-to-end tests: a table of many column types with a primary key, a table
 * without one, and an audit trigger that records every change in a table the pipeline does not
 * capture. The audit log is the independent truth bronze is compared with.
 */
final class ShopFixture {
  static final String CUSTOMERS_COLUMNS =
      "id, name, email, age, balance, score, ratio, active, born, wake, created, updated, uid, doc, meta, photo, tags, nums, big, bio";

  private final Random random;
  private final List<Integer> liveIds = new ArrayList<>();
  private int nextId = 1;

  ShopFixture(long seed) {
    this.random = new Random(seed);
  }

  static void createSchema(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE customers (
            id int PRIMARY KEY,
            name text,
            email varchar(100),
            age smallint,
            balance numeric(12,2),
            score double precision,
            ratio real,
            active boolean,
            born date,
            wake time,
            created timestamp,
            updated timestamptz,
            uid uuid,
            doc jsonb,
            meta json,
            photo bytea,
            tags text[],
            nums int[],
            big bigint,
            bio text)""");
      statement.execute("CREATE TABLE page_views (url text, viewed_at timestamptz, visitor int)");
      statement.execute("""
          CREATE TABLE change_audit (
            id bigserial PRIMARY KEY,
            tbl text NOT NULL,
            op char(1) NOT NULL,
            old_key int,
            new_key int)""");
      statement.execute("""
          CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'INSERT' THEN
              INSERT INTO change_audit (tbl, op, new_key) VALUES (TG_TABLE_NAME, 'c', NEW.id);
            ELSIF TG_OP = 'UPDATE' THEN
              INSERT INTO change_audit (tbl, op, old_key, new_key) VALUES (TG_TABLE_NAME, 'u', OLD.id, NEW.id);
            ELSE
              INSERT INTO change_audit (tbl, op, old_key) VALUES (TG_TABLE_NAME, 'd', OLD.id);
            END IF;
            RETURN NULL;
          END $$""");
      statement.execute("CREATE TRIGGER customers_audit AFTER INSERT OR UPDATE OR DELETE ON customers "
          + "FOR EACH ROW EXECUTE FUNCTION record_change()");
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
      statement.execute("TRUNCATE change_audit");
    }
    connection.commit();
    connection.setAutoCommit(autoCommit);
  }

  /** Makes one random change, in its own transaction, and returns a description of it. */
  String step(Connection connection) throws SQLException {
    int choice = random.nextInt(100);
    if (liveIds.size() < 5 || choice < 30) {
      return "insert " + insert(connection);
    }
    int id = liveIds.get(random.nextInt(liveIds.size()));
    if (choice < 75) {
      update(connection, id);
      return "update " + id;
    }
    if (choice < 88) {
      delete(connection, id);
      return "delete " + id;
    }
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("INSERT INTO page_views VALUES ('/p/" + id + "', now(), " + id + ")");
    }
    return "page view " + id;
  }

  /** The awkward cases, each once: many updates of one key in a transaction, a key change, delete and re-insert, NULLs, a large value left unchanged. */
  void edgeCases(Connection connection) throws SQLException {
    int hot = insert(connection);
    connection.setAutoCommit(false);
    for (int i = 0; i < 25; i++) {
      try (PreparedStatement statement = connection.prepareStatement("UPDATE customers SET age = ?, balance = balance + 1 WHERE id = ?")) {
        statement.setInt(1, 20 + i);
        statement.setInt(2, hot);
        statement.executeUpdate();
      }
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

    int large = insert(connection);
    try (PreparedStatement statement = connection.prepareStatement("UPDATE customers SET bio = ? WHERE id = ?")) {
      statement.setString(1, randomText(40_000));
      statement.setInt(2, large);
      statement.executeUpdate();
    }
    try (Statement statement = connection.createStatement()) {
      // bio is stored out of line and unchanged here: the source sends no value for it.
      statement.executeUpdate("UPDATE customers SET age = 77, name = 'Toasted' WHERE id = " + large);
    }
  }

  private int insert(Connection connection) throws SQLException {
    int id = nextId++;
    insert(connection, id);
    return id;
  }

  private void insert(Connection connection, int id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "INSERT INTO customers (" + CUSTOMERS_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::json, ?, ?, ?, ?, ?)")) {
      statement.setInt(1, id);
      statement.setString(2, nullable(pick(NAMES) + " " + pick(NAMES)));
      statement.setString(3, nullable("user" + id + "@example.org"));
      if (random.nextInt(10) == 0) {
        statement.setNull(4, Types.SMALLINT);
      } else {
        statement.setShort(4, (short) (18 + random.nextInt(70)));
      }
      statement.setBigDecimal(5, BigDecimal.valueOf(random.nextLong() % 1_000_000_000L, 2));
      statement.setDouble(6, random.nextGaussian() * 1e6);
      statement.setFloat(7, random.nextFloat());
      statement.setBoolean(8, random.nextBoolean());
      statement.setObject(9, LocalDate.of(1950 + random.nextInt(60), 1 + random.nextInt(12), 1 + random.nextInt(28)));
      statement.setObject(10, LocalTime.of(random.nextInt(24), random.nextInt(60), random.nextInt(60), random.nextInt(1_000_000) * 1000));
      statement.setObject(11, LocalDateTime.of(2020, 1, 1, 0, 0).plusSeconds(random.nextInt(100_000_000)).plusNanos(random.nextInt(1_000_000) * 1000L));
      statement.setObject(12, OffsetDateTime.of(2024, 2, 29, 23, 59, 59, random.nextInt(1_000_000) * 1000, ZoneOffset.ofHours(random.nextInt(25) - 12)));
      statement.setObject(13, new UUID(random.nextLong(), random.nextLong()));
      statement.setString(14, "{\"n\": " + id + ", \"tags\": [\"a\", \"ü\"]}");
      statement.setString(15, "{\"raw\": true,  \"id\": " + id + "}");
      byte[] photo = new byte[random.nextInt(64)];
      random.nextBytes(photo);
      statement.setBytes(16, photo);
      statement.setArray(17, connection.createArrayOf("text", new Object[] {pick(NAMES), "ünïcödé ✓", null}));
      statement.setArray(18, connection.createArrayOf("int4", new Object[] {id, -id, 0}));
      statement.setLong(19, random.nextLong());
      statement.setString(20, random.nextInt(5) == 0 ? null : "Bio of " + id + " — 日本語 ✓");
      statement.executeUpdate();
    }
    liveIds.add(id);
  }

  private void update(Connection connection, int id) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "UPDATE customers SET name = ?, balance = ?, active = NOT coalesce(active, false), updated = now(), tags = ? WHERE id = ?")) {
      statement.setString(1, nullable(pick(NAMES) + " " + pick(NAMES)));
      statement.setBigDecimal(2, BigDecimal.valueOf(random.nextLong() % 1_000_000_000L, 2));
      statement.setArray(3, connection.createArrayOf("text", new Object[] {pick(NAMES)}));
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

  private String randomText(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }

  private static final String[] NAMES = {
    "Ana", "João", "Zoë", "Łukasz", "Mårten", "Søren", "Chloé", "Ngozi", "Hiroshi", "Olúwá", "Priya", "Émile"
  };
}
