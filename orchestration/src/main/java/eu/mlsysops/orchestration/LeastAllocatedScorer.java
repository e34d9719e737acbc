package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;

/**
 * Prefers the node with the most room left after placement: the mean of the free CPU fraction and
 * the free memory fraction once the component's requests are added (kube-scheduler's
 * NodeResourcesFit "LeastAllocated"). Spreads load. Name {@code least_allocated}.
 */
public final class LeastAllocatedScorer implements Scorer {
  /** The scorer's name, {@code least_allocated}. */
  public static final String NAME = "least_allocated";

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
    return (freeFraction(cpuCapacity, cpuAfter) + freeFraction(memoryCapacity, memoryAfter)) / 2;
  }

  static double freeFraction(long capacity, long allocated) {
    if (capacity <= 0) {
      return 0;
    }
    return Math.max(0, Math.min(1, (capacity - allocated) / (double) capacity));
  }
}
