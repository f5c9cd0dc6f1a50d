package io.tributary.lake;

import io.tributary.lake.HistoryLayer.Row;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * What the history layer needs of each key's stored versions to fold new changes onto them, kept in memory between
 * commits so that a commit does not read {@code history.<table>} again (a read whose cost grows with the table).
 *
 * <p>A key's tail is the part of its stored versions {@link Versions#fold} and {@link Versions#continues} look at:
 * its open versions, the version holding its last change and the version last on the time axis; older closed
 * versions are never changed by a fold that continues the key. A key whose changes do not continue its tail (a late
 * change) is read from the table in full, as before.
 *
 * <p>The tails of one table are valid while the table's newest snapshot is the one this writer committed last, or
 * follows it only through rewrites (compaction, which changes no row); anything else makes them be read again. A
 * table is read once in full when first used; while every key fits in the budget, a key the tails do not hold has no
 * stored versions.
 *
 * <p>Beside the tails, each table keeps {@link HistoryKeys}: which keys the table holds, in a second, much smaller
 * budget, built by the same full read (by a read of the key columns alone when the tails did not fit) and added to by
 * every commit of this writer; it is valid exactly while the tails are, and dropped with them. A key neither the
 * tails hold nor the keys contain has no stored versions: without it, once the tails were full every key not held was
 * read from the table, and a snapshot (every key new) read the growing table with up to a batch of keys each commit.
 * Only a key the tails do not hold and the keys may contain (held before, evicted, or a false positive) is read.
 */
final class HistoryTails {
  /** A {@link Tail} in compact form beside its bytes: the record and the array's header. */
  private static final long ENCODED_OVERHEAD = 48;
  /** The share of the budget that {@link #probation} keeps before {@link #live} gives up any tail. */
  private static final double PROBATION_SHARE = 0.2;
  /**
   * The share of the budget that rows of an initial snapshot may fill with keys not held yet. A large snapshot's
   * tails stay until streaming needs the room, on a heap the snapshot's rows in flight also fill: with 256 MB of tails
   * filled by a snapshot of 5,000,000 rows the heap stayed at its 1 GiB cap and the snapshot took 19% longer than with
   * 128 MB (docs/performance.md).
   */
  static final double SNAPSHOT_SHARE = 0.5;
  /** The estimated size of the tails of all tables, in bytes. */
  private final long budget;
  /** The bytes the {@link HistoryKeys} of all tables may take; 0 keeps none. */
  private final long keyBudget;
  private final Map<String, TableTails> tables = new HashMap<>();
  private final Map<String, TailCodec> codecs = new HashMap<>();
  /** The tails of keys with an open version. */
  private final Segment live = new Segment();
  /**
   * The tails of live keys that came while the tails were full: a key moves to {@link #live} when it changes again
   * while here. Down to {@link #PROBATION_SHARE} of the budget it is evicted from before anything of {@link #live},
   * so that keys changing once each (updates sweeping more keys than the tails hold, or a burst of new rows) pass
   * through here instead of pushing out the keys held: with plain least-recently-used eviction such a sweep gave up,
   * at every eviction, the very keys it reached next.
   */
  private final Segment probation = new Segment();
  /**
   * The tails of deleted keys (no open version): evicted first. A deleted key changes again far less often than a
   * live one (and if it does once its tail is gone, {@link HistoryKeys} knows it and it is read from the table);
   * evicting live keys for it made their next changes reads.
   */
  private final Segment deleted = new Segment();
  private long keyBytes;
  private final long[] counts = new long[Counts.values().length];

  HistoryTails(long budget, long keyBudget) {
    if (budget < 0) {
      throw new IllegalArgumentException("Invalid history tail budget: " + budget + " (must be at least 0)");
    }
    if (keyBudget < 0) {
      throw new IllegalArgumentException("Invalid history key budget: " + keyBudget + " (must be at least 0)");
    }
    this.budget = budget;
    this.keyBudget = keyBudget;
  }

  /** What became of the keys looked up, and of the keys read for them: for tests and logs. */
  enum Counts {
    /** keys whose tail was held */
    HELD,
    /** keys known to have no stored version: every key fits in the tails, or the table's keys do not contain it */
    ABSENT,
    /** keys read from the table */
    READ,
    /** keys read from the table that it did not hold: false positives of its keys */
    READ_IN_VAIN
  }

  private record Entry(String table, List<Object> key) {}

