package eu.mlsysops.orchestration;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.ComponentInteraction;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What one placement asks for: one instance of a component of an app, with what the caller adds to
 * the descriptor's own constraints.
 *
 * @param app the app's name
 * @param component the component's descriptor; its requirements are read from it
 * @param excludedNodes nodes the instance must not go to, e.g. the one it is moved away from
 *     (rejected as {@code excluded (current node)})
 * @param interactions the app's {@code component_interactions}; those naming this component make
 *     {@link InteractionLocalityScorer} prefer nodes near its peers
 * @param trustThreshold the lowest acceptable {@link TrustSource} score for this request; empty
 *     uses the placer's threshold
 */
public record PlacementRequest(
    String app,
    Component component,
    Set<String> excludedNodes,
    List<ComponentInteraction> interactions,
    OptionalDouble trustThreshold) {

  /**
   * Copies the collections.
   *
   * @param app see the record description
   * @param component see the record description
   * @param excludedNodes see the record description
   * @param interactions see the record description
   * @param trustThreshold see the record description
   */
  public PlacementRequest {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(component, "component");
    excludedNodes = Set.copyOf(excludedNodes);
    interactions = List.copyOf(interactions);
    Objects.requireNonNull(trustThreshold, "trustThreshold");
    if (trustThreshold.isPresent()) {
      checkThreshold(trustThreshold.getAsDouble());
    }
  }

  /** One instance of {@code component}, with no exclusions, interactions or trust threshold. */
  public static PlacementRequest of(String app, Component component) {
    return new PlacementRequest(app, component, Set.of(), List.of(), OptionalDouble.empty());
  }

  /** One instance of {@code component} of {@code app}, with the app's interactions. */
  public static PlacementRequest of(AppDescriptor app, Component component) {
    return new PlacementRequest(
        app.name(), component, Set.of(), app.componentInteractions(), OptionalDouble.empty());
  }

  /** This request, never on the given nodes. */
  public PlacementRequest excluding(Set<String> nodes) {
    return new PlacementRequest(app, component, nodes, interactions, trustThreshold);
  }

  /** This request, scoring locality with the given interactions. */
  public PlacementRequest withInteractions(List<ComponentInteraction> list) {
    return new PlacementRequest(app, component, excludedNodes, list, trustThreshold);
  }

  /** This request, accepting only nodes whose trust is at least {@code threshold} (0..1). */
  public PlacementRequest withTrustThreshold(double threshold) {
    return new PlacementRequest(
        app, component, excludedNodes, interactions, OptionalDouble.of(threshold));
  }

  static double checkThreshold(double t) {
    if (!(t >= 0 && t <= 1)) {
      throw new IllegalArgumentException("a trust threshold must be within 0..1, got " + t);
    }
    return t;
  }
}
