package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;

/**
 * Prefers the node whose CPU and memory would be allocated in equal proportion after placement,
 * {@code 1 − |cpuFraction − memoryFraction|} (kube-scheduler's NodeResourcesBalancedAllocation), so
 * that no node is left with plenty of one resource and none of the other.
 */
public final class BalancedResourceScorer implements Scorer {
  @Override
  public String name() {
    return "balanced_resource";
  }

  @Override
  public double score(Component component, NodeCandidate node) {
    double cpu =
        1
            - LeastAllocatedScorer.freeFraction(
                node.cpuCapacityMillis(),
                node.cpuAllocatedMillis() + ComponentRequirements.cpuRequestMillis(component));
    double memory =
        1
            - LeastAllocatedScorer.freeFraction(
                node.memoryCapacityBytes(),
                node.memoryAllocatedBytes() + ComponentRequirements.memoryRequestBytes(component));
    return 1 - Math.abs(cpu - memory);
  }
}
