package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;

/**
 * Prefers the node that is least busy right now, {@code 1 − observed CPU utilisation}: requests say
 * what was promised, utilisation says what is used. Name {@code low_utilization}.
 */
public final class LowUtilizationScorer implements Scorer {
  /** The scorer's name, {@code low_utilization}. */
  public static final String NAME = "low_utilization";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(Component component, NodeCandidate node) {
    return 1 - node.cpuUtilization();
  }
}
