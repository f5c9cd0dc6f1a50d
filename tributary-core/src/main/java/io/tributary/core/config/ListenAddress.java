package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where a server listens: a host name or address and a port ({@code 0} picks a free one).
 * {@code 127.0.0.1:8080}, {@code localhost:8080}, {@code [::1]:8080}, {@code 0.0.0.0:8080}.
 */
public record ListenAddress(String host, int port) {
  public ListenAddress {
    requireNonNull(host, "host is null");
    if (host.isBlank()) {
      throw new IllegalArgumentException("Invalid listen address: the host is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("Invalid listen port: " + port + " (use 0 to 65535)");
    }
  }

  /** Parses {@code host:port}, with an IPv6 address in brackets. */
  public static ListenAddress parse(String text) {
    requireNonNull(text, "text is null");
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("Invalid listen address '" + text + "': expected host:port, such as 127.0.0.1:8080");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("Invalid listen address '" + text + "': write an IPv6 address in brackets, such as [::1]:8080");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid listen address '" + text + "': the port is not a number");
    }
    return new ListenAddress(host, port);
  }

  /** Whether every address the host stands for is a loopback address (reachable only from this machine). */
  public boolean isLoopback() {
    try {
      InetAddress[] addresses = InetAddress.getAllByName(host);
      for (InetAddress address : addresses) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return addresses.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
