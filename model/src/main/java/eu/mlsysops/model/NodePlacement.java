package eu.mlsysops.model;

import java.util.List;

/**
 * A component's {@code node_placement}.
 *
 * @param continuumLayer acceptable layers ({@link ContinuumLayer#ANY} for anywhere)
 * @param scaling scaling mode and instances, or null
 * @param mobile whether the node must be mobile, or null for either ({@code mobility} is accepted
 *     as a variant spelling)
 * @param labels node labels required
 * @param node a required node name, or null
 */
public record NodePlacement(
    List<ContinuumLayer> continuumLayer,
    Scaling scaling,
    Boolean mobile,
    List<String> labels,
    String node) {

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param continuumLayer see the record description
   * @param scaling see the record description
   * @param mobile see the record description
   * @param labels see the record description
   * @param node see the record description
   */
  public NodePlacement {
    continuumLayer = Immutable.list(continuumLayer);
    labels = Immutable.list(labels);
  }
}
