package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary maintain} over a lake written by the real lake writer in many small commits. */
class MaintainCommandTest {
  private static final TableSchema ITEMS = new TableSchema(new TableId("shop", "public", "items"), List.of(
      new Column("id", DataType.of(DataType.Kind.INT64), false),
      new Column("name", DataType.of(DataType.Kind.STRING), true)), List.of("id"));

  @TempDir Path directory;

  private Path writeLake(int commits) {
    Path warehouse = directory.resolve("lake");
    try (Lake lake = Lake.open(warehouse); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      long position = 0;
      for (int commit = 0; commit < commits; commit++) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          position++;
          long id = commit * 3L + i;
          events.add(new ChangeEvent(ITEMS, Operation.CREATE, Optional.empty(),
              Optional.of(Map.of("id", id, "name", "item " + id)), position(position), Instant.now(), position));
        }
        if (commit > 0) {
          position++;
          long id = (commit - 1) * 3L;
          events.add(new ChangeEvent(ITEMS, Operation.UPDATE, Optional.empty(),
              Optional.of(Map.of("id", id, "name", "renamed " + id)), position(position), Instant.now(), position));
        }
        writer.commit("shop", events, position(position));
      }
    }
    return warehouse;
  }

  @Test
  void dryRunThenMaintainPrintsWhatWasDoneTableByTable() throws IOException {
    Path warehouse = writeLake(6);
    String itemsBefore = run("query", "--lake", warehouse.toString(), "SELECT * FROM silver.items ORDER BY id").out();

    Result dryRun = run("maintain", "--lake", warehouse.toString(), "--dry-run");

    assertThat(dryRun.err()).isEmpty();
    assertThat(dryRun.exit()).isZero();
    assertThat(dryRun.out()).startsWith("Maintaining lake " + warehouse + " (dry run: nothing is changed)\n")
        .containsPattern("  bronze\\.items +data files 6, delete files 0; would rewrite 6 data files \\([0-9.]+ KB\\) "
            + "and fold 0 delete files; would expire 0 of 6 snapshots; would remove 0 orphan files in [0-9]+ ms\n")
        .containsPattern("  silver\\.items +data files 6, delete files 6; would rewrite 6 data files \\([0-9.]+ KB\\) "
            + "and fold 6 delete files; would expire 0 of 6 snapshots; would remove 0 orphan files in [0-9]+ ms\n");

    Result maintain = run("maintain", "--lake", warehouse.toString(), "--table", "silver.items");

    assertThat(maintain.err()).isEmpty();
    assertThat(maintain.exit()).isZero();
    assertThat(maintain.out()).startsWith("Maintaining lake " + warehouse + "\n")
        .containsPattern("  silver\\.items +data files 6 -> 1, delete files 6 -> 0; rewrote 6 data files "
            + "\\([0-9.]+ KB\\) into 1 \\([0-9.]+ KB\\), folded 6 delete files; expired 0 of 7 snapshots; "
            + "removed 0 orphan files in [0-9]+ ms\n")
        .doesNotContain("bronze.items");
    assertThat(run("query", "--lake", warehouse.toString(), "SELECT * FROM silver.items ORDER BY id").out())
        .isEqualTo(itemsBefore);
  }

  @Test
  void readsTheSettingsFromTheConfigurationAndRefusesAnUnknownTable() throws IOException {
    Path warehouse = writeLake(2);
    Path config = Files.writeString(directory.resolve("tributary.yaml"), """
        lake:
          warehouse: lake
          maintenance:
            min-input-files: 100
        sources:
          shop:
            type: postgres
            database: shop
            user: tributary
            tables: [items]
        """);

    Result maintain = run("maintain", "--config", config.toString());

    assertThat(maintain.exit()).isZero();
    assertThat(maintain.out()).contains("silver.items", "data files 2 -> 2, delete files 2 -> 2; expired 0 of 2");
    Result unknown = run("maintain", "--lake", warehouse.toString(), "--table", "silver.nope");
    assertThat(unknown.exit()).isOne();
    assertThat(unknown.err()).isEqualTo("Error: Invalid table silver.nope: the lake has no such table "
        + "(tables: [bronze.items, history.items, silver.items])\n");
    Result both = run("maintain", "--lake", warehouse.toString(), "--config", config.toString());
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(exit, out.toString().replace(System.lineSeparator(), "\n"),
        err.toString().replace(System.lineSeparator(), "\n"));
  }

  private static Position position(long n) {
    return new Position(String.format("%012d", n), "lsn-" + n, false);
  }

  private record Result(int exit, String out, String err) {}
}
