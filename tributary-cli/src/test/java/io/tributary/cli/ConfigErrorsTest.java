package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code tributary run} says about a configuration file it cannot use: one line, naming key and line. */
class ConfigErrorsTest {
  private static final String VALID = """
      lake:
        warehouse: lake
      sources:
        bench:
          type: postgres
          host: 127.0.0.1
          port: 5432
          database: bench
          user: postgres
          password: ${env:TRIBUTARY_TEST_PASSWORD_NOT_SET}
          tables: [public.pgbench_accounts]
      """;

  @TempDir Path directory;

  @Test
  void unknownKeyIsNamedWithItsLineAndASuggestion() throws IOException {
    Path config = write(VALID.replace("    host:", "    hots:"));

    assertError(config, "Unknown key sources.bench.hots at line 6 of " + config + " (did you mean host?)");
  }

  @Test
  void portOutOfRangeIsNamedWithItsLine() throws IOException {
    Path config = write(VALID.replace("port: 5432", "port: 70000"));

    assertError(config, "Invalid value for sources.bench.port at line 7 of " + config
        + ": 70000 is out of range (use a whole number from 1 to 65535)");
  }

  @Test
  void portThatIsNoNumberIsNamedWithItsLine() throws IOException {
    Path config = write(VALID.replace("port: 5432", "port: fivefourthreetwo"));

    assertThat(runError(config)).startsWith("Error: Invalid value for sources.bench.port at line 7 of " + config + ": ")
        .contains("fivefourthreetwo");
  }

  @Test
  void missingEnvironmentVariableIsNamedWithKeyAndLine() throws IOException {
    Path config = write(VALID);

    assertError(config, "Cannot resolve ${env:TRIBUTARY_TEST_PASSWORD_NOT_SET} for sources.bench.password"
        + " at line 10 of " + config + ": environment variable TRIBUTARY_TEST_PASSWORD_NOT_SET is not set"
        + " (set TRIBUTARY_TEST_PASSWORD_NOT_SET in the environment that starts tributary)");
  }

  @Test
  void missingFileIsNamed() {
    Path config = directory.resolve("tributary.yaml");

    assertError(config, "Cannot read configuration file " + config + ": it does not exist (check the path)");
  }

  @Test
  void missingConfigOptionIsAUsageError() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), "run");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("Missing required option: '--config=FILE'").contains("Usage: tributary run");
  }

  private void assertError(Path config, String message) {
    assertThat(runError(config)).isEqualTo("Error: " + message + System.lineSeparator());
    assertThat(directory.resolve("lake")).as("nothing starts before the file is valid").doesNotExist();
  }

  /** Runs {@code run --config FILE}, expecting exit code 1, and returns what it wrote to standard error. */
  private static String runError(Path config) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream systemErr = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    int exit;
    System.setErr(new PrintStream(systemErr, true, StandardCharsets.UTF_8));
    try {
      exit = Main.execute(new PrintWriter(out), new PrintWriter(err), "run", "--config", config.toString());
    } finally {
      System.setErr(originalErr);
    }
    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).hasLineCount(1).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(systemErr.toString(StandardCharsets.UTF_8)).as("nothing else on standard error").isEmpty();
    return err.toString();
  }

  private Path write(String yaml) throws IOException {
    Path config = directory.resolve("tributary.yaml");
    Files.writeString(config, yaml);
    return config;
  }
}
