package io.tributary.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tributary} command. */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Operational data in a lakehouse, in real time: change capture into Apache Iceberg layers.",
    subcommands = {DemoCommand.class, RunCommand.class, QueryCommand.class, StatusCommand.class, CheckCommand.class,
        ModelsCommand.class, MaintainCommand.class, ReplayCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Read before any logger exists, since it chooses how logback writes; see {@code logback.xml}. */
  @CommandLine.Option(names = "--log-format", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FORMAT",
      description = "Log lines as text (default) or json, one object per line; TRIBUTARY_LOG_FORMAT=json does the same.")
  LogFormat logFormat;

  /** How log lines are written. */
  enum LogFormat {
    TEXT,
    JSON
  }

  public static void main(String[] args) {
    logFormat(args).ifPresent(format -> System.setProperty(LOG_FORMAT_PROPERTY, format));
    System.exit(execute(args));
  }

  static final String LOG_FORMAT_PROPERTY = "tributary.log.format";

  /** The value of {@code --log-format} if given, checked to be text or json. */
  static java.util.Optional<String> logFormat(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String value = null;
      if (args[i].equals("--log-format") && i + 1 < args.length) {
        value = args[i + 1];
      } else if (args[i].startsWith("--log-format=")) {
        value = args[i].substring("--log-format=".length());
      }
      if (value != null) {
        return value.equalsIgnoreCase("json") || value.equalsIgnoreCase("text")
            ? java.util.Optional.of(value.toLowerCase(java.util.Locale.ROOT)) : java.util.Optional.empty();
      }
    }
    return java.util.Optional.empty();
  }

  /** Runs a command line and returns its exit code: 0 success, 1 failure, 2 usage error. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** Runs a command line writing to {@code out} and {@code err} instead of the standard streams. */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = commandLine();
    commandLine.setOut(out);
    commandLine.setErr(err);
    try {
      return commandLine.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler((error, line, parseResult) -> {
      // Errors of ours say what went wrong and what to do; a stack trace would bury that.
      line.getErr().println("Error: " + Errors.describe(error));
      return 1;
    });
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tributary " + (version == null ? "development build" : version)};
    }
  }
}
