package io.tributary.sources.postgres.snapshot;

import static java.util.Objects.requireNonNull;

import io.tributary.sources.postgres.PostgresSourceSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens connections to a source's PostgreSQL database: plain ones for reading, replication ones for slots. */
public final class PgConnections {
  private final PostgresSourceSettings settings;
  private final String purpose;

  /**
   * @param purpose what the connections are for; names them in {@code pg_stat_activity} ({@code
   *     tributary-<source>-<purpose>})
   */
  public PgConnections(PostgresSourceSettings settings, String purpose) {
    this.settings = requireNonNull(settings, "settings is null");
    this.purpose = requireNonNull(purpose, "purpose is null");
  }

  public PostgresSourceSettings settings() {
    return settings;
  }

  /** A plain connection. */
  public Connection open() throws SQLException {
    return connect(false);
  }

  /** A logical replication connection ({@code replication=database}, simple query mode). */
  public Connection openReplication() throws SQLException {
    return connect(true);
  }

  private Connection connect(boolean replication) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", settings.user());
    settings.password().ifPresent(password -> properties.setProperty("password", password));
    properties.setProperty("ApplicationName", "tributary-" + settings.name() + "-" + purpose);
    properties.setProperty("connectTimeout", "10");
    if (replication) {
      properties.setProperty("replication", "database");
      properties.setProperty("assumeMinServerVersion", "10");
      properties.setProperty("preferQueryMode", "simple");
    }
    String url = "jdbc:postgresql://" + settings.host() + ":" + settings.port() + "/" + settings.database();
    return DriverManager.getConnection(url, properties);
  }

  /** Where the connections go, for messages (never the password). */
  public String describe() {
    return settings.host() + ":" + settings.port() + "/" + settings.database();
  }
}
