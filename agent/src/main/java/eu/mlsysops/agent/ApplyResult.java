package eu.mlsysops.agent;

/**
 * How a mechanism's {@code apply} ended.
 *
 * @param outcome success, a failure a retry may fix, or one it cannot
 * @param reason what happened, for people
 */
public record ApplyResult(Outcome outcome, String reason) {

  /** Outcome of an apply. */
  public enum Outcome {
    SUCCESS,
    RETRIABLE_FAILURE,
    FAILURE,
    /**
     * Not applied: the world changed since the plan was computed (an optimistic commit refused).
     * Not a failure of anything: the plan is discarded and its policy plans again.
     */
    STALE
  }

  public static ApplyResult success(String reason) {
    return new ApplyResult(Outcome.SUCCESS, reason);
  }

  public static ApplyResult retriable(String reason) {
    return new ApplyResult(Outcome.RETRIABLE_FAILURE, reason);
  }

  public static ApplyResult failure(String reason) {
    return new ApplyResult(Outcome.FAILURE, reason);
  }

  /** The plan was computed against a state that is gone: not applied (see {@link Outcome#STALE}). */
  public static ApplyResult stale(String reason) {
    return new ApplyResult(Outcome.STALE, reason);
  }

  public boolean isSuccess() {
    return outcome == Outcome.SUCCESS;
  }
}
