package io.tributary.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.core.config.ListenAddress;
import io.tributary.core.config.Secret;
import io.tributary.core.config.ServerConfig;
import io.tributary.core.metrics.JvmMetrics;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of a running pipeline: the REST API under {@code /api}, Prometheus metrics at
 * {@code /metrics} and the web UI at {@code /}. Built on the JDK's own HTTP server, so it adds no
 * dependency. With a token configured, every API and metrics call must carry
 * {@code Authorization: Bearer <token>}; the UI's static files hold no data and are served without
 * it (the UI asks for the token and sends it with each call).
 */
public final class TributaryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TributaryServer.class);
  private static final int THREADS = 4;
  private static final int MAX_BODY = 1 << 20;
  private static final String UI = "/io/tributary/server/ui/";
  private static final Map<String, String> CONTENT_TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
      "json", "application/json", "svg", "image/svg+xml");

  private final HttpServer server;
  private final ExecutorService executor;
  private final Optional<Secret> token;
  private final ServerContext context;
  private final Api api;
  private final SqlConsole console;

  private TributaryServer(HttpServer server, ExecutorService executor, ServerConfig config, ServerContext context,
      Api api, SqlConsole console) {
    this.server = server;
    this.executor = executor;
    this.token = config.token();
    this.context = context;
    this.api = api;
    this.console = console;
  }

  /**
   * Starts serving {@code context} on {@code config.listen()}.
   *
   * @throws IllegalStateException if the address cannot be bound (in use, or not an address of this machine)
   */
  public static TributaryServer start(ServerConfig config, ServerContext context) {
    requireNonNull(config, "config is null");
    requireNonNull(context, "context is null");
    ListenAddress listen = config.listen();
    if (config.token().isEmpty() && !listen.isLoopback()) {
      throw new IllegalArgumentException("Cannot listen on " + listen + " without a token (set server.token)");
    }
    LakeSqlEngine engine = new LakeSqlEngine(context.lake().catalog());
    engine.restrictFileAccess(context.lake().warehouse());
    SqlConsole console = new SqlConsole(engine, config.sqlTimeout(), config.sqlMaxRows());
    LakeView lake = new LakeView(context.lake(), engine, Clock.systemUTC());
    Api api = new Api(context, lake, console, Clock.systemUTC());
    JvmMetrics.register(context.metrics());
    ServerMetrics.register(context, lake);
    context.activity().lagsFrom(context::status);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 0);
    } catch (BindException e) {
      console.close();
      throw new IllegalStateException("Cannot start the HTTP server on " + listen + ": " + e.getMessage()
          + " (another process may use the port: set server.listen to another one, or port 0 for any free one)", e);
    } catch (IOException e) {
      console.close();
      throw new UncheckedIOException("Cannot start the HTTP server on " + listen + ": " + e.getMessage(), e);
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable -> {
      Thread thread = new Thread(runnable, "tributary-http-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    TributaryServer started = new TributaryServer(server, executor, config, context, api, console);
    server.createContext("/", started::handle);
    server.setExecutor(executor);
    server.start();
    log.info("HTTP server listening on {} (web UI, REST API under /api, metrics at /metrics{})", started.uri(),
        config.token().isPresent() ? "; calls need the token" : "");
    return started;
  }

  /** The address the server answers on, such as {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    InetSocketAddress address = server.getAddress();
    String host = address.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + address.getPort() + "/");
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    console.close();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      try {
        if (path.equals("/") || path.startsWith("/ui/")) {
          serveStatic(exchange, path.equals("/") ? "index.html" : path.substring("/ui/".length()));
          return;
        }
        if (!authorized(exchange)) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tributary\"");
          sendJson(exchange, 401, Json.object("error", "Missing or wrong token: send Authorization: Bearer <token>"
              + " with the token of server.token"));
          return;
        }
        if (path.equals("/metrics")) {
          requireMethod(method, "GET");
          send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
              context.metrics().toPrometheusText().getBytes(StandardCharsets.UTF_8));
          return;
        }
        if (path.equals("/api/openapi.json")) {
          requireMethod(method, "GET");
          serveStatic(exchange, "openapi.json");
          return;
        }
        Object answer = route(method, path, query(exchange.getRequestURI()), exchange);
        sendJson(exchange, 200, answer);
      } catch (LakeView.NotFoundException e) {
        sendJson(exchange, 404, Json.object("error", e.getMessage()));
      } catch (MethodNotAllowed e) {
        exchange.getResponseHeaders().set("Allow", e.allowed);
        sendJson(exchange, 405, Json.object("error", e.getMessage()));
      } catch (IllegalArgumentException | QueryException e) {
        sendJson(exchange, 400, Json.object("error", e.getMessage()));
      } catch (RuntimeException e) {
        log.warn("HTTP {} {} failed: {}", method, path, e.toString(), e);
        sendJson(exchange, 500, Json.object("error", "Cannot answer " + path + ": " + e.getMessage()));
      }
    }
  }

  private Object route(String method, String path, Map<String, String> query, HttpExchange exchange)
      throws IOException {
    if (path.equals("/api/sql")) {
      requireMethod(method, "POST");
      return api.sql(statement(exchange));
    }
    requireMethod(method, "GET");
    int limit = query.containsKey("limit") ? integer("limit", query.get("limit")) : 50;
    switch (path) {
      case "/api/pipeline":
        return api.pipeline();
      case "/api/sources":
        return api.sources();
      case "/api/tables":
        return api.tables();
      case "/api/commits":
        return api.commits(limit);
      case "/api/models":
        return api.models();
      case "/api/model-runs":
        return api.modelRuns(limit);
      case "/api/dead-letters":
        return api.deadLetters();
      case "/api/checks":
        return api.checks();
      case "/api/alerts":
        return api.alerts().orElseThrow(() -> new LakeView.NotFoundException(
            "Cannot show alerts: this process raises none (configure alerts: in the pipeline's file)"));
      default:
        break;
    }
    if (path.startsWith("/api/tables/")) {
      String rest = path.substring("/api/tables/".length());
      if (rest.endsWith("/history")) {
        Map<String, String> key = new LinkedHashMap<>(query);
        key.remove("limit");
        return api.history(rest.substring(0, rest.length() - "/history".length()), key);
      }
      return api.table(rest);
    }
    if (path.startsWith("/api/dead-letters/")) {
      return api.deadLetters(path.substring("/api/dead-letters/".length()), limit);
    }
    throw new LakeView.NotFoundException("Cannot find " + path + " (the API is described at /api/openapi.json)");
  }

  private static String statement(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      throw new IllegalArgumentException("Cannot run the statement: the request is larger than 1 MiB");
    }
    String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
    if (contentType.startsWith("application/json")) {
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new IllegalArgumentException("Invalid JSON body: " + e.getMessage() + " (send {\"sql\": \"SELECT ...\"})");
      }
      if (node == null || !node.hasNonNull("sql") || !node.get("sql").isTextual()) {
        throw new IllegalArgumentException("Invalid JSON body: expected {\"sql\": \"SELECT ...\"}");
      }
      return node.get("sql").asText();
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  private boolean authorized(HttpExchange exchange) {
    if (token.isEmpty()) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.get().reveal().getBytes(StandardCharsets.UTF_8));
  }

  private void serveStatic(HttpExchange exchange, String name) throws IOException {
    requireMethod(exchange.getRequestMethod(), "GET");
    if (name.contains("..") || name.contains("/") || name.isEmpty()) {
      throw new LakeView.NotFoundException("Cannot find /ui/" + name);
    }
    try (InputStream in = TributaryServer.class.getResourceAsStream(UI + name)) {
      if (in == null) {
        throw new LakeView.NotFoundException("Cannot find /ui/" + name);
      }
      String extension = name.substring(name.lastIndexOf('.') + 1);
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      send(exchange, 200, CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"), in.readAllBytes());
    }
  }

  private static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
    send(exchange, status, "application/json; charset=utf-8", Json.write(body));
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> parameters = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return parameters;
    }
    for (String pair : raw.split("&")) {
      int equals = pair.indexOf('=');
      String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
      String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      parameters.put(name, value);
    }
    return parameters;
  }

  private static int integer(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid " + name + ": '" + value + "' is not a whole number");
    }
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed) && !(allowed.equals("GET") && method.equals("HEAD"))) {
      throw new MethodNotAllowed(method, allowed);
    }
  }

  private static final class MethodNotAllowed extends RuntimeException {
    private final String allowed;

    MethodNotAllowed(String method, String allowed) {
      super("Cannot " + method + " here: use " + allowed);
      this.allowed = allowed;
    }
  }
}
