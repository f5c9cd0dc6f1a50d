package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The lake table names the sources of one pipeline write, so two source tables cannot land in one lake
 * table. Names are compared ignoring case because SQL engines reading the lake fold identifiers.
 */
final class LakeTableNames {
  private final ConfigContext context;
  private final Map<String, Claim> claims = new HashMap<>();

  private record Claim(String source, TableRef table) {}

  LakeTableNames(ConfigContext context) {
    this.context = requireNonNull(context, "context is null");
  }

  void claim(String lakeName, String source, TableRef table) {
    Claim first = claims.putIfAbsent(lakeName.toLowerCase(Locale.ROOT), new Claim(source, table));
    if (first == null) {
      return;
    }
    String fix = first.source().equals(source)
        ? "capture only one of them, or move one to a second source with its own table-prefix"
        : "set table-prefix on sources." + first.source() + " or sources." + source + " so the names differ";
    throw context.error("Duplicate lake table name for", table.key(), table.line(),
        table.qualifiedName() + " and " + first.table().qualifiedName() + " (" + first.table().key() + ", line "
            + first.table().line() + ") would both become lake table " + lakeName,
        fix);
  }
}
