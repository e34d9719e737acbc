package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;

/**
 * Prefers the node with the most room left after placement: the mean of the free CPU fraction and
 * the free memory fraction once the component's requests are added (kube-scheduler's
 * NodeResourcesFit "LeastAllocated"). Spreads load.
 */
public final class LeastAllocatedScorer implements Scorer {
  @Override
  public String name() {
    return "least_allocated";
  }

  @Override
  public double score(Component component, NodeCandidate node) {
    double cpu =
        freeFraction(
            node.cpuCapacityMillis(),
            node.cpuAllocatedMillis() + ComponentRequirements.cpuRequestMillis(component));
    double memory =
        freeFraction(
            node.memoryCapacityBytes(),
            node.memoryAllocatedBytes() + ComponentRequirements.memoryRequestBytes(component));
    return (cpu + memory) / 2;
  }

  static double freeFraction(long capacity, long allocated) {
    if (capacity <= 0) {
      return 0;
    }
    return Math.max(0, Math.min(1, (capacity - allocated) / (double) capacity));
  }
}
