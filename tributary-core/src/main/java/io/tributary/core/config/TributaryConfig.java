package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One pipeline as configured by a {@code tributary.yaml} file: its name, its lake and its sources.
 * Load it with {@link #load(Path, Map)}; the keys, their defaults and meanings are listed in
 * {@link ConfigKeys} and in {@code docs/configuration.md}.
 *
 * @param name the pipeline's name
 * @param file the configuration file, absolute
 * @param lake the lake section
 * @param sources the sources by name, in file order
 * @param tables the settings of lake tables by lake table name, in file order; see {@link #table}
 * @param models the directory of SQL models for the gold layer, when configured
 * @param checks the reconciliation checks a running pipeline schedules
 * @param alerts where alerts go
 * @param server the HTTP server's settings (defaults when the file has no {@code server} section)
 */
public record TributaryConfig(
    String name, Path file, LakeConfig lake, Map<String, SourceConfig> sources, Map<String, TableConfig> tables,
    Optional<Path> models, ChecksConfig checks, AlertsConfig alerts, ServerConfig server) {
  static final Pattern NAME_PATTERN = Pattern.compile("[a-z][a-z0-9_]*");

  public TributaryConfig {
    requireNonNull(name, "name is null");
    requireNonNull(file, "file is null");
    requireNonNull(lake, "lake is null");
    requireNonNull(sources, "sources is null");
    requireNonNull(tables, "tables is null");
    requireNonNull(models, "models is null");
    requireNonNull(checks, "checks is null");
    requireNonNull(alerts, "alerts is null");
    requireNonNull(server, "server is null");
    if (!NAME_PATTERN.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid pipeline name: " + name + " (use [a-z][a-z0-9_]*)");
    }
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("Invalid pipeline " + name + ": no source (configure at least one)");
    }
    sources.forEach((key, source) -> {
      if (!key.equals(source.name())) {
        throw new IllegalArgumentException("Invalid sources: key " + key + " holds source " + source.name());
      }
    });
    // Map.copyOf would lose the file order, which users see in status output.
    sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    tables.forEach((key, table) -> {
      if (!key.equals(table.name())) {
        throw new IllegalArgumentException("Invalid tables: key " + key + " holds table " + table.name());
      }
    });
    tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
  }

  /** A pipeline without scheduled checks and alert targets, with the default server. */
  public TributaryConfig(String name, Path file, LakeConfig lake, Map<String, SourceConfig> sources,
      Map<String, TableConfig> tables, Optional<Path> models) {
    this(name, file, lake, sources, tables, models, ChecksConfig.NONE, AlertsConfig.NONE, ServerConfig.defaults());
  }

  /** The settings of lake table {@code name}: its entry in {@code tables}, or the defaults. */
  public TableConfig table(String name) {
    requireNonNull(name, "name is null");
    TableConfig table = tables.get(name);
    return table != null ? table : TableConfig.defaults(name);
  }

  /**
   * Reads and validates a configuration file.
   *
   * @param file the {@code tributary.yaml} file
   * @param environment the variables {@code ${env:NAME}} may name; the CLI passes {@code System.getenv()}
   * @throws ConfigException if the file cannot be read or is not a valid configuration
   */
  public static TributaryConfig load(Path file, Map<String, String> environment) {
    return new ConfigLoader(file, environment).load();
  }
}
