package eu.mlsysops.orchestration;

import eu.mlsysops.model.NodeDescriptor;
import java.util.Objects;

/**
 * A node as the {@link Placer} sees it: its descriptor plus what is already allocated on it and how
 * busy it is.
 *
 * @param node the node's descriptor
 * @param cpuAllocatedMillis CPU requested by the instances already placed on the node, millicores
 * @param memoryAllocatedBytes memory requested by the instances already placed on the node
 * @param cpuUtilization observed CPU utilisation, 0..1 (clamped; NaN counts as 0)
 * @param healthy false when the node does not answer (it is filtered out as "unreachable")
 */
public record NodeCandidate(
    NodeDescriptor node,
    long cpuAllocatedMillis,
    long memoryAllocatedBytes,
    double cpuUtilization,
    boolean healthy) {
  public NodeCandidate {
    Objects.requireNonNull(node, "node");
    if (cpuAllocatedMillis < 0 || memoryAllocatedBytes < 0) {
      throw new IllegalArgumentException(
          "allocations must be non-negative, got cpu "
              + cpuAllocatedMillis
              + "m and memory "
              + memoryAllocatedBytes
              + " bytes for node "
              + node.name());
    }
    cpuUtilization = Double.isNaN(cpuUtilization) ? 0 : Math.max(0, Math.min(1, cpuUtilization));
  }

  /** A healthy node with nothing allocated and no load. */
  public static NodeCandidate idle(NodeDescriptor node) {
    return new NodeCandidate(node, 0, 0, 0, true);
  }

  /** The node's name. */
  public String name() {
    return node.name();
  }

  /**
   * CPU capacity in millicores: cores × 1000, with cores defaulting by continuum layer (cloud 8,
   * edge_infrastructure 4, edge 4, far_edge 1; an MCU-only node has 1).
   */
  public long cpuCapacityMillis() {
    return NodeDefaults.cores(node) * 1000L;
  }

  /** Memory capacity in bytes, defaulting by continuum layer when the descriptor has none. */
  public long memoryCapacityBytes() {
    return NodeDefaults.memoryBytes(node);
  }

  /** Unallocated CPU in millicores (negative when over-committed). */
  public long cpuFreeMillis() {
    return cpuCapacityMillis() - cpuAllocatedMillis;
  }

  /** Unallocated memory in bytes (negative when over-committed). */
  public long memoryFreeBytes() {
    return memoryCapacityBytes() - memoryAllocatedBytes;
  }
}
