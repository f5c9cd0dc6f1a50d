package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before capture starts, everything PostgreSQL needs for it, and says exactly what is
 * missing: the server setting, the role's attribute, the grant, the publication. Creates the
 * publication when it is missing and the user may, and drops a stale replication slot when the
 * source must start over.
 */
final class PostgresPreflight {
  private static final Logger log = LoggerFactory.getLogger(PostgresPreflight.class);

  private final PostgresSourceSettings settings;

  PostgresPreflight(PostgresSourceSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  Connection connect() {
    Properties properties = new Properties();
    properties.setProperty("user", settings.user());
    settings.password().ifPresent(password -> properties.setProperty("password", password));
    properties.setProperty("ApplicationName", "tributary-" + settings.name());
    properties.setProperty("connectTimeout", "10");
    String url = "jdbc:postgresql://" + settings.host() + ":" + settings.port() + "/" + settings.database();
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot connect source " + settings.name() + " to PostgreSQL at " + settings.host() + ":"
          + settings.port() + ", database " + settings.database() + ", as user " + settings.user() + ": " + e.getMessage()
          + " (check host, port, database, user and password of sources." + settings.name() + ")", e);
    }
  }

  /**
   * Runs every check. With {@code startOver}, the source will snapshot from scratch, so an existing
   * replication slot (which may be far behind) is dropped and created afresh by the engine.
   */
  void run(boolean startOver) {
    try (Connection connection = connect()) {
      checkWalLevel(connection);
      checkReplicationRole(connection);
      checkTables(connection);
      ensurePublication(connection);
      checkSlot(connection, startOver);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot check source " + settings.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The captured tables whose deletes carry the whole old row ({@code REPLICA IDENTITY FULL}), as
   * {@code schema.table}. Other tables' deletes carry only the key.
   */
  Set<String> tablesWithFullIdentity() {
    Set<String> full = new java.util.HashSet<>();
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement("SELECT relreplident FROM pg_class WHERE oid = ?::regclass")) {
      for (String table : settings.tables()) {
        statement.setString(1, qualified(table));
        try (ResultSet result = statement.executeQuery()) {
          if (result.next() && "f".equals(result.getString(1))) {
            full.add(table);
          }
        }
      }
      return full;
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot check source " + settings.name() + ": " + e.getMessage(), e);
    }
  }

  private void checkWalLevel(Connection connection) throws SQLException {
    String walLevel = single(connection, "SHOW wal_level");
    if (!"logical".equals(walLevel)) {
      throw new IllegalStateException("Cannot capture from source " + settings.name() + ": the server's wal_level is " + walLevel
          + ", logical decoding needs logical (set wal_level = logical in postgresql.conf and restart PostgreSQL)");
    }
  }

  private void checkReplicationRole(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user")) {
      result.next();
      if (!result.getBoolean(1) && !result.getBoolean(2)) {
        throw new IllegalStateException("Cannot capture from source " + settings.name() + ": user " + settings.user()
            + " lacks the REPLICATION attribute (run as a superuser: ALTER ROLE " + quote(settings.user()) + " WITH REPLICATION)");
      }
    }
  }

  private void checkTables(Connection connection) throws SQLException {
    try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?)");
        PreparedStatement select = connection.prepareStatement("SELECT has_table_privilege(?, 'SELECT')");
        PreparedStatement noKey = connection.prepareStatement("""
            SELECT c.relreplident FROM pg_class c
            WHERE c.oid = ?::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)""")) {
      for (String table : settings.tables()) {
        exists.setString(1, qualified(table));
        try (ResultSet result = exists.executeQuery()) {
          result.next();
          if (result.getString(1) == null) {
            throw new IllegalStateException("Cannot capture table " + table + " of source " + settings.name()
                + ": it does not exist in database " + settings.database() + " (check sources." + settings.name() + ".tables)");
          }
        }
        select.setString(1, qualified(table));
        try (ResultSet result = select.executeQuery()) {
          result.next();
          if (!result.getBoolean(1)) {
            throw new IllegalStateException("Cannot capture table " + table + " of source " + settings.name() + ": user "
                + settings.user() + " may not read it (run: GRANT SELECT ON " + qualified(table) + " TO " + quote(settings.user()) + ")");
          }
        }
        noKey.setString(1, qualified(table));
        try (ResultSet result = noKey.executeQuery()) {
          if (result.next() && "d".equals(result.getString(1))) {
            log.warn("Table {} of source {} has no primary key: it is captured to bronze only, and once it is published "
                + "PostgreSQL refuses UPDATE and DELETE on it unless it has a replica identity "
                + "(ALTER TABLE {} REPLICA IDENTITY FULL)", table, settings.name(), qualified(table));
          }
        }
      }
    }
  }

  private void ensurePublication(Connection connection) throws SQLException {
    Set<String> published = new LinkedHashSet<>();
    boolean exists;
    try (PreparedStatement statement = connection.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
      statement.setString(1, settings.publicationName());
      try (ResultSet result = statement.executeQuery()) {
        exists = result.next();
        if (exists && result.getBoolean(1)) {
          return;
        }
      }
    }
    if (exists) {
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
        statement.setString(1, settings.publicationName());
        try (ResultSet result = statement.executeQuery()) {
          while (result.next()) {
            published.add(result.getString(1));
          }
        }
      }
    }
    List<String> missing = new ArrayList<>();
    for (String table : settings.tables()) {
      if (!published.contains(table)) {
        missing.add(qualified(table));
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String tables = String.join(", ", missing);
    String sql = exists
        ? "ALTER PUBLICATION " + quote(settings.publicationName()) + " ADD TABLE " + tables
        : "CREATE PUBLICATION " + quote(settings.publicationName()) + " FOR TABLE " + tables;
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
      log.info("Source {}: {} publication {} for {}", settings.name(), exists ? "extended" : "created", settings.publicationName(), tables);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot " + (exists ? "extend" : "create") + " publication " + settings.publicationName()
          + " of source " + settings.name() + ": " + e.getMessage() + " (a publication needs CREATE on the database and "
          + "ownership of its tables; have the tables' owner run: " + sql + ")", e);
    }
  }

  private void checkSlot(Connection connection, boolean startOver) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT active, active_pid, plugin, database FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, settings.slotName());
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          if (!startOver) {
            throw slotGone(settings);
          }
          return;
        }
        if (result.getBoolean(1)) {
          throw new IllegalStateException("Cannot start source " + settings.name() + ": replication slot " + settings.slotName()
              + " is in use by server process " + result.getInt(2)
              + " (is another Tributary running this pipeline? Stop it, or name another slot in sources." + settings.name() + ".slot)");
        }
        if (!settings.database().equals(result.getString(4)) || !"pgoutput".equals(result.getString(3))) {
          throw new IllegalStateException("Cannot use replication slot " + settings.slotName() + " for source " + settings.name()
              + ": it belongs to database " + result.getString(4) + " with plugin " + result.getString(3)
              + " (name another slot in sources." + settings.name() + ".slot)");
        }
      }
    }
    if (startOver) {
      try (PreparedStatement statement = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
        statement.setString(1, settings.slotName());
        statement.execute();
      }
      log.info("Source {}: dropped replication slot {} to snapshot from scratch", settings.name(), settings.slotName());
    }
  }

  private static String single(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }

  static String qualified(String table) {
    String[] parts = table.split("\\.", 2);
    return quote(parts[0]) + "." + quote(parts[1]);
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** The error for a source that resumes from a position its replication slot no longer holds. */
  static IllegalStateException slotGone(PostgresSourceSettings settings) {
    return new IllegalStateException("Cannot resume source " + settings.name() + ": replication slot " + settings.slotName()
        + " does not exist any more, so the changes made since the lake's last commit are gone (to capture again "
        + "from a fresh snapshot, start a new lake or remove this source's tables from the lake)");
  }
}
