package eu.mlsysops.agent.plan;

/**
 * Filters for {@link PlanLog#query}; null fields match everything.
 *
 * @param status only plans currently in this status
 * @param policy only plans of this policy
 * @param app only plans concerning this app
 * @param sinceMillis only plans created at or after this time
 * @param limit at most this many (newest first)
 */
public record PlanQuery(PlanStatus status, String policy, String app, Long sinceMillis, int limit) {
  public static PlanQuery recent(int limit) {
    return new PlanQuery(null, null, null, null, limit);
  }

  public PlanQuery withStatus(PlanStatus s) {
    return new PlanQuery(s, policy, app, sinceMillis, limit);
  }

  public PlanQuery withPolicy(String p) {
    return new PlanQuery(status, p, app, sinceMillis, limit);
  }

  public PlanQuery withApp(String a) {
    return new PlanQuery(status, policy, a, sinceMillis, limit);
  }
}
