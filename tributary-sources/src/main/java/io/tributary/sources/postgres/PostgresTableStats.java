package io.tributary.sources.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/** What PostgreSQL's statistics say about the captured tables, for progress displays. */
public final class PostgresTableStats {
  private PostgresTableStats() {}

  /**
   * The planner's estimate of the rows in the captured tables ({@code pg_class.reltuples}, kept by
   * {@code ANALYZE} and autovacuum): cheap and approximate; 0 when unknown.
   */
  public static long estimatedRows(PostgresSourceSettings settings) {
    Properties properties = new Properties();
    properties.setProperty("user", settings.user());
    settings.password().ifPresent(password -> properties.setProperty("password", password));
    properties.setProperty("ApplicationName", "tributary-" + settings.name() + "-stats");
    properties.setProperty("connectTimeout", "10");
    String url = "jdbc:postgresql://" + settings.host() + ":" + settings.port() + "/" + settings.database();
    try (Connection connection = DriverManager.getConnection(url, properties);
        PreparedStatement statement = connection.prepareStatement(
            "SELECT coalesce(sum(greatest(reltuples, 0)), 0)::bigint FROM pg_class WHERE oid = ANY(?::regclass[])")) {
      statement.setArray(1, connection.createArrayOf("text", settings.tables().toArray()));
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? result.getLong(1) : 0;
      }
    } catch (SQLException e) {
      return 0;
    }
  }
}
