package eu.mlsysops.cli.client;

/** The exit codes of the client commands, the same for every command so scripts can rely on them. */
final class ExitCode {
  /** Done. */
  static final int OK = 0;
  /** The server said no (4xx/5xx), the thing was not found, or local checks failed. */
  static final int REFUSED = 1;
  /** Bad command line (picocli's usage exit code). */
  static final int USAGE = 2;
  /** The server could not be reached. */
  static final int UNREACHABLE = 3;

  private ExitCode() {}
}
