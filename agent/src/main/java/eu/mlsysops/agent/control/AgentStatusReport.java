package eu.mlsysops.agent.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.PolicyStatus;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a remote agent tells the continuum about its policies (the counters {@code mls agent
 * list-policies} shows) and mechanisms (what {@code /api/v1/mechanisms} lists, options and state
 * as JSON).
 */
public final class AgentStatusReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AgentStatusReport() {}

  /** The status of one agent now. */
  public static Message.AgentStatus of(String agent, Message.Tier tier, PolicyEngine engine,
      PlanScheduler scheduler) {
    List<Message.PolicyState> policies = new ArrayList<>();
    for (PolicyStatus p : engine.status()) {
      policies.add(new Message.PolicyState(p.name(), p.source(), p.scope(), p.core(),
          p.instances(), p.analyses(), p.plans(), p.errors(), p.lastError(), p.enabled(),
          p.pausedByMode()));
    }
    List<Message.MechanismState> mechanisms = new ArrayList<>();
    for (Mechanism m : scheduler.mechanisms().values()) {
      mechanisms.add(new Message.MechanismState(m.name(), json(m::options), json(m::state)));
    }
    return new Message.AgentStatus(agent, agent, tier, policies, mechanisms);
  }

  private static String json(java.util.function.Supplier<Map<String, Object>> read) {
    try {
      return JSON.writeValueAsString(read.get());
    } catch (Exception e) {
      // A mechanism that cannot say: shown as such, the rest of the report still goes.
      return "{\"error\": " + JSON.valueToTree(String.valueOf(e.getMessage())) + "}";
    }
  }
}
