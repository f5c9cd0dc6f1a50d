package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads how much WAL a source's replication slot holds back, and drops the slot when the WAL policy
 * says so. Keeps one connection, opened again after an error.
 */
public final class ReplicationSlotMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicationSlotMonitor.class);

  private final PostgresSourceSettings settings;
  private Connection connection;

  /**
   * The slot as PostgreSQL reports it.
   *
   * @param retainedBytes WAL the server keeps for the slot: from its {@code restart_lsn} to the current
   *     WAL position
   * @param unconfirmedBytes WAL written since the position the lake confirmed ({@code confirmed_flush_lsn})
   * @param active whether a connection streams from it now
   * @param walStatus PostgreSQL's {@code wal_status}: reserved, extended, unreserved or lost
   */
  public record SlotState(String slot, long retainedBytes, long unconfirmedBytes, boolean active, String walStatus) {
    public SlotState {
      requireNonNull(slot, "slot is null");
      requireNonNull(walStatus, "walStatus is null");
    }
  }

  public ReplicationSlotMonitor(PostgresSourceSettings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  /** The slot's state; empty when the slot does not exist. */
  public synchronized Optional<SlotState> read() {
    String sql = """
        SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint,
               coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint,
               active, coalesce(wal_status, '')
        FROM pg_replication_slots WHERE slot_name = ?""";
    try {
      try (PreparedStatement statement = connection().prepareStatement(sql)) {
        statement.setString(1, settings.slotName());
        try (ResultSet result = statement.executeQuery()) {
          if (!result.next()) {
            return Optional.empty();
          }
          return Optional.of(new SlotState(settings.slotName(), result.getLong(1), result.getLong(2),
              result.getBoolean(3), result.getString(4)));
        }
      }
    } catch (SQLException e) {
      closeConnection();
      throw new IllegalStateException("Cannot read replication slot " + settings.slotName() + " of source "
          + settings.name() + ": " + e.getMessage(), e);
    }
  }

  /** Drops the slot, which must not be in use; PostgreSQL can then free the WAL it held. */
  public synchronized void drop() {
    try (PreparedStatement statement = connection().prepareStatement(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, settings.slotName());
      statement.execute();
      log.warn("Source {}: dropped replication slot {}", settings.name(), settings.slotName());
    } catch (SQLException e) {
      closeConnection();
      throw new IllegalStateException("Cannot drop replication slot " + settings.slotName() + " of source "
          + settings.name() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    closeConnection();
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties properties = new Properties();
      properties.setProperty("user", settings.user());
      settings.password().ifPresent(password -> properties.setProperty("password", password));
      properties.setProperty("ApplicationName", "tributary-" + settings.name() + "-monitor");
      properties.setProperty("connectTimeout", "10");
      connection = DriverManager.getConnection(
          "jdbc:postgresql://" + settings.host() + ":" + settings.port() + "/" + settings.database(), properties);
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("Closing the slot monitor's connection failed", e);
      }
      connection = null;
    }
  }
}
