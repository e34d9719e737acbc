package eu.mlsysops.model;

import java.util.List;

/**
 * An app's {@code cluster_placement}: which clusters may host it.
 *
 * @param clusterId candidate cluster ids
 * @param instances desired number of replicas of the whole app, or null
 * @param location required continents, countries and cities, or null
 * @param cloudProvider {@code private}, {@code aws}, {@code microsoft_azure} or {@code gcp}, or
 *     null
 * @param accelerators accelerators a candidate cluster must offer ({@code gpu}, {@code fpga},
 *     {@code tpu})
 * @param nodeTypes layers a candidate cluster must have at least one node of
 */
public record ClusterPlacement(
    List<String> clusterId,
    Integer instances,
    PlacementLocation location,
    String cloudProvider,
    List<String> accelerators,
    List<ContinuumLayer> nodeTypes) {

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param clusterId see the record description
   * @param instances see the record description
   * @param location see the record description
   * @param cloudProvider see the record description
   * @param accelerators see the record description
   * @param nodeTypes see the record description
   */
  public ClusterPlacement {
    clusterId = Immutable.list(clusterId);
    accelerators = Immutable.list(accelerators);
    nodeTypes = Immutable.list(nodeTypes);
  }
}
