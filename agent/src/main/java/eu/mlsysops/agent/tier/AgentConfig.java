package eu.mlsysops.agent.tier;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The live configuration of every agent of one tier, as {@code mls agent set-config} sets it.
 *
 * @param disabledPolicies policies that stay loaded but do not run
 */
public record AgentConfig(Set<String> disabledPolicies) {
  public static final AgentConfig DEFAULT = new AgentConfig(Set.of());

  public AgentConfig {
    disabledPolicies = Set.copyOf(disabledPolicies);
  }

  /** The disabled policies, sorted (for stable output). */
  public List<String> disabledSorted() {
    return List.copyOf(new TreeSet<>(disabledPolicies));
  }
}
