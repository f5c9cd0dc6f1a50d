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
        ModelsCommand.class, MaintainCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
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
