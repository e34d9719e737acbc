package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;

/**
 * Prefers the node that is least busy right now, {@code 1 − observed CPU utilisation}: requests say
 * what was promised, utilisation says what is used.
 */
public final class LowUtilizationScorer implements Scorer {
  @Override
  public String name() {
    return "low_utilization";
  }

  @Override
  public double score(Component component, NodeCandidate node) {
    return 1 - node.cpuUtilization();
  }
}
