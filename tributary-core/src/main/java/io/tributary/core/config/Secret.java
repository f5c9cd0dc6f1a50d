package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A value that must never be printed, such as a password. {@link #toString()} always gives
 * {@code ******}, so a secret that ends up in a log line, an exception or a record's toString stays
 * hidden; {@link #reveal()} is the one way to read it and should only feed the system that needs it.
 */
public final class Secret {
  private static final String MASK = "******";

  private final String value;

  private Secret(String value) {
    this.value = requireNonNull(value, "value is null");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  /** The secret value itself; pass it straight to the system that needs it, never to a log. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    // Constant-time comparison so equality checks do not leak the value through timing.
    return other instanceof Secret secret
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), secret.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return MASK;
  }
}
