package eu.mlsysops.telemetry;

/**
 * A store could not be read at all (agents in other processes did not answer in time): the read
 * may succeed if tried again, unlike a bad query. APIs answer it with 503.
 */
public final class StoreUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
