package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.ChangeEvent;
import io.tributary.api.Column;
import io.tributary.api.DataType;
import io.tributary.api.DeadLetter;
import io.tributary.api.Operation;
import io.tributary.api.Position;
import io.tributary.api.TableId;
import io.tributary.api.TableSchema;
import io.tributary.lake.IcebergLakeWriter;
import io.tributary.lake.Lake;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary query} and {@code tributary status} show the dead letters of errors.<table>. */
class DeadLetterCommandsTest {
  private static final TableSchema SIGNUPS = new TableSchema(new TableId("feed", "", "signups"), List.of(
      new Column("email", DataType.of(DataType.Kind.STRING), false)), List.of("email"));

  @TempDir static Path warehouse;

  @BeforeAll
  static void writeLake() {
    try (Lake lake = Lake.open(warehouse); IcebergLakeWriter writer = new IcebergLakeWriter(lake)) {
      writer.commit("feed", List.of(new ChangeEvent(SIGNUPS, Operation.CREATE, Optional.empty(),
          Optional.of(Map.of("email", "ann@example.com")), position(1), Instant.parse("2026-01-02T03:04:05Z"), 0)),
          List.of(DeadLetter.unreadable(SIGNUPS.table(), position(2), "file signups.jsonl line 2", "{\"email\":",
              "Cannot read record: malformed JSON, unexpected end of input (fix the producer)")), position(2));
    }
  }

  @Test
  void queryReadsTheErrorsNamespace() {
    Result result = run("query", "--lake", warehouse.toString(), "--format", "csv",
        "SELECT source, table_name, key, _position, _location, payload, reason FROM errors.signups");

    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("source,table_name,key,_position,_location,payload,reason\r\n"
        + "feed,signups,,000000000002,file signups.jsonl line 2,\"{\"\"email\"\":\","
        + "\"Cannot read record: malformed JSON, unexpected end of input (fix the producer)\"\r\n");
  }

  @Test
  void statusCountsDeadLetters() {
    Result result = run("status", "--lake", warehouse.toString());

    assertThat(result.err()).isEmpty();
    assertThat(result.out()).containsPattern("  errors\\.signups +1 rows did not reach silver, last recorded .+ "
        + "\\(SELECT \\* FROM errors\\.signups shows why\\)");
  }

  private static Position position(long n) {
    return new Position(String.format("%012d", n), "offset-" + n, false);
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(exit, out.toString(), err.toString());
  }

  private record Result(int exit, String out, String err) {}
}
