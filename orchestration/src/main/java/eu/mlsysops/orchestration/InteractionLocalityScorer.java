package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;

/**
 * Prefers nodes close to the components this one talks to (the app's {@code
 * component_interactions}, either direction): for each such peer with at least one placed instance,
 * the proximity of the node to the nearest instance, 1 on the same node, 0.75 in the same
 * datacenter ({@code datacenter_id}), 0.5 in the same cluster ({@code cluster_id}), else 0; the
 * score is the mean over peers weighted by {@code interaction_criticality} (high 3, medium 2, low
 * or none 1). Name {@code interaction_locality}.
 *
 * <p>It needs to know where the peers run, which only the placer knows ({@link PlacementSnapshot});
 * the placer leaves it out of the weighted mean of a request whose peers are not placed yet (or
 * that has no interactions), so it never shifts other scores. Called directly, outside a placer,
 * {@link #score} has no context and returns 0.
 */
public final class InteractionLocalityScorer implements Scorer {
  /** The scorer's name, {@code interaction_locality}. */
  public static final String NAME = "interaction_locality";

  static final double SAME_NODE = 1.0;
  static final double SAME_DATACENTER = 0.75;
  static final double SAME_CLUSTER = 0.5;

  @Override
  public String name() {
    return NAME;
  }

  /** 0: without the placer's knowledge of where peers run there is nothing to be near. */
  @Override
  public double score(Component component, NodeCandidate node) {
    return 0;
  }

  /** Weight of an interaction by its {@code interaction_criticality}. */
  static double weight(String criticality) {
    if (criticality == null) {
      return 1;
    }
    switch (criticality) {
      case "high":
        return 3;
      case "medium":
        return 2;
      default:
        return 1;
    }
  }

  /** Proximity of two nodes, see the class description. */
  static double proximity(NodeFacts a, NodeFacts b) {
    if (a == b) {
      return SAME_NODE;
    }
    if (a.datacenter >= 0 && a.datacenter == b.datacenter) {
      return SAME_DATACENTER;
    }
    if (a.cluster >= 0 && a.cluster == b.cluster) {
      return SAME_CLUSTER;
    }
    return 0;
  }
}
