package eu.mlsysops.model;

import java.util.List;

/**
 * One {@code single_node} entry: components that must be deployed on the same node. Overrides the
 * components' own node placement.
 *
 * @param components names of the components to co-locate
 * @param continuumLayer acceptable layers ({@link ContinuumLayer#ANY} for anywhere)
 * @param scaling scaling of the group, or null
 * @param mobile whether the node must be mobile, or null for either
 * @param labels node labels required
 * @param node a required node name, or null
 */
public record SingleNodeGroup(
    List<String> components,
    List<ContinuumLayer> continuumLayer,
    Scaling scaling,
    Boolean mobile,
    List<String> labels,
    String node) {

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param components see the record description
   * @param continuumLayer see the record description
   * @param scaling see the record description
   * @param mobile see the record description
   * @param labels see the record description
   * @param node see the record description
   */
  public SingleNodeGroup {
    components = Immutable.list(components);
    continuumLayer = Immutable.list(continuumLayer);
    labels = Immutable.list(labels);
  }
}