  /** Tails least recently used first, with the sum of their sizes. */
  private static final class Segment {
    final LinkedHashMap<Entry, Tail> tails = new LinkedHashMap<>(1024, 0.75f, true);
    long bytes;

    Tail remove(Entry entry) {
      Tail tail = tails.remove(entry);
      if (tail != null) {
        bytes -= tail.bytes();
      }
      return tail;
    }

    void put(Entry entry, Tail tail) {
      tails.put(entry, tail);
      bytes += tail.bytes();
    }

    /** Removes the tails of one table. */
    void removeTable(String table) {
      Iterator<Map.Entry<Entry, Tail>> entries = tails.entrySet().iterator();
      while (entries.hasNext()) {
        Map.Entry<Entry, Tail> entry = entries.next();
        if (entry.getKey().table().equals(table)) {
          bytes -= entry.getValue().bytes();
          entries.remove();
        }
      }
    }

    void clear() {
      tails.clear();
      bytes = 0;
    }
  }

  /**
   * A key's tail with its estimated size, estimated once when it is put (not again on every replace or eviction): in
   * the compact form of {@link TailCodec} when it can encode the rows, else as the rows themselves.
   */
  private record Tail(List<Row> rows, byte[] encoded, long bytes, boolean open) {
    static Tail of(TailCodec codec, List<Object> key, List<Row> rows) {
      boolean open = rows.stream().anyMatch(row -> row.version().current());
      Optional<byte[]> encoded = codec.encode(rows);
      return encoded.isPresent()
          ? new Tail(null, encoded.get(), keySize(key) + ENCODED_OVERHEAD + encoded.get().length, open)
          : new Tail(rows, null, size(key, rows), open);
    }

    List<Row> rows(TailCodec codec) {
      return encoded == null ? rows : codec.decode(encoded);
    }
  }

  private static final class TableTails {
    final long snapshotId;
    boolean complete;
    /** The keys the table holds; null when they are not known (no budget left for them). */
    HistoryKeys present;

    TableTails(long snapshotId, boolean complete) {
      this.snapshotId = snapshotId;
      this.complete = complete;
    }
  }

  /** The stored versions of some keys: tails that are known, and keys that must be read from the table. */
  record Lookup(Map<List<Object>, List<Row>> tails, Set<List<Object>> unknown) {}

  /**
   * The tails of {@code keys} in {@code history}; reads the table in full first when its tails are not known or no
   * longer valid.
   */
  synchronized Lookup lookup(Table history, HistoryLayer layer, Set<List<Object>> keys) {
    String name = history.name();
    TableTails table = valid(history);
    if (table == null) {
      table = load(history, layer);
    }
    TailCodec codec = codec(name);
    Map<List<Object>, List<Row>> tails = new HashMap<>();
    Set<List<Object>> unknown = new HashSet<>();
    for (List<Object> key : keys) {
      Tail tail = get(new Entry(name, key));
      if (tail != null) {
        tails.put(key, tail.rows(codec));
        counts[Counts.HELD.ordinal()]++;
      } else if (table.complete || (table.present != null && !table.present.mightContain(HistoryKeys.hash(key)))) {
        tails.put(key, List.of());
        counts[Counts.ABSENT.ordinal()]++;
      } else {
        unknown.add(key);
      }
    }
    return new Lookup(tails, unknown);
  }

  /** Counts the keys of a {@link Lookup#unknown} that were read, and how many of them the table held. */
  synchronized void read(int keys, int found) {
    counts[Counts.READ.ordinal()] += keys;
    counts[Counts.READ_IN_VAIN.ordinal()] += keys - found;
  }

  synchronized long count(Counts count) {
    return counts[count.ordinal()];
  }

  /** Whether the keys of {@code table} are known and held exactly; empty when they are not known. */
  synchronized Optional<Boolean> keysExact(String table) {
    TableTails tails = tables.get(table);
    return tails == null || tails.present == null ? Optional.empty() : Optional.of(tails.present.exact());
  }

