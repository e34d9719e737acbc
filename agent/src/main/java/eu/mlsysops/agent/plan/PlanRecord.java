package eu.mlsysops.agent.plan;

import eu.mlsysops.agent.Command;
import java.util.List;
import java.util.Map;

/**
 * A plan and where it is in its life cycle: the decision record the northbound API serves.
 *
 * @param id unique; resubmitting the same id is a no-op
 * @param agent the agent that scheduled it
 * @param policy the policy that made it
 * @param app the app it concerns, or empty for global policies
 * @param core whether it came from a core policy
 * @param commands what it applies
 * @param explanation the policy's reason
 * @param inputs observations that led to it
 * @param status current status
 * @param reason why it is in that status (discard reason, failure, mechanism result)
 * @param createdMillis submission time
 * @param updatedMillis time of the latest transition
 * @param attempts how many times it was started
 */
public record PlanRecord(
    String id, String agent, String policy, String app, boolean core, List<Command> commands,
    String explanation, Map<String, String> inputs, PlanStatus status, String reason,
    long createdMillis, long updatedMillis, int attempts) {

  public PlanRecord {
    commands = List.copyOf(commands);
    inputs = Map.copyOf(inputs);
    reason = reason == null ? "" : reason;
    app = app == null ? "" : app;
  }

  PlanRecord transition(PlanStatus to, String why, long at, int attemptCount) {
    return new PlanRecord(
        id, agent, policy, app, core, commands, explanation, inputs, to, why, createdMillis, at,
        attemptCount);
  }
}
