package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One key of {@code tributary.yaml}: its name inside its section, type, default and meaning. Each key
 * is declared once in {@link ConfigKeys}; the loader validates against these declarations and the
 * documentation's key tables are checked against them, so neither can drift.
 *
 * @param <T> the type of the parsed value
 */
public final class ConfigKey<T> {
  private final String name;
  private final ValueType<T> type;
  private final boolean required;
  private final Optional<T> defaultValue;
  private final String defaultText;
  private final String description;

  private ConfigKey(
      String name, ValueType<T> type, boolean required, Optional<T> defaultValue, String defaultText,
      String description) {
    this.name = requireNonNull(name, "name is null");
    this.type = requireNonNull(type, "type is null");
    this.required = required;
    this.defaultValue = requireNonNull(defaultValue, "defaultValue is null");
    this.defaultText = requireNonNull(defaultText, "defaultText is null");
    this.description = requireNonNull(description, "description is null");
  }

  static <T> ConfigKey<T> required(String name, ValueType<T> type, String description) {
    return new ConfigKey<>(name, type, true, Optional.empty(), "required", description);
  }

  static <T> ConfigKey<T> optional(String name, ValueType<T> type, T defaultValue, String description) {
    return new ConfigKey<>(
        name, type, false, Optional.of(defaultValue), "`" + type.format(defaultValue) + "`", description);
  }

  /** A key whose default is computed from other values, or that has none; {@code defaultText} says which. */
  static <T> ConfigKey<T> derived(String name, ValueType<T> type, String defaultText, String description) {
    return new ConfigKey<>(name, type, false, Optional.empty(), defaultText, description);
  }

  /** The key's name inside its section, such as {@code port}. */
  public String name() {
    return name;
  }

  /** The value's type as users read it, such as {@code duration}. */
  public String type() {
    return type.description();
  }

  public boolean required() {
    return required;
  }

  /** The default as written in the file, {@code required}, or how it is computed. */
  public String defaultText() {
    return defaultText;
  }

  /** What the key means, one or two sentences for users. */
  public String description() {
    return description;
  }

  ValueType<T> valueType() {
    return type;
  }

  Optional<T> defaultValue() {
    return defaultValue;
  }

  @Override
  public String toString() {
    return name;
  }
}
