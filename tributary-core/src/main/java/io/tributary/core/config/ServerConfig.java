package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code server} section: the HTTP server of {@code run} (REST API, web UI, Prometheus metrics).
 *
 * @param enabled whether {@code run} starts the server
 * @param listen the address and port it listens on
 * @param token the token every call must carry ({@code Authorization: Bearer <token>}), if any;
 *     required when {@code listen} is not a loopback address
 * @param sqlTimeout the longest a statement of the SQL console may run
 * @param sqlMaxRows the most rows the SQL console returns for one statement
 */
public record ServerConfig(boolean enabled, ListenAddress listen, Optional<Secret> token, Duration sqlTimeout,
    int sqlMaxRows) {
  public static final ListenAddress DEFAULT_LISTEN = new ListenAddress("127.0.0.1", 8080);
  public static final Duration DEFAULT_SQL_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_SQL_MAX_ROWS = 1000;

  public ServerConfig {
    requireNonNull(listen, "listen is null");
    requireNonNull(token, "token is null");
    requireNonNull(sqlTimeout, "sqlTimeout is null");
    if (sqlTimeout.isNegative() || sqlTimeout.isZero()) {
      throw new IllegalArgumentException("Invalid SQL timeout: " + sqlTimeout + " (must be positive)");
    }
    if (sqlMaxRows < 1) {
      throw new IllegalArgumentException("Invalid SQL row limit: " + sqlMaxRows + " (must be at least 1)");
    }
    if (token.isEmpty() && !listen.isLoopback()) {
      throw new IllegalArgumentException("Invalid server: listening on " + listen + " needs a token");
    }
  }

  /** What a configuration without a {@code server} section gets. */
  public static ServerConfig defaults() {
    return new ServerConfig(true, DEFAULT_LISTEN, Optional.empty(), DEFAULT_SQL_TIMEOUT, DEFAULT_SQL_MAX_ROWS);
  }
}
