package io.tributary.lake;

import static io.tributary.lake.Changes.SOURCE;
import static io.tributary.lake.Changes.column;
import static io.tributary.lake.Changes.insert;
import static io.tributary.lake.Changes.position;
import static io.tributary.lake.Changes.read;
import static io.tributary.lake.Changes.row;
import static io.tributary.lake.Changes.schema;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.DataType;
import io.tributary.api.DeadLetter;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.api.spi.CommitSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterTest {
  private static final TableSchema CLIENTS = schema("clients", List.of("id"),
      column("id", DataType.Kind.INT64), column("name", DataType.Kind.STRING));
  private static final TableId FEED = new TableId(SOURCE, "", "signups");

  @TempDir
  Path warehouse;

  private Lake lake;
  private IcebergLakeWriter writer;

  @BeforeEach
  void open() {
    lake = Lake.open(warehouse);
    writer = new IcebergLakeWriter(lake);
  }

  @AfterEach
  void close() {
    writer.close();
    lake.close();
  }

  @Test
  void sourceDeadLettersLandInErrorsWithTheChangesAroundThem() {
    DeadLetter wrongType = new DeadLetter(CLIENTS.table(), row("id", 2L), position(2), "file clients.jsonl line 2",
        Optional.of("{\"id\":2,\"name\":7}"), Optional.of("name"), Optional.of("7"),
        "Cannot read column name: 7 is a number, expected text (fix the producer)");
    CommitSummary summary = writer.commit(SOURCE, List.of(
        insert(CLIENTS, 1, row("id", 1L, "name", "ann")),
        insert(CLIENTS, 3, row("id", 3L, "name", "cid"))),
        List.of(wrongType, DeadLetter.unreadable(FEED, position(4), "file signups.jsonl line 1", "{not json",
            "Cannot read record: malformed JSON")), position(4));

    assertThat(read(lake, Lake.SILVER, "clients")).hasSize(2);
    List<Record> errors = read(lake, Lake.ERRORS, "clients");
    assertThat(errors).singleElement().satisfies(record -> {
      assertThat(record.getField(ErrorTables.SOURCE)).isEqualTo(SOURCE);
      assertThat(record.getField(ErrorTables.TABLE)).isEqualTo("clients");
      assertThat(record.getField(ErrorTables.KEY)).isEqualTo("{\"id\":2}");
      assertThat(record.getField(ErrorTables.POSITION)).isEqualTo(position(2).sortKey());
      assertThat(record.getField(ErrorTables.LOCATION)).isEqualTo("file clients.jsonl line 2");
      assertThat(record.getField(ErrorTables.PAYLOAD)).isEqualTo("{\"id\":2,\"name\":7}");
      assertThat(record.getField(ErrorTables.COLUMN)).isEqualTo("name");
      assertThat(record.getField(ErrorTables.VALUE)).isEqualTo("7");
      assertThat((String) record.getField(ErrorTables.REASON)).contains("expected text");
      assertThat(record.getField(ErrorTables.RECORDED_AT)).isNotNull();
    });
    assertThat(read(lake, Lake.ERRORS, "signups")).singleElement()
        .satisfies(record -> {
          assertThat(record.getField(ErrorTables.KEY)).isNull();
          assertThat(record.getField(ErrorTables.PAYLOAD)).isEqualTo("{not json");
        });
    assertThat(summary.rowsByTable()).containsEntry("errors.clients", 1L).containsEntry("errors.signups", 1L);
    assertThat(writer.checkpoint(SOURCE)).contains(position(4));
  }

  @Test
  void aRedeliveredBatchDoesNotDuplicateDeadLetters() {
    List<DeadLetter> first = List.of(letter(2), letter(4));
    writer.commit(SOURCE, List.of(insert(CLIENTS, 1, row("id", 1L, "name", "ann"))), first, position(4));
    // After a crash the source delivers from its checkpoint on again, overlapping what errors holds.
    IcebergLakeWriter restarted = new IcebergLakeWriter(lake);
    CommitSummary again = restarted.commit(SOURCE, List.of(insert(CLIENTS, 5, row("id", 5L, "name", "eve"))),
        List.of(letter(2), letter(4), letter(6)), position(6));
    restarted.close();

    assertThat(read(lake, Lake.ERRORS, "clients"))
        .map(record -> (String) record.getField(ErrorTables.POSITION))
        .containsExactlyInAnyOrder(position(2).sortKey(), position(4).sortKey(), position(6).sortKey());
    assertThat(again.rowsByTable()).containsEntry("errors.clients", 1L);
  }

  @Test
  void anUnfinishedSnapshotWipesItsDeadLettersWithItsRows() {
    writer.commit(SOURCE, List.of(Changes.read(CLIENTS, 1, row("id", 1L, "name", "ann"))), List.of(letter(2)),
        new io.tributary.api.Position(position(2).sortKey(), "token", true));
    IcebergLakeWriter restarted = new IcebergLakeWriter(lake);
    assertThat(restarted.recover(SOURCE)).isEmpty();
    restarted.close();

    assertThat(read(lake, Lake.ERRORS, "clients")).isEmpty();
  }

  private static DeadLetter letter(long position) {
    return new DeadLetter(CLIENTS.table(), Map.of("id", position), position(position), "line " + position,
        Optional.of("{}"), Optional.empty(), Optional.empty(), "Cannot read record: missing name");
  }
}
