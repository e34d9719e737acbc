package eu.mlsysops.cli.client;

/** The API could not be reached at all (connection refused, unknown host, timeout). */
final class ServerUnreachable extends RuntimeException {
  ServerUnreachable(String message, Throwable cause) {
    super(message, cause);
  }
}
