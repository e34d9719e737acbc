package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that calls the API. Subclasses implement {@link #run}; this class turns what can go
 * wrong into one sentence on stderr and the exit code (1 refused, 2 usage, 3 unreachable).
 */
abstract class ClientCommand implements Callable<Integer> {
  @Mixin ClientOptions options;

  @Spec CommandSpec spec;

  /** The process environment (a field so that the lookup happens once, in one place). */
  final Map<String, String> env = System.getenv();

  /** Does the work; returns the exit code. */
  abstract int run(ApiClient api, Printer printer) throws Exception;

  @Override
  public final Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Token token = options.token(env);
    ApiClient api = new ApiClient(options.server(env), token);
    try {
      return run(api, new Printer(spec.commandLine().getOut(), options.output));
    } catch (DescriptorSource.LocalFailure e) {
      return fail(e.getMessage());
    } catch (ServerUnreachable e) {
      err.println("mls: " + e.getMessage());
      debug(e, err);
      return ExitCode.UNREACHABLE;
    } catch (ServerRefusal e) {
      new ProblemReport(e, token).print(err);
      debug(e, err);
      return ExitCode.REFUSED;
    } catch (ParameterException e) {
      throw e; // picocli prints it with the usage and exits 2
    } finally {
      spec.commandLine().getOut().flush();
      err.flush();
    }
  }

  /** A usage error (exit 2) about this command's arguments. */
  ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** Prints a failure found locally (not by the server) and returns the exit code 1. */
  int fail(String message) {
    spec.commandLine().getErr().println("mls: " + message);
    return ExitCode.REFUSED;
  }

  static void debug(Exception e, PrintWriter err) {
    if (System.getenv("MLS_DEBUG") != null) {
      e.printStackTrace(err);
    }
  }

  /** Reads a file named by an option; a missing or unreadable file is a local failure (exit 1). */
  static String readText(String option, java.nio.file.Path file)
      throws DescriptorSource.LocalFailure {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new DescriptorSource.LocalFailure(option + ": " + file + ": no such file");
    } catch (java.io.IOException e) {
      throw new DescriptorSource.LocalFailure(option + ": cannot read " + file + ": "
          + e.getMessage());
    }
  }

  /** The text of a JSON field, or the fallback. */
  static String or(JsonNode n, String field, String fallback) {
    String s = Fields.text(n, field);
    return s.isEmpty() ? fallback : s;
  }
}
