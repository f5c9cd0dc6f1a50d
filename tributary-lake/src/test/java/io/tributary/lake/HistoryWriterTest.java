package io.tributary.lake;

import static io.tributary.lake.Changes.SOURCE;
import static io.tributary.lake.Changes.column;
import static io.tributary.lake.Changes.position;
import static io.tributary.lake.Changes.read;
import static io.tributary.lake.Changes.row;
import static io.tributary.lake.Changes.schema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableSchema;
import io.tributary.core.config.HistoryConfig;
import io.tributary.core.config.ShapeConfig;
import io.tributary.core.config.TableConfig;
import io.tributary.core.shape.Shaping;
import io.tributary.core.shape.SqlExpressions;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryWriterTest {
  private static final TableSchema CLIENTS = schema("clients", List.of("id"),
      column("id", DataType.Kind.INT64),
      column("email", DataType.Kind.STRING),
      column("city", DataType.Kind.STRING),
      column("age", DataType.Kind.INT32),
      column("note", DataType.Kind.STRING));
  /** A feed of registrations keyed by email, ordered and dated by signup_date. */
  private static final TableSchema REGISTRATIONS = schema("registrations", List.of("email"),
      column("email", DataType.Kind.STRING),
      column("city", DataType.Kind.STRING),
      column("signup_date", DataType.Kind.DATE));
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static final io.tributary.core.config.MaintenanceConfig COMPACT_EVERYTHING = compactEverything();

  @TempDir
  Path directory;

  private static io.tributary.core.config.MaintenanceConfig compactEverything() {
    io.tributary.core.config.MaintenanceConfig defaults = io.tributary.core.config.MaintenanceConfig.defaults();
    return new io.tributary.core.config.MaintenanceConfig(true, defaults.interval(), 2, defaults.targetFileSizeBytes(),
        defaults.snapshotRetention(), defaults.minSnapshots(), defaults.orphanAge());
  }

  private int lakes;

  private static Map<String, Object> client(long id, String email, String city, int age, String note) {
    return row("id", id, "email", email, "city", city, "age", age, "note", note);
  }

  private static Instant at(int minute) {
    return T0.plusSeconds(60L * minute);
  }

  private static OffsetDateTime utc(int minute) {
    return at(minute).atOffset(ZoneOffset.UTC);
  }

  private static ChangeEvent change(TableSchema schema, Operation operation, long position, long txid, Instant time,
      Map<String, Object> before, Map<String, Object> after) {
    return new ChangeEvent(schema, operation, Optional.ofNullable(before), Optional.ofNullable(after),
        position(position), time, txid);
  }

  private static TableConfig config(String name, Optional<String> sequenceBy, HistoryConfig history) {
    return new TableConfig(name, List.of(), sequenceBy, Optional.empty(), history, ShapeConfig.NONE);
  }

  private static Shaping shaping(Function<String, TableConfig> tables) {
    return new Shaping(tables, SqlExpressions.NONE);
  }

  private Lake newLake() {
    return Lake.open(directory.resolve("lake" + (++lakes)));
  }

  /** History rows of a key, oldest first: column values, then _valid_from, _valid_to, _is_current, _op. */
  private static List<String> versions(Lake lake, String table, String keyColumn, Object key, String... columns) {
    List<Record> rows = new ArrayList<>(read(lake, Lake.HISTORY, table).stream()
        .filter(record -> key.equals(record.getField(keyColumn))).toList());
    rows.sort((a, b) -> Versions.VALUES.compare(a.getField(HistoryLayer.VALID_FROM), b.getField(HistoryLayer.VALID_FROM)));
    List<String> result = new ArrayList<>();
    for (Record record : rows) {
      StringBuilder text = new StringBuilder();
      for (String column : columns) {
        text.append(record.getField(column)).append(' ');
      }
      text.append('[').append(record.getField(HistoryLayer.VALID_FROM)).append(", ")
          .append(record.getField(HistoryLayer.VALID_TO)).append(") ")
          .append(Boolean.TRUE.equals(record.getField(HistoryLayer.IS_CURRENT)) ? "current " : "")
          .append(record.getField(HistoryLayer.OP));
      result.add(text.toString());
    }
    return result;
  }

  /** Every history row as text, sorted; with or without the surrogate key and bookkeeping columns. */
  private static List<String> allVersions(Lake lake, String table, boolean exact) {
    List<String> result = new ArrayList<>();
    for (Record record : read(lake, Lake.HISTORY, table)) {
      StringBuilder text = new StringBuilder();
      for (Types.NestedField field : record.struct().fields()) {
        String name = field.name();
        boolean bookkeeping = name.equals(HistoryLayer.SK) || name.equals(HistoryLayer.POSITION)
            || name.equals(HistoryLayer.TXID) || name.equals(HistoryLayer.COMMIT_TS);
        if (name.equals(HistoryLayer.RECORDED_AT) || (bookkeeping && !exact)) {
          continue;
        }
        text.append(name).append('=').append(record.getField(name)).append(' ');
      }
      result.add(text.toString());
    }
    Collections.sort(result);
    return result;
  }

  private static List<String> silver(Lake lake, String table) {
    List<String> result = new ArrayList<>();
    for (Record record : read(lake, Lake.SILVER, table)) {
      result.add(record.toString());
    }
    Collections.sort(result);
    return result;
  }

  @Test
  void updatesOpenVersionsDeletesCloseThemAndOneTransactionMakesOneVersion() {
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.CREATE, 1, 100, at(1), null, client(1, "ann@x", "Lisboa", 30, "a")),
          change(CLIENTS, Operation.CREATE, 2, 100, at(1), null, client(2, "bob@x", "Porto", 40, "b"))), position(2));
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.UPDATE, 3, 101, at(2), null, client(1, "ann@x", "Faro", 30, "a")),
          change(CLIENTS, Operation.UPDATE, 4, 101, at(2), null, client(1, "ann@x", "Braga", 31, "a")),
          change(CLIENTS, Operation.DELETE, 5, 102, at(3), row("id", 2L), null)), position(5));
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.CREATE, 6, 103, at(4), null, client(2, "bob@x", "Porto", 41, "b")),
          change(CLIENTS, Operation.UPDATE, 7, 104, at(5), null, client(1, "ann@x", "Braga", 31, "a"))), position(7));

      assertThat(versions(lake, "clients", "id", 1L, "city", "age")).containsExactly(
          "Lisboa 30 [" + utc(1) + ", " + utc(2) + ") c",
          "Braga 31 [" + utc(2) + ", null) current u");
      assertThat(versions(lake, "clients", "id", 2L, "city", "age")).containsExactly(
          "Porto 40 [" + utc(1) + ", " + utc(3) + ") c",
          "Porto 41 [" + utc(4) + ", null) current c");
      assertThat(HistoryCheck.violations(lake, "clients")).isEmpty();
    }
  }

  @Test
  void onlyTrackedColumnsOpenVersionsAndOtherChangesCorrectTheOpenOne() {
    Function<String, TableConfig> tables = name -> config(name, Optional.empty(),
        new HistoryConfig(true, Optional.empty(), List.of("city", "age")));
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping(tables))) {
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.CREATE, 1, 100, at(1), null, client(1, "ann@x", "Lisboa", 30, "a"))), position(1));
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.UPDATE, 2, 101, at(2), null, client(1, "ann@x", "Lisboa", 30, "note changed"))),
          position(2));
      assertThat(versions(lake, "clients", "id", 1L, "city", "note")).containsExactly(
          "Lisboa note changed [" + utc(1) + ", null) current c");
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.UPDATE, 3, 102, at(3), null, client(1, "ann@x", "Faro", 30, "moved"))),
          position(3));
      assertThat(versions(lake, "clients", "id", 1L, "city", "note")).containsExactly(
          "Lisboa note changed [" + utc(1) + ", " + utc(3) + ") c",
          "Faro moved [" + utc(3) + ", null) current u");
      assertThat(HistoryCheck.violations(lake, tables.apply("clients"))).isEmpty();
    }
  }

  @Test
  void historyHoldsTheShapedColumnsAndTracksThemBySourceName() {
    ShapeConfig shape = new ShapeConfig(Map.of("city", "town"), Map.of(), List.of("note"), List.of(), Map.of(),
        Optional.empty());
    Function<String, TableConfig> tables = name -> new TableConfig(name, List.of(), Optional.empty(), Optional.empty(),
        new HistoryConfig(true, Optional.empty(), List.of("city")), shape);
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping(tables))) {
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.CREATE, 1, 100, at(1), null, client(1, "ann@x", "Lisboa", 30, "a"))), position(1));
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.UPDATE, 2, 101, at(2), null, client(1, "ann@x", "Lisboa", 31, "b"))), position(2));
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.UPDATE, 3, 102, at(3), null, client(1, "ann@x", "Faro", 31, "c"))), position(3));

      assertThat(versions(lake, "clients", "id", 1L, "town", "age")).containsExactly(
          "Lisboa 31 [" + utc(1) + ", " + utc(3) + ") c",
          "Faro 31 [" + utc(3) + ", null) current u");
      org.apache.iceberg.Schema schema = lake.catalog()
          .loadTable(org.apache.iceberg.catalog.TableIdentifier.of(Lake.HISTORY, "clients")).schema();
      assertThat(schema.findField("note")).as("dropped").isNull();
      assertThat(schema.findField("city")).as("renamed").isNull();
      assertThat(HistoryCheck.violations(lake, tables.apply("clients"))).isEmpty();
    }
  }

  @Test
  void anUpdateOfTheKeyClosesTheOldKeyAndOpensTheNewOne() {
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      writer.commit(SOURCE, List.of(
          change(CLIENTS, Operation.CREATE, 1, 100, at(1), null, client(1, "ann@x", "Lisboa", 30, "a"))), position(1));
      writer.commit(SOURCE, List.of(change(CLIENTS, Operation.UPDATE, 2, 101, at(2),
          client(1, "ann@x", "Lisboa", 30, "a"), client(9, "ann@x", "Lisboa", 30, "a"))), position(2));
      assertThat(versions(lake, "clients", "id", 1L, "city")).containsExactly(
          "Lisboa [" + utc(1) + ", " + utc(2) + ") c");
      assertThat(versions(lake, "clients", "id", 9L, "city")).containsExactly(
          "Lisboa [" + utc(2) + ", null) current u");
    }
  }

  /**
   * The scenario from the field: clients keyed by email, dated by signup_date. A client registers
   * again with a later date, then an older registration of the same client arrives late.
   */
  @Test
  void aLateOlderRegistrationTakesItsPlaceAndNeverOverwritesTheNewerOne() {
    Function<String, TableConfig> tables = name -> config(name, Optional.of("signup_date"),
        new HistoryConfig(true, Optional.of("signup_date"), List.of()));
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping(tables))) {
      writer.commit(SOURCE, List.of(change(REGISTRATIONS, Operation.CREATE, 1, 0, at(1), null,
          row("email", "ana@x", "city", "Lisboa", "signup_date", LocalDate.parse("2024-03-01")))), position(1));
      writer.commit(SOURCE, List.of(change(REGISTRATIONS, Operation.UPDATE, 2, 0, at(2), null,
          row("email", "ana@x", "city", "Porto", "signup_date", LocalDate.parse("2025-06-10")))), position(2));
      writer.commit(SOURCE, List.of(change(REGISTRATIONS, Operation.UPDATE, 3, 0, at(3), null,
          row("email", "ana@x", "city", "Faro", "signup_date", LocalDate.parse("2023-01-15")))), position(3));

      assertThat(versions(lake, "registrations", "email", "ana@x", "city")).containsExactly(
          "Faro [2023-01-15, 2024-03-01) u",
          "Lisboa [2024-03-01, 2025-06-10) c",
          "Porto [2025-06-10, null) current u");
      assertThat(read(lake, Lake.SILVER, "registrations")).singleElement()
          .satisfies(record -> assertThat(record.getField("city")).isEqualTo("Porto"));
      assertThat(HistoryCheck.violations(lake, tables.apply("registrations"))).isEmpty();

      // a delete dated before the newest registration closes the version it falls in, never the newer one
      writer.commit(SOURCE, List.of(change(REGISTRATIONS, Operation.DELETE, 4, 0, at(4),
          row("email", "ana@x", "city", "Lisboa", "signup_date", LocalDate.parse("2024-12-01")), null)), position(4));
      assertThat(versions(lake, "registrations", "email", "ana@x", "city")).containsExactly(
          "Faro [2023-01-15, 2024-03-01) u",
          "Lisboa [2024-03-01, 2024-12-01) c",
          "Porto [2025-06-10, null) current u");
      assertThat(read(lake, Lake.SILVER, "registrations")).singleElement()
          .satisfies(record -> assertThat(record.getField("city")).isEqualTo("Porto"));
      assertThat(HistoryCheck.violations(lake, tables.apply("registrations"))).isEmpty();
    }
  }

  @Test
  void silverFollowsSequenceByWithoutHistory() {
    Function<String, TableConfig> tables = name -> config(name, Optional.of("signup_date"),
        new HistoryConfig(false, Optional.empty(), List.of()));
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping(tables))) {
      writer.commit(SOURCE, List.of(
          change(REGISTRATIONS, Operation.CREATE, 1, 0, at(1), null,
              row("email", "ana@x", "city", "Porto", "signup_date", LocalDate.parse("2025-06-10"))),
          change(REGISTRATIONS, Operation.CREATE, 2, 0, at(1), null,
              row("email", "rui@x", "city", "Braga", "signup_date", LocalDate.parse("2025-01-01")))), position(2));
      writer.commit(SOURCE, List.of(
          change(REGISTRATIONS, Operation.UPDATE, 3, 0, at(2), null,
              row("email", "ana@x", "city", "Faro", "signup_date", LocalDate.parse("2023-01-15"))),
          change(REGISTRATIONS, Operation.DELETE, 4, 0, at(2),
              row("email", "rui@x", "city", "Braga", "signup_date", LocalDate.parse("2025-02-01")), null)),
          position(4));
      // an insert older than the delete of its key does not bring the key back
      writer.commit(SOURCE, List.of(change(REGISTRATIONS, Operation.CREATE, 5, 0, at(3), null,
          row("email", "rui@x", "city", "Viseu", "signup_date", LocalDate.parse("2024-05-05")))), position(5));

      assertThat(lake.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of(Lake.HISTORY,
          "registrations"))).isFalse();
      assertThat(read(lake, Lake.SILVER, "registrations")).singleElement().satisfies(record -> {
        assertThat(record.getField("email")).isEqualTo("ana@x");
        assertThat(record.getField("city")).isEqualTo("Porto");
      });
    }
  }

  @Test
  void misnamedColumnsAreRefusedNamingTableAndKey() {
    Function<String, TableConfig> tables = name -> config(name, Optional.empty(),
        new HistoryConfig(true, Optional.of("signup"), List.of()));
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping(tables))) {
      assertThatThrownBy(() -> writer.commit(SOURCE, List.of(change(CLIENTS, Operation.CREATE, 1, 1, at(1), null,
          client(1, "ann@x", "Lisboa", 30, "a"))), position(1)))
          .hasMessageContaining("history.effective-from names column signup")
          .hasMessageContaining("tables.clients.history.effective-from");
    }
  }

  @Test
  void enablingHistoryLaterBuildsItFromBronzeThenStreams() {
    Random random = new Random(7);
    List<List<ChangeEvent>> batches = split(random, flatten(cdcStream(random, 40)), 6);
    Function<String, TableConfig> off = name -> config(name, Optional.empty(),
        new HistoryConfig(false, Optional.empty(), List.of()));
    try (Lake reference = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(reference)) {
      commitAll(writer, batches);
      try (Lake lake = newLake()) {
        try (IcebergLakeWriter without = new IcebergLakeWriter(lake, shaping(off))) {
          commitAll(without, batches.subList(0, batches.size() / 2));
        }
        assertThat(lake.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of(Lake.HISTORY,
            "clients"))).isFalse();
        try (IcebergLakeWriter with = new IcebergLakeWriter(lake)) {
          commitAll(with, batches.subList(batches.size() / 2, batches.size()));
        }
        assertThat(allVersions(lake, "clients", true)).isEqualTo(allVersions(reference, "clients", true));
        assertThat(HistoryCheck.violations(lake, "clients")).isEmpty();
      }
    }
  }

  @Test
  void aFailedHistoryCommitAfterSilverNeitherLosesNorDuplicatesAVersion() {
    Random random = new Random(11);
    List<List<ChangeEvent>> batches = split(random, flatten(cdcStream(random, 30)), 6);
    try (Lake reference = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(reference)) {
      commitAll(writer, batches);
      try (Lake lake = newLake()) {
        int failAt = 1 + batches.size() / 2;
        int[] commits = {0};
        try (IcebergLakeWriter failing = new IcebergLakeWriter(lake, Shaping.NONE, layerTable -> {
          if (layerTable.equals("history.clients") && ++commits[0] == failAt) {
            throw new CommitFailedException("injected failure of %s", layerTable);
          }
        })) {
          for (int i = 0; i < batches.size(); i++) {
            int index = i;
            if (i + 1 == failAt) {
              assertThatThrownBy(() -> commit(failing, batches.get(index))).isInstanceOf(CommitFailedException.class);
              break;
            }
            commit(failing, batches.get(i));
          }
        }
        try (IcebergLakeWriter restarted = new IcebergLakeWriter(lake)) {
          Position resume = restarted.recover(SOURCE).orElseThrow();
          // the source sends everything after the checkpoint again
          for (List<ChangeEvent> batch : batches) {
            List<ChangeEvent> after = batch.stream().filter(event -> event.position().isAfter(resume)).toList();
            if (!after.isEmpty()) {
              commit(restarted, after);
            }
          }
        }
        assertThat(allVersions(lake, "clients", true)).isEqualTo(allVersions(reference, "clients", true));
        assertThat(silver(lake, "clients")).isEqualTo(silver(reference, "clients"));
        assertThat(HistoryCheck.violations(lake, "clients")).isEmpty();
      }
    }
  }

  /** However a CDC stream is split into commits, history is the same, surrogate keys included. */
  @Test
  void historyIsTheSameHoweverCommitsSplitACdcStream() {
    Random random = new Random(2026);
    List<ChangeEvent> stream = flatten(cdcStream(random, 60));
    List<String> expected;
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      commit(writer, stream);
      expected = allVersions(lake, "clients", true);
      assertThat(HistoryCheck.violations(lake, "clients")).isEmpty();
    }
    for (int round = 0; round < 3; round++) {
      try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
        for (List<ChangeEvent> batch : split(random, stream, 2 + random.nextInt(6))) {
          commit(writer, batch);
        }
        assertThat(allVersions(lake, "clients", true)).as("round %d", round).isEqualTo(expected);
        assertThat(HistoryCheck.violations(lake, "clients")).isEmpty();
      }
    }
  }

  /**
   * What a writer keeps between commits: the budget of the tails and of the keys of history, whether history is
   * compacted between commits, whether a new writer takes every batch (a restart), whether two writers take turns
   * (each commit of one invalidates what the other keeps).
   */
  private record Keeping(String name, long tails, long keys, boolean compact, boolean writerPerBatch,
      boolean twoWriters) {}

  /**
   * History is the same whatever the writer keeps of the stored versions between commits: nothing (every key read
   * from the table), a few keys (evictions), the keys of history exactly, as a Bloom filter from the start (false
   * positives) or a set that became one when full, a new writer for every batch (tails and keys read from the table
   * on first use, by the key columns alone when the tails do not fit), two writers taking turns, or tails kept across
   * compactions of history between commits.
   */
  @Test
  void historyIsTheSameWhateverTheWriterKeepsBetweenCommits() {
    long tails = IcebergLakeWriter.HISTORY_TAILS_BYTES;
    long keys = IcebergLakeWriter.HISTORY_KEYS_BYTES;
    // deep version chains of a few keys, then many keys appearing over time
    Map<Integer, List<Keeping>> keepings = new java.util.LinkedHashMap<>();
    keepings.put(6, List.of(
        new Keeping("nothing", 0, 0, false, false, false),
        new Keeping("a few tails", 2_000, 0, false, false, false),
        new Keeping("everything, compacted between commits", tails, keys, true, false, false),
        new Keeping("a writer per batch, everything", tails, keys, false, true, false)));
    keepings.put(40, List.of(
        new Keeping("keys exactly, no tails", 0, keys, false, false, false),
        new Keeping("keys in a Bloom filter of 64 bits", 0, 8, false, false, false),
        new Keeping("keys in a set that fills up", 0, 200, false, false, false),
        new Keeping("a writer per batch, a few tails and the keys", 2_000, keys, false, true, false),
        new Keeping("a writer per batch, a few tails, keys in a Bloom filter", 2_000, 8, false, true, false),
        new Keeping("two writers taking turns", tails, keys, false, false, true),
        new Keeping("two writers taking turns, a few tails, keys in a Bloom filter", 2_000, 8, false, false, true)));
    for (int keySpace : keepings.keySet()) {
      Random random = new Random(7 + keySpace);
      List<ChangeEvent> stream = flatten(cdcStream(random, keySpace == 6 ? 80 : 120, keySpace));
      List<String> expected;
      try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
        commit(writer, stream);
        expected = allVersions(lake, "clients", true);
      }
      for (Keeping keeping : keepings.get(keySpace)) {
        String as = keeping.name() + ", " + keySpace + " keys";
        List<IcebergLakeWriter> writers = new ArrayList<>();
        try (Lake lake = newLake()) {
          org.apache.iceberg.catalog.TableIdentifier identifier =
              org.apache.iceberg.catalog.TableIdentifier.of(Lake.HISTORY, "clients");
          int turn = 0;
          for (List<ChangeEvent> batch : split(random, stream, keySpace == 6 ? 12 : 8)) {
            if (writers.isEmpty() || keeping.writerPerBatch() || (keeping.twoWriters() && writers.size() < 2)) {
              if (keeping.writerPerBatch() && !writers.isEmpty()) {
                writers.get(writers.size() - 1).close();
              }
              writers.add(new IcebergLakeWriter(lake, Shaping.NONE, table -> {}, keeping.tails(), keeping.keys()));
            }
            IcebergLakeWriter writer = keeping.twoWriters() ? writers.get(turn++ % writers.size())
                : writers.get(writers.size() - 1);
            commit(writer, batch);
            if (keeping.compact()) {
              Compaction.compact(lake.catalog().loadTable(identifier), COMPACT_EVERYTHING, false, table -> {});
            }
          }
          if (keeping.compact()) {
            assertThat(lake.catalog().loadTable(identifier).snapshots()).as("compactions of history, %s", as)
                .anyMatch(snapshot -> "compaction".equals(snapshot.summary().get(Compaction.MAINTENANCE)));
          }
          assertThat(allVersions(lake, "clients", true)).as(as).isEqualTo(expected);
          assertThat(HistoryCheck.violations(lake, "clients")).as(as).isEmpty();
          if (keySpace == 40) {
            // the states the keys were meant to be in were reached
            String name = lake.catalog().loadTable(identifier).name();
            HistoryTails last = writers.get(writers.size() - 1).historyTails();
            long absent = writers.stream().mapToLong(w -> w.historyTails().count(HistoryTails.Counts.ABSENT)).sum();
            long inVain =
                writers.stream().mapToLong(w -> w.historyTails().count(HistoryTails.Counts.READ_IN_VAIN)).sum();
            if (keeping.keys() == 0) {
              assertThat(last.keysExact(name)).as(as).isEmpty();
            } else if (keeping.keys() == keys) {
              assertThat(last.keysExact(name)).as(as).contains(true);
              assertThat(inVain).as("keys read in vain, %s", as).isZero();
            } else {
              assertThat(last.keysExact(name)).as(as).contains(false);
            }
            if (keeping.keys() == 8) {
              assertThat(inVain).as("false positives, %s", as).isPositive();
            }
            if (keeping.keys() != 0 && keeping.tails() < tails) {
              assertThat(absent).as("keys known to be absent, %s", as).isPositive();
            }
          }
        } finally {
          writers.forEach(IcebergLakeWriter::close);
        }
      }
    }
  }

  /**
   * Rows of an initial snapshot enter the tails only while these fill less than half their budget, or when their key
   * is held: the first keys' tails stay, later rows do not evict them; history is what a writer keeping every tail
   * writes.
   */
  @Test
  void snapshotRowsDoNotEvictTails() {
    List<List<ChangeEvent>> batches = new ArrayList<>();
    for (int batch = 0; batch < 3; batch++) {
      List<ChangeEvent> events = new ArrayList<>();
      for (long row = 20L * batch + 1; row <= 20L * batch + 20; row++) {
        events.add(new ChangeEvent(CLIENTS, Operation.READ, Optional.empty(),
            Optional.of(client(row, "c" + row + "@x.pt", "Lisboa", 30, "snapshot")),
            new Position(String.format("0:%016d", row), "snap-" + row, row < 60), T0, 0));
      }
      batches.add(events);
    }
    Map<String, Object> first = client(1, "c1@x.pt", "Porto", 31, "moved");
    Map<String, Object> last = client(60, "c60@x.pt", "Faro", 32, "moved");
    batches.add(List.of(new ChangeEvent(CLIENTS, Operation.UPDATE, Optional.empty(), Optional.of(first),
        new Position("1:0000000000000001", "lsn-1", false), at(1), 5)));
    batches.add(List.of(new ChangeEvent(CLIENTS, Operation.UPDATE, Optional.empty(), Optional.of(last),
        new Position("1:0000000000000002", "lsn-2", false), at(2), 6)));
    List<String> expected = everyTail(batches).versions();
    assertThat(expected).hasSize(62);
    long budget = 3_000;
    try (Lake lake = newLake(); IcebergLakeWriter writer = budgeted(lake, budget)) {
      HistoryTails tails = writer.historyTails();
      for (int i = 0; i < 3; i++) {
        commit(writer, batches.get(i));
        assertThat(tails.bytes()).as("tails after snapshot batch %d", i).isPositive()
            .isLessThanOrEqualTo((long) (budget * HistoryTails.SNAPSHOT_SHARE));
      }
      commit(writer, batches.get(3));
      assertThat(tails.count(HistoryTails.Counts.HELD)).as("key 1, held since the first batch").isEqualTo(1);
      assertThat(tails.count(HistoryTails.Counts.READ)).isZero();
      commit(writer, batches.get(4));
      assertThat(tails.count(HistoryTails.Counts.READ)).as("key 60, never held").isEqualTo(1);
      assertHistory(lake, expected);
    }
  }

  /**
   * Full tails give up those of deleted keys before those of live ones, however recently the keys were deleted: the
   * live keys' next changes need no read of the table, and a deleted key that comes back is read; history is what a
   * writer keeping every tail writes.
   */
  @Test
  void tailsOfDeletedKeysAreEvictedBeforeLiveOnes() {
    long[] position = {0};
    java.util.function.BiFunction<Operation, Long, ChangeEvent> event = (operation, id) -> {
      long at = ++position[0];
      Map<String, Object> row = client(id, "c" + id + "@x.pt", "Lisboa", (int) (at % 90), "v" + at);
      return change(CLIENTS, operation, at, at, at((int) at), operation == Operation.DELETE ? row : null,
          operation == Operation.DELETE ? null : row);
    };
    List<List<ChangeEvent>> batches = new ArrayList<>();
    List<ChangeEvent> inserts = new ArrayList<>();
    for (long id = 1; id <= 40; id++) {
      inserts.add(event.apply(Operation.CREATE, id));
    }
    batches.add(inserts);
    List<ChangeEvent> deletes = new ArrayList<>();
    for (long id = 1; id <= 10; id++) {
      deletes.add(event.apply(Operation.DELETE, id));
    }
    batches.add(deletes);
    List<ChangeEvent> more = new ArrayList<>();
    for (long id = 41; id <= 50; id++) {
      more.add(event.apply(Operation.CREATE, id));
    }
    batches.add(more);
    List<ChangeEvent> updates = new ArrayList<>();
    for (long id = 11; id <= 50; id++) {
      updates.add(event.apply(Operation.UPDATE, id));
    }
    batches.add(updates);
    batches.add(List.of(event.apply(Operation.CREATE, 1L)));

    EveryTail reference = everyTail(batches);
    assertThat(reference.versions()).as("40 inserts, 10 deletes, 10 inserts, 40 updates, 1 insert").hasSize(91);
    // room for the 40 live keys and two more tails: the third batch leaves 50 tails, 10 of them deleted keys'
    try (Lake lake = newLake(); IcebergLakeWriter writer = budgeted(lake, 42 * reference.tailBytes())) {
      HistoryTails tails = writer.historyTails();
      for (int i = 0; i < 3; i++) {
        commit(writer, batches.get(i));
      }
      assertThat(tails.size()).isBetween(40, 42);
      long held = tails.count(HistoryTails.Counts.HELD);
      commit(writer, batches.get(3));
      assertThat(tails.count(HistoryTails.Counts.HELD) - held).as("the 40 live keys, updated").isEqualTo(40);
      assertThat(tails.count(HistoryTails.Counts.READ)).isZero();
      commit(writer, batches.get(4));
      assertThat(tails.count(HistoryTails.Counts.READ)).as("key 1, deleted and evicted, inserted again").isEqualTo(1);
      assertHistory(lake, reference.versions());
    }
  }

  /**
   * Keys that come while the tails are full enter on probation: a burst of new keys, each changing once, passes
   * through there and pushes out only part of the keys held (least-recently-used eviction alone would give up as
   * many held keys as keys came, here the ten oldest); history is what a writer keeping every tail writes.
   */
  @Test
  void keysComingWhileTheTailsAreFullDoNotPushOutTheHeldOnes() {
    long[] position = {0};
    java.util.function.Function<Long, ChangeEvent> upsert = id -> {
      long at = ++position[0];
      return change(CLIENTS, at > 30 ? Operation.UPDATE : Operation.CREATE, at, at, at((int) at), null,
          client(id, "c" + id + "@x.pt", "Lisboa", (int) (at % 90), "v" + (at % 10)));
    };
    List<List<ChangeEvent>> batches = new ArrayList<>();
    for (long[] range : new long[][] {{1, 20}, {21, 30}, {1, 20}}) {
      List<ChangeEvent> batch = new ArrayList<>();
      for (long id = range[0]; id <= range[1]; id++) {
        batch.add(upsert.apply(id));
      }
      batches.add(batch);
    }
    EveryTail reference = everyTail(batches);
    long tail = reference.tailBytes();
    try (Lake lake = newLake(); IcebergLakeWriter writer = budgeted(lake, 20 * tail + tail / 2)) {
      HistoryTails tails = writer.historyTails();
      commit(writer, batches.get(0));
      assertThat(tails.size()).as("room for the first 20 keys").isEqualTo(20);
      commit(writer, batches.get(1));
      long held = tails.count(HistoryTails.Counts.HELD);
      commit(writer, batches.get(2));
      // probation keeps a fifth of the budget: 4 of the 10 new keys, at the cost of the 4 oldest keys held
      assertThat(tails.count(HistoryTails.Counts.HELD) - held).as("keys 1 to 20, changed again").isEqualTo(16);
      assertHistory(lake, reference.versions());
    }
  }

  /** History of {@code clients} as a writer keeping every tail writes it, and a tail's size after the first batch. */
  private record EveryTail(List<String> versions, long tailBytes) {}

  private EveryTail everyTail(List<List<ChangeEvent>> batches) {
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      commit(writer, batches.get(0));
      HistoryTails tails = writer.historyTails();
      long tailBytes = tails.bytes() / tails.size();
      batches.subList(1, batches.size()).forEach(batch -> commit(writer, batch));
      return new EveryTail(allVersions(lake, "clients", true), tailBytes);
    }
  }

  /** A writer whose history tails take at most {@code budget} bytes. */
  private static IcebergLakeWriter budgeted(Lake lake, long budget) {
    return new IcebergLakeWriter(lake, Shaping.NONE, table -> {}, budget, IcebergLakeWriter.HISTORY_KEYS_BYTES);
  }

  /** History of {@code clients} is {@code expected} and keeps the SCD type 2 rules. */
  private static void assertHistory(Lake lake, List<String> expected) {
    assertThat(allVersions(lake, "clients", true)).isEqualTo(expected);
    assertThat(HistoryCheck.violations(lake, "clients")).isEmpty();
  }

  /**
   * A feed ordered by sequence-by: whatever order its records arrive in and however they are split
   * into commits, history and silver are what the records in order give.
   */
  @Test
  void historyIsTheSameWhateverTheArrivalOrderOfAFeed() {
    Random random = new Random(42);
    TableSchema feed = schema("accounts", List.of("id"),
        column("id", DataType.Kind.INT64),
        column("city", DataType.Kind.STRING),
        column("score", DataType.Kind.INT32),
        column("seq", DataType.Kind.INT64));
    Function<String, TableConfig> tables = name -> config(name, Optional.of("seq"),
        new HistoryConfig(true, Optional.of("seq"), List.of("city")));
    // records in their true order; the sequence value grows, the position is the arrival order
    List<Map<String, Object>> records = new ArrayList<>();
    List<Operation> operations = new ArrayList<>();
    Map<Long, Boolean> exists = new HashMap<>();
    String[] cities = {"Lisboa", "Porto", "Faro"};
    for (int i = 1; i <= 50; i++) {
      long id = 1 + random.nextInt(5);
      boolean present = exists.getOrDefault(id, false);
      Operation operation = !present ? Operation.CREATE : random.nextInt(6) == 0 ? Operation.DELETE : Operation.UPDATE;
      exists.put(id, operation != Operation.DELETE);
      records.add(row("id", id, "city", cities[random.nextInt(cities.length)], "score", random.nextInt(3),
          "seq", 10L * i));
      operations.add(operation);
    }
    List<String> expectedHistory;
    List<String> expectedSilver;
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping(tables))) {
      commit(writer, arrivals(feed, records, operations, identity(records.size())));
      expectedHistory = allVersions(lake, "accounts", false);
      expectedSilver = silverValues(lake, "accounts");
      assertThat(HistoryCheck.violations(lake, tables.apply("accounts"))).isEmpty();
    }
    for (int round = 0; round < 6; round++) {
      List<Integer> order = identity(records.size());
      Collections.shuffle(order, random);
      List<ChangeEvent> arrived = arrivals(feed, records, operations, order);
      try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake, shaping(tables))) {
        for (List<ChangeEvent> batch : split(random, arrived, 1 + random.nextInt(6))) {
          commit(writer, batch);
        }
        assertThat(allVersions(lake, "accounts", false)).as("round %d, arrival %s", round, order)
            .isEqualTo(expectedHistory);
        assertThat(silverValues(lake, "accounts")).as("round %d", round).isEqualTo(expectedSilver);
        assertThat(HistoryCheck.violations(lake, tables.apply("accounts"))).isEmpty();
      }
    }
  }

  private static List<Integer> identity(int size) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      order.add(i);
    }
    return order;
  }

  private static List<ChangeEvent> arrivals(TableSchema feed, List<Map<String, Object>> records,
      List<Operation> operations, List<Integer> order) {
    List<ChangeEvent> events = new ArrayList<>();
    for (int n = 0; n < order.size(); n++) {
      int i = order.get(n);
      Map<String, Object> record = records.get(i);
      boolean delete = operations.get(i) == Operation.DELETE;
      events.add(change(feed, operations.get(i), n + 1, 0, at(n), delete ? record : null, delete ? null : record));
    }
    return events;
  }

  private static List<String> silverValues(Lake lake, String table) {
    List<String> result = new ArrayList<>();
    for (Record record : read(lake, Lake.SILVER, table)) {
      result.add(record.getField("id") + " " + record.getField("city") + " " + record.getField("score") + " "
          + record.getField("seq"));
    }
    Collections.sort(result);
    return result;
  }

  /**
   * The writer reads stored versions applying history's equality deletes itself ({@link HistoryFiles}): it must read
   * exactly what Iceberg's generic reader reads, after commits that each add a delete file, after compactions, and
   * after a compaction that commits over a writer's commit it did not see (its files keep the sequence number it
   * started from, so the newer deletes still apply to them).
   */
  @Test
  void storedVersionsAreReadAsIcebergReadsThem() {
    Random random = new Random(11);
    List<List<ChangeEvent>> batches = split(random, flatten(cdcStream(random, 240, 30)), 18);
    HistoryLayer layer = new HistoryLayer(CLIENTS.table(), CLIENTS, Shaping.NONE.shaper(CLIENTS),
        TableConfig.defaults("clients"));
    org.apache.iceberg.catalog.TableIdentifier identifier =
        org.apache.iceberg.catalog.TableIdentifier.of(Lake.HISTORY, "clients");
    java.util.Set<List<Object>> keys = new java.util.HashSet<>();
    for (long id = 1; id <= 35; id++) {
      keys.add(List.of(id));
    }
    long readWithDeletes = 0;
    int concurrentCompactions = 0;
    // no tails and no keys: every commit reads its keys' stored versions from the table
    try (Lake lake = newLake(); IcebergLakeWriter writer = new IcebergLakeWriter(lake, Shaping.NONE, table -> {}, 0, 0)) {
      for (int i = 0; i < batches.size(); i++) {
        commit(writer, batches.get(i));
        if (i % 6 == 2) {
          Compaction.compact(lake.catalog().loadTable(identifier), COMPACT_EVERYTHING, false, table -> {});
        } else if (i % 6 == 4 && i + 1 < batches.size()) {
          List<ChangeEvent> next = batches.get(++i);
          Compaction.Result result = Compaction.compact(lake.catalog().loadTable(identifier), COMPACT_EVERYTHING,
              false, table -> commit(writer, next));
          assertThat(result.committed()).as("compaction over batch %d", i).isTrue();
          concurrentCompactions++;
        }
        org.apache.iceberg.Table history = lake.catalog().loadTable(identifier);
        Map<List<Object>, List<HistoryLayer.Row>> expected = layer.readAll(history);
        String as = "after batch " + i;
        assertThat(bySk(layer.read(history, keys))).as(as).isEqualTo(bySk(expected));
        java.util.Set<List<Object>> some = new java.util.HashSet<>(keys.stream().filter(k -> random.nextBoolean()).toList());
        Map<List<Object>, List<HistoryLayer.Row>> expectedSome = new HashMap<>(expected);
        expectedSome.keySet().retainAll(some);
        assertThat(bySk(layer.read(history, some))).as(as).isEqualTo(bySk(expectedSome));
        Map<List<Object>, List<HistoryLayer.Row>> scanned = new HashMap<>();
        assertThat(layer.scan(history, (key, row) -> scanned.computeIfAbsent(key, k -> new ArrayList<>()).add(row)))
            .isTrue();
        assertThat(bySk(scanned)).as(as).isEqualTo(bySk(expected));
        java.util.Set<List<Object>> scannedKeys = new java.util.HashSet<>();
        layer.scanKeys(history, scannedKeys::add);
        assertThat(scannedKeys).as(as).isEqualTo(expected.keySet());
        if (Long.parseLong(history.currentSnapshot().summary().getOrDefault("total-equality-deletes", "0")) > 0) {
          readWithDeletes++;
        }
      }
      assertThat(HistoryCheck.violations(lake, "clients")).isEmpty();
    }
    assertThat(readWithDeletes).as("reads of a table with equality deletes").isGreaterThan(5);
    assertThat(concurrentCompactions).isPositive();
  }

  private static Map<String, HistoryLayer.Row> bySk(Map<List<Object>, List<HistoryLayer.Row>> rows) {
    Map<String, HistoryLayer.Row> bySk = new HashMap<>();
    rows.values().forEach(list -> list.forEach(row -> assertThat(bySk.put(row.version().sk(), row)).isNull()));
    return bySk;
  }

  /** Transactions of one to three changes of the clients table, in commit order, one list per transaction. */
  private static List<List<ChangeEvent>> cdcStream(Random random, int transactions) {
    return cdcStream(random, transactions, 6);
  }

  /** As {@link #cdcStream(Random, int)}, over keys 1 to {@code keys}. */
  private static List<List<ChangeEvent>> cdcStream(Random random, int transactions, int keys) {
    Map<Long, Map<String, Object>> rows = new HashMap<>();
    String[] cities = {"Lisboa", "Porto", "Faro", "Braga"};
    List<List<ChangeEvent>> result = new ArrayList<>();
    long position = 0;
    for (int tx = 1; tx <= transactions; tx++) {
      List<ChangeEvent> changes = new ArrayList<>();
      int size = 1 + random.nextInt(3);
      for (int c = 0; c < size; c++) {
        long id = 1 + random.nextInt(keys);
        Map<String, Object> current = rows.get(id);
        position++;
        if (current == null) {
          Map<String, Object> after = client(id, "c" + id + "@x", cities[random.nextInt(4)], 20 + random.nextInt(3), "n");
          rows.put(id, after);
          changes.add(change(CLIENTS, Operation.CREATE, position, 1000 + tx, at(tx), null, after));
        } else if (random.nextInt(5) == 0) {
          rows.remove(id);
          changes.add(change(CLIENTS, Operation.DELETE, position, 1000 + tx, at(tx), row("id", id), null));
        } else {
          Map<String, Object> after = client(id, (String) current.get("email"), cities[random.nextInt(4)],
              (Integer) current.get("age") + random.nextInt(2), "n" + random.nextInt(2));
          rows.put(id, after);
          changes.add(change(CLIENTS, Operation.UPDATE, position, 1000 + tx, at(tx), null, after));
        }
      }
      result.add(changes);
    }
    return result;
  }

  private static List<ChangeEvent> flatten(List<List<ChangeEvent>> transactions) {
    return transactions.stream().flatMap(List::stream).toList();
  }

  private static <T> List<List<T>> split(Random random, List<T> items, int parts) {
    List<Integer> cuts = new ArrayList<>();
    for (int i = 1; i < parts; i++) {
      cuts.add(1 + random.nextInt(Math.max(1, items.size() - 1)));
    }
    cuts.add(items.size());
    Collections.sort(cuts);
    List<List<T>> result = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      if (cut > from) {
        result.add(items.subList(from, cut));
        from = cut;
      }
    }
    return result;
  }

  private static void commitAll(IcebergLakeWriter writer, List<List<ChangeEvent>> batches) {
    for (List<ChangeEvent> batch : batches) {
      commit(writer, batch);
    }
  }

  private static void commit(IcebergLakeWriter writer, List<ChangeEvent> batch) {
    writer.commit(SOURCE, batch, batch.get(batch.size() - 1).position());
  }
}
