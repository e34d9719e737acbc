package eu.mlsysops.orchestration.process;

/** An instance that cannot be launched as described; the message names the descriptor field. */
final class LaunchException extends Exception {
  private static final long serialVersionUID = 1L;

  LaunchException(String field, String problem) {
    super(field + ": " + problem);
  }
}