  /**
   * Records the versions of the keys a commit of {@code history} wrote, as of its new snapshot.
   *
   * @param snapshotRows every version is of a row read by a snapshot ({@code r}): a key not held yet is added only
   *     while the tails fill less than {@link #SNAPSHOT_SHARE} of the budget. Each row is a key of its own, so evicting
   *     older tails for it would only churn them (every row of a large snapshot passing through, its tail built and
   *     sized, then evicted after living long enough to be promoted), and the keys kept are no likelier to change next
   *     than the ones evicted. The keys stay in {@link HistoryKeys}; a held key is always brought up to date.
   */
  synchronized void committed(Table history, Map<List<Object>, List<Row>> versions, boolean snapshotRows) {
    String name = history.name();
    TableTails previous = tables.get(name);
    Snapshot current = history.currentSnapshot();
    if (previous == null || current == null || !rewritesSince(history, current.parentId(), previous.snapshotId)) {
      // Iceberg retried the commit onto someone else's: what they wrote is not known here
      forget(name);
      return;
    }
    TableTails next = new TableTails(current.snapshotId(), previous.complete);
    next.present = previous.present;
    tables.put(name, next);
    TailCodec codec = codec(name);
    boolean full = false;
    for (Map.Entry<List<Object>, List<Row>> entry : versions.entrySet()) {
      List<Object> key = entry.getKey();
      addKey(next, key);
      boolean mayEvict = !snapshotRows || get(new Entry(name, key)) != null;
      if (!mayEvict && full) {
        next.complete = false;
        continue;
      }
      Tail tail = Tail.of(codec, key, tail(entry.getValue()));
      if (!mayEvict && held() + tail.bytes() > budget * SNAPSHOT_SHARE) {
        full = true;
        next.complete = false;
        continue;
      }
      put(name, key, tail);
    }
    evict();
  }

  /** Drops the tails of one table: it changed in a way they do not follow. */
  synchronized void forget(String table) {
    TableTails removed = tables.remove(table);
    codecs.remove(table);
    if (removed == null) {
      return;
    }
    if (removed.present != null) {
      keyBytes -= removed.present.bytes();
    }
    live.removeTable(table);
    probation.removeTable(table);
    deleted.removeTable(table);
  }

  synchronized void clear() {
    tables.clear();
    codecs.clear();
    live.clear();
    probation.clear();
    deleted.clear();
    keyBytes = 0;
  }

  /** The number of keys whose tails are held, of all tables. */
  synchronized int size() {
    return live.tails.size() + probation.tails.size() + deleted.tails.size();
  }

  /** The estimated bytes held, for tests and logs. */
  synchronized long bytes() {
    return held();
  }

  private long held() {
    return live.bytes + probation.bytes + deleted.bytes;
  }

  private TableTails valid(Table history) {
    TableTails table = tables.get(history.name());
    if (table == null) {
      return null;
    }
    Snapshot current = history.currentSnapshot();
    if (current == null || !rewritesSince(history, current.snapshotId(), table.snapshotId)) {
      forget(history.name());
      return null;
    }
    return table;
  }

  /**
   * Whether snapshot {@code id} is snapshot {@code known} or follows it through rewrites only ({@code known} -1: the
   * table had no snapshot, {@code id} null: it has none).
   */
  private static boolean rewritesSince(Table history, Long id, long known) {
    while (id != null && id != known) {
      Snapshot snapshot = history.snapshot(id);
      if (snapshot == null || !DataOperations.REPLACE.equals(snapshot.operation())) {
        return false;
      }
      id = snapshot.parentId();
    }
    return id != null || known == -1;
  }

  private TableTails load(Table history, HistoryLayer layer) {
    String name = history.name();
    Snapshot current = history.currentSnapshot();
    TableTails table = new TableTails(current == null ? -1 : current.snapshotId(), true);
    tables.put(name, table);
    if (keyBudget - keyBytes >= 8) {
      table.present = new HistoryKeys(keyBudget - keyBytes);
      keyBytes += table.present.bytes();
    }
    if (current == null) {
      return table;
    }
    // Every row of a key must be seen before its tail is known: collect them all, give up past the budget.
    TailCodec codec = codec(name);
    Map<List<Object>, Tail> loaded = new HashMap<>();
    long[] size = {0};
    boolean fits = layer.scan(history, (key, row) -> {
      Tail previous = loaded.get(key);
      List<Row> rows = new ArrayList<>(previous == null ? List.of() : previous.rows(codec));
      rows.add(row);
      Tail tail = Tail.of(codec, key, tail(rows));
      size[0] += tail.bytes() - (previous == null ? 0 : previous.bytes());
      loaded.put(key, tail);
      return held() + size[0] <= budget;
    });
    if (!fits) {
      table.complete = false;
      loaded.clear();
      if (table.present != null) {
        layer.scanKeys(history, key -> addKey(table, key));
      }
      return table;
    }
    loaded.forEach((key, tail) -> {
      put(name, key, tail);
      addKey(table, key);
    });
    return table;
  }

  private TailCodec codec(String table) {
    return codecs.computeIfAbsent(table, name -> new TailCodec());
  }

