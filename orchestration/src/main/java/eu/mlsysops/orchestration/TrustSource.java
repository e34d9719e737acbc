package eu.mlsysops.orchestration;

import eu.mlsysops.model.NodeDescriptor;

/**
 * How far the continuum trusts a node, from 0 (not at all) to 1 (fully): the hook for a trust or
 * reputation service. The {@link Placer} rejects a node whose trust is below the request's
 * threshold ({@link PlacementRequest#trustThreshold()}) or, without one, the placer's ({@link
 * Placer.Builder#trust}); a placer without a trust source accepts every node.
 *
 * <p>Called only for nodes that passed every other filter. It must be fast and must not block; a
 * NaN answer or a thrown exception counts as trust 0, so an unknown node is never trusted by
 * accident.
 */
@FunctionalInterface
public interface TrustSource {

  /**
   * The node's trust score.
   *
   * @param node the node's descriptor
   * @return 0..1; values outside are clamped
   */
  double trust(NodeDescriptor node);
}
