package io.tributary.sources.mariadb;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before capture starts, everything a binlog capture needs from MariaDB or MySQL, and says
 * exactly what is missing: the server setting, the privilege (with the GRANT that gives it), the
 * table, the binlog file a resume needs.
 */
final class MariaDbPreflight {
  private static final Logger log = LoggerFactory.getLogger(MariaDbPreflight.class);
  private static final Pattern RESUME_FILE = Pattern.compile("\"file\":\"([^\"]+)\"");
  private static final int TABLE_ACCESS_DENIED = 1142;
  private static final int DATABASE_ACCESS_DENIED = 1044;
  private static final int NO_SUCH_TABLE = 1146;
  private static final int UNKNOWN_DATABASE = 1049;

  private final MariaDbSourceSettings settings;
  private String grantee;

  MariaDbPreflight(MariaDbSourceSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  Connection connect() {
    Properties properties = new Properties();
    properties.setProperty("user", settings.user());
    settings.password().ifPresent(password -> properties.setProperty("password", password));
    properties.setProperty("connectTimeout", "10000");
    String url = "jdbc:mariadb://" + settings.host() + ":" + settings.port() + "/";
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot connect source " + settings.name() + " to " + settings.server().displayName() + " at "
          + settings.host() + ":" + settings.port() + " as user " + settings.user() + ": " + e.getMessage()
          + " (check host, port, user and password of sources." + settings.name() + ")", e);
    }
  }

  /** Runs every check; with {@code resumeFrom}, also that the binlog file it needs is still on the server. */
  void run(Optional<String> resumeToken) {
    try (Connection connection = connect()) {
      checkBinlog(connection);
      checkPrivileges(connection);
      checkTables(connection);
      if (resumeToken.isPresent()) {
        checkResumeFile(connection, resumeToken.get());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot check source " + settings.name() + ": " + e.getMessage(), e);
    }
  }

  private void checkBinlog(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id")) {
      result.next();
      String server = settings.server().displayName();
      if (!result.getBoolean(1)) {
        throw cannot("binary logging is off on the server",
            "start " + server + " with log_bin = binlog in the [mysqld] section of its configuration, and restart it");
      }
      String format = result.getString(2);
      if (!"ROW".equalsIgnoreCase(format)) {
        throw cannot("the server's binlog_format is " + format + ", capture needs ROW",
            "run SET GLOBAL binlog_format = 'ROW' and set binlog_format = ROW in the server's configuration; "
                + "sessions already open keep the old format until they reconnect");
      }
      String image = result.getString(3);
      if (!"FULL".equalsIgnoreCase(image)) {
        throw cannot("the server's binlog_row_image is " + image + ", capture needs FULL",
            "run SET GLOBAL binlog_row_image = 'FULL' and set binlog_row_image = FULL in the server's configuration");
      }
      long serverId = result.getLong(4);
      if (serverId == settings.serverId()) {
        throw cannot("the server's own server_id is " + serverId + ", the same as the source's server-id",
            "set sources." + settings.name() + ".server-id to a number no server or replica uses");
      }
    }
  }

  private void checkPrivileges(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT CURRENT_USER()")) {
      result.next();
      String current = result.getString(1);
      int at = current.lastIndexOf('@');
      grantee = "'" + current.substring(0, at) + "'@'" + current.substring(at + 1) + "'";
    }
    Set<String> granted = new HashSet<>();
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?")) {
      statement.setString(1, grantee);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          granted.add(result.getString(1).toUpperCase(Locale.ROOT));
        }
      }
    }
    if (granted.contains("BINLOG MONITOR") || granted.contains("REPLICATION CLIENT")) {
      granted.add(settings.server().binlogMonitorPrivilege());
    }
    List<String> missing = new ArrayList<>();
    for (String privilege : List.of("RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", settings.server().binlogMonitorPrivilege(),
        "LOCK TABLES")) {
      if (!granted.contains(privilege)) {
        missing.add(privilege);
      }
    }
    if (!missing.isEmpty()) {
      throw cannot("user " + grantee + " lacks " + String.join(", ", missing),
          "run as an administrator: GRANT " + String.join(", ", missing) + " ON *.* TO " + grantee
              + "; a capture needs SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, "
              + (settings.server() == BinlogServer.MARIADB ? "BINLOG MONITOR, REPLICATION CLIENT" : "REPLICATION CLIENT")
              + " and LOCK TABLES");
    }
  }

  private void checkTables(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String table : settings.tables()) {
        String[] parts = table.split("\\.", 2);
        try (ResultSet ignored = statement.executeQuery("SELECT * FROM " + qualified(table) + " LIMIT 0")) {
          // readable
        } catch (SQLException e) {
          int code = e.getErrorCode();
          if (code == TABLE_ACCESS_DENIED || code == DATABASE_ACCESS_DENIED) {
            throw new IllegalStateException("Cannot capture table " + table + " of source " + settings.name() + ": user "
                + grantee + " may not read it (run as an administrator: GRANT SELECT ON " + quote(parts[0])
                + ".* TO " + grantee + ")", e);
          }
          if (code == NO_SUCH_TABLE || code == UNKNOWN_DATABASE) {
            throw new IllegalStateException("Cannot capture table " + table + " of source " + settings.name()
                + ": it does not exist on the server (check sources." + settings.name() + ".tables; names are database.table)", e);
          }
          throw e;
        }
      }
    }
    try (Statement statement = connection.createStatement()) {
      for (String table : settings.tables()) {
        try (ResultSet result = statement.executeQuery("SHOW KEYS FROM " + qualified(table) + " WHERE Key_name = 'PRIMARY'")) {
          if (!result.next()) {
            log.warn("Table {} of source {} has no primary key: it is captured to bronze only", table, settings.name());
          }
        }
      }
    }
  }

  /** The binlog file named in the lake's offset must still be on the server, or the changes since are gone. */
  private void checkResumeFile(Connection connection, String resumeToken) throws SQLException {
    Matcher matcher = RESUME_FILE.matcher(resumeToken);
    if (!matcher.find()) {
      return;
    }
    String file = matcher.group(1);
    List<String> files = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SHOW BINARY LOGS")) {
      while (result.next()) {
        files.add(result.getString(1));
      }
    }
    if (!files.contains(file)) {
      throw new IllegalStateException("Cannot resume source " + settings.name() + ": binlog file " + file
          + " that holds the changes after the lake's last commit is no longer on the server (it has " + files
          + "; the server purged it, see binlog_expire_logs_seconds or expire_logs_days), so those changes are gone "
          + "(to capture again from a fresh snapshot, start a new lake or remove this source's tables from the lake)");
    }
  }

  private IllegalStateException cannot(String reason, String remedy) {
    return new IllegalStateException("Cannot capture from source " + settings.name() + ": " + reason + " (" + remedy + ")");
  }

  static String qualified(String table) {
    String[] parts = table.split("\\.", 2);
    return quote(parts[0]) + "." + quote(parts[1]);
  }

  static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }
}
