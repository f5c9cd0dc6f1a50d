package io.tributary.core.config;

import java.util.List;

/**
 * A kind of source that {@code type} can name. Adding one: a record implementing {@link SourceConfig}
 * (and listed in its {@code permits}), its keys in {@link ConfigKeys}, an implementation of this
 * interface registered in {@link SourceTypes}, and its section in {@code docs/configuration.md}.
 */
interface SourceType {
  /** The value of {@code type}, such as {@code postgres}. */
  String name();

  /** Every key a source of this type accepts, {@code type} included. */
  List<ConfigKey<?>> keys();

  /**
   * Reads one source whose keys are already known to be valid names.
   *
   * @param lakeTables claims each lake table name the source writes, so two tables cannot share one
   */
  SourceConfig read(String pipeline, String name, Section section, LakeTableNames lakeTables);
}
