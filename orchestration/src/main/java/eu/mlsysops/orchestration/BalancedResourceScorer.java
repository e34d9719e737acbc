package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;

/**
 * Prefers the node whose CPU and memory would be allocated in equal proportion after placement,
 * {@code 1 − |cpuFraction − memoryFraction|} (kube-scheduler's NodeResourcesBalancedAllocation), so
 * that no node is left with plenty of one resource and none of the other. Name {@code
 * balanced_resource}.
 */
public final class BalancedResourceScorer implements Scorer {
  /** The scorer's name, {@code balanced_resource}. */
  public static final String NAME = "balanced_resource";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(Component component, NodeCandidate node) {
    return score(
        node.cpuCapacityMillis(),
        node.cpuAllocatedMillis() + ComponentRequirements.cpuRequestMillis(component),
        node.memoryCapacityBytes(),
        node.memoryAllocatedBytes() + ComponentRequirements.memoryRequestBytes(component));
  }

  static double score(long cpuCapacity, long cpuAfter, long memoryCapacity, long memoryAfter) {
    double cpu = 1 - LeastAllocatedScorer.freeFraction(cpuCapacity, cpuAfter);
    double memory = 1 - LeastAllocatedScorer.freeFraction(memoryCapacity, memoryAfter);
    return 1 - Math.abs(cpu - memory);
  }
}
