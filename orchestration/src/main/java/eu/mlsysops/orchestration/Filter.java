package eu.mlsysops.orchestration;

import java.util.Optional;

/** One feasibility check of the {@link Placer}. */
interface Filter {

  /** Why {@code node} cannot host the request, or empty when it can. */
  Optional<String> reject(PlacementRequest request, NodeCandidate node);
}
