package io.tributary.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.Operation;
import io.tributary.lake.HistoryLayer.Row;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HistoryTailsTest {
  private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 12, 2, 14, 0, 0, 0, ZoneOffset.UTC);

  @Test
  void anUpdatedKeysTailIsItsOpenVersionAlone() {
    List<Object> key = List.of(7L);
    Versions.Change insert = change(Operation.CREATE, "a", "0:0000000000000001", 11, T0);
    Versions.Change update = change(Operation.UPDATE, "b", "0:0000000000000002", 12, T0.plusSeconds(5));
    List<Versions.Version> versions = Versions.fold("history.t", key, List.of(), List.of(insert, update), Set.of());
    assertThat(versions).hasSize(2);
    // the closed version and the open one both hold the update, the last change
    assertThat(versions.get(0).position()).isEqualTo(versions.get(1).position());

    List<Row> tail = HistoryTails.tail(versions.stream().map(HistoryTailsTest::row).toList());

    assertThat(tail).extracting(row -> row.version().current()).containsExactly(true);
    assertThat(tail.get(0).version().values()).containsEntry("name", "b");
    // what a fold continuing the key decides from the tail is what it decides from every version
    Versions.Change next = change(Operation.UPDATE, "c", "0:0000000000000003", 13, T0.plusSeconds(9));
    List<Versions.Version> stored = tail.stream().map(Row::version).toList();
    assertThat(Versions.continues(stored, List.of(next))).isEqualTo(Versions.continues(versions, List.of(next)))
        .isTrue();
    assertThat(Versions.continues(stored, List.of(update))).isEqualTo(Versions.continues(versions, List.of(update)))
        .isFalse();
  }

  @Test
  void aDeletedKeysTailIsItsLastVersion() {
    List<Object> key = List.of(7L);
    Versions.Change insert = change(Operation.CREATE, "a", "0:0000000000000001", 11, T0);
    Versions.Change update = change(Operation.UPDATE, "b", "0:0000000000000002", 12, T0.plusSeconds(5));
    Versions.Change delete = new Versions.Change(Operation.DELETE, Optional.empty(), "0:0000000000000003", 13, null,
        T0.plusSeconds(9));
    List<Versions.Version> versions = Versions.fold("history.t", key, List.of(), List.of(insert, update, delete),
        Set.of());

    List<Row> tail = HistoryTails.tail(versions.stream().map(HistoryTailsTest::row).toList());

    assertThat(tail).extracting(row -> row.version().validTo()).containsExactly(T0.plusSeconds(9));
    assertThat(tail.get(0).version().position()).isEqualTo("0:0000000000000003");
  }

  private static Versions.Change change(Operation operation, String name, String position, long transaction,
      OffsetDateTime time) {
    return new Versions.Change(operation, Optional.of(Map.of("id", 7L, "name", name)), position, transaction, null,
        time);
  }

  private static Row row(Versions.Version version) {
    return new Row(version, T0, T0);
  }
}
