package eu.mlsysops.agent.plan;

import eu.mlsysops.agent.Plan;
import java.util.Objects;

/**
 * A plan handed to the scheduler.
 *
 * @param id the plan id; null to have one generated. Submitting an id twice is a no-op.
 * @param policy the policy that made the plan
 * @param app the app it concerns, or empty for a global policy
 * @param core whether the policy is a core policy
 * @param plan the commands and their explanation
 */
public record PlanRequest(String id, String policy, String app, boolean core, Plan plan) {
  public PlanRequest {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(plan, "plan");
    app = app == null ? "" : app;
  }
}
