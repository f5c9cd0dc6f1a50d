package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import io.tributary.core.pipeline.ReplicationSlotProbe;
import io.tributary.core.pipeline.ReplicationSlotStatus;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks PostgreSQL how far the source's slot is behind ({@code pg_replication_slots}), on a connection of
 * its own, and keeps each answer for {@code maxAge} so frequent readers (the UI polls, Prometheus scrapes)
 * do not each cost a query; drops the slot when the WAL policy says so. The one reader of a slot's
 * state: the server, the operations monitor and {@code tributary status} all ask it.
 */
public final class PostgresSlotProbe implements ReplicationSlotProbe {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresSlotProbe.class);
  private static final String QUERY = "SELECT active, "
      + "coalesce(pg_current_wal_lsn() - confirmed_flush_lsn, 0)::bigint, "
      + "coalesce(pg_current_wal_lsn() - restart_lsn, 0)::bigint, "
      + "coalesce(confirmed_flush_lsn::text, ''), pg_current_wal_lsn()::text "
      + "FROM pg_replication_slots WHERE slot_name = ?";

  private final PostgresSourceSettings settings;
  private final Duration maxAge;
  private Connection connection;
  private Optional<ReplicationSlotStatus> last = Optional.empty();
  private long readAt;

  public PostgresSlotProbe(PostgresSourceSettings settings, Duration maxAge) {
    this.settings = requireNonNull(settings, "settings is null");
    this.maxAge = requireNonNull(maxAge, "maxAge is null");
  }

  @Override
  public synchronized Optional<ReplicationSlotStatus> read() {
    if (readAt != 0 && System.nanoTime() - readAt < maxAge.toNanos()) {
      return last;
    }
    try {
      if (connection == null || connection.isClosed()) {
        connection = connect();
      }
      try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
        statement.setQueryTimeout(5);
        statement.setString(1, settings.slotName());
        try (ResultSet result = statement.executeQuery()) {
          last = result.next()
              ? Optional.of(new ReplicationSlotStatus(settings.slotName(), result.getBoolean(1), result.getLong(2),
                  result.getLong(3), result.getString(4), result.getString(5)))
              : Optional.empty();
        }
      }
      readAt = System.nanoTime();
      return last;
    } catch (SQLException e) {
      closeConnection();
      throw new IllegalStateException("Cannot read replication slot " + settings.slotName() + " of source "
          + settings.name() + " at " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
    }
  }

  /** Drops the slot, which must not be in use; PostgreSQL can then free the WAL it held. */
  public synchronized void drop() {
    try {
      if (connection == null || connection.isClosed()) {
        connection = connect();
      }
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
        statement.setString(1, settings.slotName());
        statement.execute();
      }
      readAt = 0;
      last = Optional.empty();
      LOG.warn("Source {}: dropped replication slot {}", settings.name(), settings.slotName());
    } catch (SQLException e) {
      closeConnection();
      throw new IllegalStateException("Cannot drop replication slot " + settings.slotName() + " of source "
          + settings.name() + ": " + e.getMessage(), e);
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", settings.user());
    settings.password().ifPresent(password -> properties.setProperty("password", password));
    properties.setProperty("ApplicationName", "tributary " + settings.name() + " slot probe");
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(
        "jdbc:postgresql://" + settings.host() + ":" + settings.port() + "/" + settings.database(), properties);
  }

  @Override
  public synchronized void close() {
    closeConnection();
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing a broken connection: nothing left to do
      }
      connection = null;
    }
  }
}
