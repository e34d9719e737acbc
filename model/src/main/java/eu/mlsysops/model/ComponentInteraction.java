package eu.mlsysops.model;

import java.util.List;

/**
 * One {@code component_interactions} entry: traffic between two components.
 *
 * @param componentName1 the source component
 * @param type {@code ingress} or {@code egress}, or null
 * @param componentName2 the destination component
 * @param interactionCriticality {@code low}, {@code medium} or {@code high}, or null
 * @param interactionMetrics system-level targets for this interaction
 */
public record ComponentInteraction(
    String componentName1,
    String type,
    String componentName2,
    String interactionCriticality,
    List<InteractionMetric> interactionMetrics) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param componentName1 see the record description
   * @param type see the record description
   * @param componentName2 see the record description
   * @param interactionCriticality see the record description
   * @param interactionMetrics see the record description
   */
  public ComponentInteraction {
    interactionMetrics = Immutable.list(interactionMetrics);
  }
}
