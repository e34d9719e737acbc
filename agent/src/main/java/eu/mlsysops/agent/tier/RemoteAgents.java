package eu.mlsysops.agent.tier;

import java.util.Map;

/**
 * What a continuum knows of the agents that run in other processes: which control set (mode,
 * configuration, policy files) each runs, and what did not load there. The continuum process sets
 * it ({@link EmbeddedContinuum#remoteAgents(RemoteAgents)}); in one process there are none.
 */
public interface RemoteAgents {
  /** No remote agents. */
  RemoteAgents NONE = new RemoteAgents() {
    @Override
    public String controlDigest() {
      return "";
    }

    @Override
    public Map<String, Applied> applied() {
      return Map.of();
    }
  };

  /** The digest of the control set the continuum sends now; empty when it sends none. */
  String controlDigest();

  /** Per remote agent that reported: the set it runs and its load errors. */
  Map<String, Applied> applied();

  /** Per remote agent: its latest policies and mechanisms (sent every few seconds). */
  default Map<String, eu.mlsysops.protocol.Message.AgentStatus> statuses() {
    return Map.of();
  }

  /**
   * @param agent the agent's name
   * @param tier {@code cluster} or {@code node}
   * @param digest the control set it runs
   * @param errors policy files (or settings) that did not load there, name → why
   */
  record Applied(String agent, String tier, String digest, Map<String, String> errors) {
    public Applied {
      errors = Map.copyOf(errors);
    }
  }
}
