package eu.mlsysops.agent.tier;

import eu.mlsysops.telemetry.pipeline.AggregationRule;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The live configuration of every agent of one tier, as {@code mls agent set-config} sets it.
 *
 * @param disabledPolicies policies that stay loaded but do not run
 * @param telemetryExport what the tier's agents send to their parents, first covering rule wins;
 *     empty means the tier's defaults (per-node summaries from nodes, per-cluster summaries from
 *     clusters)
 */
public record AgentConfig(Set<String> disabledPolicies, List<AggregationRule> telemetryExport) {
  public static final AgentConfig DEFAULT = new AgentConfig(Set.of(), List.of());

  public AgentConfig {
    disabledPolicies = Set.copyOf(disabledPolicies);
    telemetryExport = List.copyOf(telemetryExport);
  }

  /** A configuration that only disables policies. */
  public AgentConfig(Set<String> disabledPolicies) {
    this(disabledPolicies, List.of());
  }

  /** The disabled policies, sorted (for stable output). */
  public List<String> disabledSorted() {
    return List.copyOf(new TreeSet<>(disabledPolicies));
  }

  /** The export rules in their configuration form ({@code "node_*: avg by (node)"}). */
  public List<String> telemetryExportText() {
    return telemetryExport.stream().map(AggregationRule::toString).toList();
  }
}