  private void addKey(TableTails table, List<Object> key) {
    if (table.present != null) {
      long before = table.present.bytes();
      table.present.add(HistoryKeys.hash(key), keyBudget - keyBytes);
      keyBytes += table.present.bytes() - before;
    }
  }

  private Tail get(Entry entry) {
    Tail tail = live.tails.get(entry);
    if (tail == null) {
      tail = probation.tails.get(entry);
    }
    return tail != null ? tail : deleted.tails.get(entry);
  }

  /**
   * Holds {@code tail} as the key's: in {@link #deleted} for a deleted key, else in {@link #live} when the key was
   * held already or the tails have room, else in {@link #probation}.
   */
  private void put(String name, List<Object> key, Tail tail) {
    Entry entry = new Entry(name, key);
    Tail previous = live.remove(entry);
    if (previous == null) {
      previous = probation.remove(entry);
    }
    if (previous == null) {
      previous = deleted.remove(entry);
    }
    if (!tail.open()) {
      deleted.put(entry, tail);
    } else if (previous != null || held() + tail.bytes() <= budget) {
      live.put(entry, tail);
    } else {
      probation.put(entry, tail);
    }
  }

  /**
   * Evicts the least recently used tails while over the budget: those of deleted keys first, then those in {@link
   * #probation} down to its share of the budget, then those of {@link #live}, then the rest of {@link #probation}.
   */
  private void evict() {
    evict(deleted, 0);
    evict(probation, (long) (budget * PROBATION_SHARE));
    evict(live, 0);
    evict(probation, 0);
  }

  /** Evicts from {@code segment}, eldest first, while over the budget and the segment holds more than {@code keep}. */
  private void evict(Segment segment, long keep) {
    Iterator<Map.Entry<Entry, Tail>> entries = segment.tails.entrySet().iterator();
    while (held() > budget && segment.bytes > keep && entries.hasNext()) {
      Map.Entry<Entry, Tail> eldest = entries.next();
      segment.bytes -= eldest.getValue().bytes();
      entries.remove();
      TableTails table = tables.get(eldest.getKey().table());
      if (table != null) {
        table.complete = false;
      }
    }
  }

  /**
   * The versions of {@code rows} a fold continuing the key reads or changes: see the class comment. When an update
   * closes a version and opens the next, both hold the same last change (position, transaction and sequence): the
   * open one stands for it, and the closed one is left out.
   */
  static List<Row> tail(List<Row> rows) {
    Row last = null;
    Row latest = null;
    List<Row> tail = new ArrayList<>(2);
    for (Row row : rows) {
      Versions.Version version = row.version();
      if (version.current()) {
        tail.add(row);
      }
      int order = last == null ? 1 : Versions.VALUES.compare(version.sequence(), last.version().sequence());
      if (order == 0) {
        order = version.position().compareTo(last.version().position());
      }
      if (order > 0 || (order == 0 && version.current() && !last.version().current())) {
        last = row;
      }
      if (latest == null || Versions.VALUES.compare(version.validFrom(), latest.version().validFrom()) > 0
          || (Versions.VALUES.compare(version.validFrom(), latest.version().validFrom()) == 0
              && version.position().compareTo(latest.version().position()) > 0)) {
        latest = row;
      }
    }
    if (last != null && !tail.contains(last)) {
      tail.add(last);
    }
    if (latest != null && !tail.contains(latest)) {
      tail.add(latest);
    }
    return List.copyOf(tail);
  }

  /** A rough size of a key's tail on the heap as rows: enough to bound the total, cheap to compute. */
  static long size(List<Object> key, List<Row> tail) {
    long size = keySize(key);
    for (Row row : tail) {
      size += 320;
      for (Object value : row.version().values().values()) {
        size += 48 + size(value);
      }
    }
    return size;
  }

  /** The key with its entry in the tails (the map's node and the {@link Entry}). */
  private static long keySize(List<Object> key) {
    long size = 96 + 16L * key.size();
    for (Object value : key) {
      size += size(value);
    }
    return size;
  }

  private static long size(Object value) {
    if (value instanceof String text) {
      return 40 + text.length();
    }
    if (value instanceof BigDecimal) {
      return 64;
    }
    if (value instanceof java.nio.ByteBuffer buffer) {
      return 64 + buffer.remaining();
    }
    if (value instanceof List<?> list) {
      long size = 40;
      for (Object element : list) {
        size += 16 + size(element);
      }
      return size;
    }
    return 24;
  }
}
