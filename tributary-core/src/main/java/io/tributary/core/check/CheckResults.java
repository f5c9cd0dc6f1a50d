package io.tributary.core.check;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The latest check of each lake table in this process, for {@code status}, alerts and the server.
 * Safe for concurrent use.
 */
public final class CheckResults {
  private final Map<String, TableCheck> latest = new TreeMap<>();

  public synchronized void record(Collection<TableCheck> checks) {
    for (TableCheck check : checks) {
      latest.put(check.lakeTable(), check);
    }
  }

  /** The latest check of every table checked so far, sorted by lake table. */
  public synchronized List<TableCheck> latest() {
    return List.copyOf(latest.values());
  }

  public synchronized Optional<TableCheck> latest(String lakeTable) {
    return Optional.ofNullable(latest.get(lakeTable));
  }

  /** The tables whose latest check did not find them equal. */
  public synchronized List<TableCheck> failing() {
    return latest.values().stream().filter(check -> check.outcome() != CheckOutcome.EQUAL).toList();
  }
}
