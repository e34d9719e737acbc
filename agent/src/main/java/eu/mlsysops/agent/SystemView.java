package eu.mlsysops.agent;

import eu.mlsysops.model.NodeDescriptor;
import java.util.List;

/**
 * The system as one agent knows it: the nodes below it (a node agent sees itself), their health and
 * allocations, and where instances run.
 *
 * @param version the agent's placement version when the view was taken: it changes whenever
 *     anything placement depends on changes (nodes, their health, instances placed, moved or
 *     removed, desired instance counts). Placement commands that carry it ({@code version=V}) are
 *     refused as stale when the agent has moved on; 0 when the agent does not track one
 */
public record SystemView(
    String agentId, List<NodeState> nodes, List<InstancePlacement> placements,
    List<ClusterState> clusters, long version) {
  public SystemView {
    nodes = List.copyOf(nodes);
    placements = List.copyOf(placements);
    clusters = List.copyOf(clusters);
  }

  /** A view without a placement version. */
  public SystemView(String agentId, List<NodeState> nodes, List<InstancePlacement> placements,
      List<ClusterState> clusters) {
    this(agentId, nodes, placements, clusters, 0);
  }

  /** A view without clusters (node and cluster agents). */
  public SystemView(String agentId, List<NodeState> nodes, List<InstancePlacement> placements) {
    this(agentId, nodes, placements, List.of(), 0);
  }

  /**
   * A cluster as the continuum sees it.
   *
   * @param assigned components assigned to it, as {@code app/component}
   */
  public record ClusterState(String id, boolean healthy, List<String> nodes, List<String> assigned) {
    public ClusterState {
      nodes = List.copyOf(nodes);
      assigned = List.copyOf(assigned);
    }
  }

  /** The cluster a component is assigned to, if any. */
  public java.util.Optional<ClusterState> clusterOf(String app, String component) {
    String key = app + "/" + component;
    return clusters.stream().filter(c -> c.assigned().contains(key)).findFirst();
  }

  /** One node with what is allocated on it. */
  public record NodeState(
      NodeDescriptor descriptor, boolean healthy, long cpuAllocatedMillis,
      long memoryAllocatedBytes) {
    public String name() {
      return descriptor.name();
    }
  }

  /** Where one instance runs (or is meant to), and where it is in its life. */
  public record InstancePlacement(
      String app, String component, String instanceId, String node, InstancePhase phase) {
    /** True when it runs. */
    public boolean running() {
      return phase == InstancePhase.RUNNING;
    }
  }

  /** The placements of one component of one app. */
  public List<InstancePlacement> placementsOf(String app, String component) {
    return placements.stream()
        .filter(p -> p.app().equals(app) && p.component().equals(component))
        .toList();
  }
}
