package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Operation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The SCD type 2 rules of {@code history.<table>}: the versions of one key, folded from its changes
 * in their order. The result depends only on the set of changes, never on the order they arrived in
 * or how they were split into commits: changes are sorted by {@link #ORDER} before folding, and a
 * fold continued from stored versions gives what a fold of every change gives.
 *
 * <p>Values are in the form Iceberg's generic records hold them ({@link IcebergTypes#toIcebergValue}).
 */
final class Versions {
  /** The digest of {@link #surrogateKey}, one per thread (a digest holds state while it hashes). */
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new InternalError("Cannot compute surrogate keys: this Java has no MD5 digest", e);
    }
  });

  private Versions() {}

  /**
   * One change of a key, as history sees it.
   *
   * @param state the row after the change; empty for a delete
   * @param sequence the value of the {@code sequence-by} column, null when not configured or absent
   * @param time the change's place on the time axis (commit time or the {@code effective-from}
   *     value), null when unknown
   */
  record Change(Operation operation, Optional<Map<String, Object>> state, String position, long transactionId,
      Object sequence, Object time) {
    Change {
      requireNonNull(operation, "operation is null");
      requireNonNull(state, "state is null");
      requireNonNull(position, "position is null");
      if (operation == Operation.DELETE ? state.isPresent() : state.isEmpty()) {
        throw new IllegalArgumentException("Invalid change at " + position + ": a delete has no state, "
            + "every other change has one");
      }
    }
  }

  /**
   * One version of a key.
   *
   * @param values the row's columns (key included)
   * @param validTo null while the version is open (and for a version closed at an unknown time)
   * @param position the position of the last change folded into this version (for a closed version,
   *     the change that closed it): how far this version's key got
   * @param transactionId that change's transaction
   * @param sequence that change's {@code sequence-by} value
   */
  record Version(String sk, Map<String, Object> values, Object validFrom, Object validTo, boolean current,
      String operation, String position, long transactionId, Object sequence) {
    Version {
      requireNonNull(sk, "sk is null");
      values = values instanceof Values held ? held : new Values(requireNonNull(values, "values is null"));
      requireNonNull(operation, "operation is null");
      requireNonNull(position, "position is null");
    }

    Version withValues(Map<String, Object> newValues, Change last) {
      return new Version(sk, newValues, validFrom, validTo, current, operation, last.position(),
          last.transactionId(), last.sequence());
    }

    Version closed(Object at, Change last) {
      return new Version(sk, values, validFrom, at, false, operation, last.position(), last.transactionId(),
          last.sequence());
    }
  }

  /**
   * The values of a {@link Version}: a copy that cannot change, taken once. The versions that close or correct a
   * version share its values instead of copying them again (every update made two copies of the row before).
   */
  private static final class Values extends AbstractMap<String, Object> {
    private final Map<String, Object> values;

    Values(Map<String, Object> values) {
      this.values = Collections.unmodifiableMap(new HashMap<>(values));
    }

    @Override
    public Object get(Object key) {
      return values.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return values.containsKey(key);
    }

    @Override
    public int size() {
      return values.size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return values.entrySet();
    }
  }

  /** Nulls first, then natural order: the order of {@code sequence-by} values and time-axis values. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static final Comparator<Object> VALUES = (a, b) -> {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return ((Comparable) a).compareTo(b);
  };

  /** The order of changes: the {@code sequence-by} value (when configured), then the source position. */
  static final Comparator<Change> ORDER =
      Comparator.comparing(Change::sequence, VALUES).thenComparing(Change::position);

  /** Compares a change with the last change folded into a version, in {@link #ORDER}. */
  static int compare(Change change, Version version) {
    int bySequence = VALUES.compare(change.sequence(), version.sequence());
    return bySequence != 0 ? bySequence : change.position().compareTo(version.position());
  }

  /** The stored version holding the key's last change, or empty when there are none. */
  static Optional<Version> last(List<Version> versions) {
    Version last = null;
    for (Version version : versions) {
      if (last == null || VALUES.compare(version.sequence(), last.sequence()) > 0
          || (VALUES.compare(version.sequence(), last.sequence()) == 0
              && version.position().compareTo(last.position()) > 0)) {
        last = version;
      }
    }
    return Optional.ofNullable(last);
  }

  /**
   * Whether {@code changes} (sorted) can be folded onto {@code stored}: every change comes after the
   * key's last stored change and does not continue its transaction. Otherwise the key's versions
   * must be folded again from all of its changes.
   */
  static boolean continues(List<Version> stored, List<Change> changes) {
    Optional<Version> last = last(stored);
    if (last.isEmpty() || changes.isEmpty()) {
      return true;
    }
    Change first = changes.get(0);
    return compare(first, last.get()) > 0
        && !(first.transactionId() != 0 && first.transactionId() == last.get().transactionId());
  }

  /**
   * A surrogate key that is the same whenever the version is built again: key and opening position. It is {@code
   * UUID.nameUUIDFromBytes} of that text (a name-based UUID, version 3), computed with one MD5 digest per thread:
   * {@code nameUUIDFromBytes} looks up a new digest on every call, a measured share of a snapshot's CPU.
   */
  static String surrogateKey(String table, List<Object> key, String openingPosition) {
    String text = table + '\u0000' + key + '\u0000' + openingPosition;
    byte[] hash = MD5.get().digest(text.getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x30);
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
    long most = 0;
    long least = 0;
    for (int i = 0; i < 8; i++) {
      most = (most << 8) | (hash[i] & 0xff);
      least = (least << 8) | (hash[8 + i] & 0xff);
    }
    return new UUID(most, least).toString();
  }

  /**
   * Folds {@code changes} of one key onto its {@code stored} versions.
   *
   * @param changes sorted by {@link #ORDER}, all after the stored ones ({@link #continues})
   * @param tracked the columns whose change opens a version; empty = every column
   * @return every version of the key, the stored ones included, oldest first
   */
  static List<Version> fold(String table, List<Object> key, List<Version> stored, List<Change> changes,
      Set<String> tracked) {
    List<Version> versions = new ArrayList<>(stored);
    versions.sort(Comparator.comparing(Version::validFrom, VALUES).thenComparing(Version::position));
    int open = -1;
    for (int i = 0; i < versions.size(); i++) {
      if (versions.get(i).current()) {
        open = i;
      }
    }
    int start = 0;
    while (start < changes.size()) {
      // Changes of one transaction make one version: the state at commit.
      int end = start + 1;
      long transaction = changes.get(start).transactionId();
      while (transaction != 0 && end < changes.size() && changes.get(end).transactionId() == transaction) {
        end++;
      }
      List<Change> group = changes.subList(start, end);
      start = end;
      Change last = group.get(group.size() - 1);
      Object time = last.time();
      if (last.state().isEmpty()) {
        if (open >= 0) {
          Version current = versions.get(open);
          versions.set(open, current.closed(notBefore(time, current.validFrom()), last));
          open = -1;
        }
        continue;
      }
      Map<String, Object> state = last.state().get();
      String operation = group.stream().filter(change -> change.operation() != Operation.DELETE)
          .findFirst().orElse(last).operation().code();
      if (open < 0) {
        Object boundary = versions.isEmpty() ? null : versions.get(versions.size() - 1).validTo();
        versions.add(new Version(surrogateKey(table, key, group.get(0).position()), state,
            notBefore(time, boundary), null, true, operation, last.position(), last.transactionId(),
            last.sequence()));
        open = versions.size() - 1;
        continue;
      }
      Version current = versions.get(open);
      if (differs(current.values(), state, tracked) && time != null && VALUES.compare(time, current.validFrom()) > 0) {
        versions.set(open, current.closed(time, last));
        versions.add(new Version(surrogateKey(table, key, group.get(0).position()), state, time, null, true,
            operation, last.position(), last.transactionId(), last.sequence()));
        open = versions.size() - 1;
      } else {
        // An untracked change, or one that does not move the time axis, corrects the open version.
        versions.set(open, current.withValues(state, last));
      }
    }
    return versions;
  }

  private static boolean differs(Map<String, Object> before, Map<String, Object> after, Set<String> tracked) {
    Set<String> columns = tracked.isEmpty() ? after.keySet() : tracked;
    for (String column : columns) {
      if (!Objects.equals(before.get(column), after.get(column))) {
        return true;
      }
    }
    return false;
  }

  private static Object notBefore(Object time, Object boundary) {
    if (time == null) {
      return boundary;
    }
    return boundary != null && VALUES.compare(time, boundary) < 0 ? boundary : time;
  }
}
