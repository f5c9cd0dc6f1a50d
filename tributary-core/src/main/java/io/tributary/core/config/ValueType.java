package io.tributary.core.config;

/** How the text of one key becomes a typed value, and how its type and default read in the docs. */
interface ValueType<T> {
  /** The type as users read it, such as {@code duration} or {@code integer, 1 to 65535}. */
  String description();

  /** @throws ConfigException naming the key and line if the value does not fit */
  T parse(ConfigValue value);

  /** The value as it would be written in the file, for documenting defaults. */
  default String format(T value) {
    return String.valueOf(value);
  }
}
