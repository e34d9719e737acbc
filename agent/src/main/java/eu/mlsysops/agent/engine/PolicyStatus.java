package eu.mlsysops.agent.engine;

/**
 * How one loaded policy is doing.
 *
 * @param name policy name
 * @param source where it came from (built-in, a file path)
 * @param scope application or global
 * @param core whether it is a core policy
 * @param instances running instances (one per app for application scope)
 * @param analyses analyses run so far
 * @param plans non-empty plans submitted so far
 * @param errors exceptions thrown by the policy so far
 * @param lastError the latest exception message, or empty
 * @param enabled false when the agent's configuration disables it
 * @param analysisSeconds time spent in its analyses (and plans) so far, all instances
 * @param pausedByMode the agent's operating mode ({@code heuristic}, {@code ml}) when the policy
 *     belongs to the other one and so does not run; empty when the mode lets it run
 */
public record PolicyStatus(
    String name, String source, String scope, boolean core, int instances, long analyses,
    long plans, long errors, String lastError, boolean enabled, double analysisSeconds,
    String pausedByMode) {
  public PolicyStatus {
    pausedByMode = pausedByMode == null ? "" : pausedByMode;
  }
}
