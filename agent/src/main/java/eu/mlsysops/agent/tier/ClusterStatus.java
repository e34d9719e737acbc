package eu.mlsysops.agent.tier;

import java.util.List;

/** A cluster and its nodes as the continuum knows them. */
public record ClusterStatus(String id, boolean healthy, List<NodeStatus> nodes) {
  public ClusterStatus {
    nodes = List.copyOf(nodes);
  }

  /** One node: name, continuum layer, reachable or not. */
  public record NodeStatus(String name, String layer, boolean healthy) {}
}
