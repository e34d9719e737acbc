package eu.mlsysops.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mls} command: one binary for the embedded continuum, agents and the client side. */
@Command(
    name = "mls",
    mixinStandardHelpOptions = true,
    version = "mls 0.1.0",
    description = "MLSysOps for Java: autonomic, ML-driven management of the cloud-edge continuum.",
    subcommands = {
      UpCommand.class,
      eu.mlsysops.cli.agents.CertsCommand.class,
      ValidateCommand.class,
      eu.mlsysops.cli.client.AppsCommand.class,
      eu.mlsysops.cli.client.InfraCommand.class,
      eu.mlsysops.cli.client.MlCommand.class,
      eu.mlsysops.cli.client.ManageCommand.class,
      eu.mlsysops.cli.client.TokensCommand.class,
      eu.mlsysops.cli.client.AgentCommand.class,
      eu.mlsysops.cli.client.StatusCommand.class,
      eu.mlsysops.cli.client.PlansCommand.class,
      eu.mlsysops.cli.client.ExplainCommand.class,
      eu.mlsysops.cli.client.TopCommand.class,
      eu.mlsysops.cli.client.QueryCommand.class,
      eu.mlsysops.cli.client.CompletionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Mls {
  private Mls() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 1 problems found or failed, 2 usage). */
  public static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true),
        args);
  }

  /** Same, writing to the given streams (for tests and embedding). */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Mls());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      // Users get a sentence, not a stack trace; MLS_DEBUG=1 shows the trace for bug reports.
      cmd.getErr().println("mls: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      if (System.getenv("MLS_DEBUG") != null) {
        ex.printStackTrace(cmd.getErr());
      }
      return 1;
    });
    cl.setParameterExceptionHandler(Mls::usageError);
    return cl.execute(args);
  }

  /**
   * A usage error: its sentence and where the help is, not the whole help (a hundred lines that
   * push the sentence off the screen); a command that lacks its subcommand still lists them.
   */
  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    java.io.PrintWriter err = cmd.getErr();
    err.println("mls: " + ex.getMessage());
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)
        && !cmd.getSubcommands().isEmpty() && ex.getMessage().contains("subcommand")) {
      cmd.usage(err);
      return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for its options.");
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
