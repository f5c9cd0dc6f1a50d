package io.tributary.testkit;

import static java.util.Objects.requireNonNull;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server from the zonky binaries, on 127.0.0.1, with logical replication on.
 * Tests and the demo use it; it stops on {@link #close()}.
 *
 * <p>The superuser is {@code postgres} and local connections are trusted, so any password works.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  public static final String USER = "postgres";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = requireNonNull(postgres, "postgres is null");
  }

  /** A throw-away server on a free port, its data in a temporary directory, stopped at the latest when the JVM exits. */
  public static EmbeddedPostgresServer start() {
    return start(Optional.empty(), 0, true);
  }

  /**
   * A server keeping its data in {@code dataDirectory} when given (reused by the next start), on
   * {@code port} (0 for any free port). With {@code stopOnExit} false the caller must {@link
   * #close()} it, which lets a program finish its own shutdown (on Ctrl-C) before the server stops.
   */
  public static EmbeddedPostgresServer start(Optional<Path> dataDirectory, int port, boolean stopOnExit) {
    requireNonNull(dataDirectory, "dataDirectory is null");
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("wal_level", "logical")
        .setServerConfig("max_replication_slots", "10")
        .setServerConfig("max_wal_senders", "10")
        .setServerConfig("wal_sender_timeout", "60s")
        .setServerConfig("max_connections", "50")
        .setPGStartupWait(java.time.Duration.ofSeconds(60))
        .setRegisterShutdownHook(stopOnExit);
    if (port != 0) {
      builder.setPort(port);
    }
    dataDirectory.ifPresent(directory -> {
      try {
        Files.createDirectories(directory);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create PostgreSQL data directory " + directory, e);
      }
      builder.setDataDirectory(directory).setCleanDataDirectory(false);
    });
    try {
      EmbeddedPostgres postgres = builder.start();
      log.info("PostgreSQL started on 127.0.0.1:{}", postgres.getPort());
      return new EmbeddedPostgresServer(postgres);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the embedded PostgreSQL server: " + e.getMessage(), e);
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return postgres.getPort();
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
  }

  /** Creates {@code database} unless it exists. */
  public void createDatabase(String database) {
    try (Connection connection = connection("postgres");
        Statement statement = connection.createStatement()) {
      var exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database.replace("'", "''") + "'");
      if (!exists.next()) {
        statement.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + database + ": " + e.getMessage(), e);
    }
  }

  /** A new connection to {@code database} as the superuser. */
  public Connection connection(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), USER, "postgres");
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stop the embedded PostgreSQL server", e);
    }
  }
}
