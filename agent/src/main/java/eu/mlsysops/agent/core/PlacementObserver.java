package eu.mlsysops.agent.core;

import java.util.Map;

/**
 * Told by a placement policy, after each analysis of an app, which instances it could not place
 * and why. Level-triggered: each call replaces what was said before about that app, so an instance
 * that became placeable simply drops out.
 */
@FunctionalInterface
public interface PlacementObserver {

  /**
   * The app's unplaceable instances now.
   *
   * @param app the app
   * @param byInstance {@code component/slot} (a slot of -1: the component as a whole, e.g. when
   *     no cluster can take it) → the placer's summary, e.g. {@code 0/12 nodes: 7 wrong
   *     continuum_layer, 3 insufficient cpu (need 500m)}; empty when everything is placeable
   */
  void unschedulable(String app, Map<String, String> byInstance);

  /** An observer that ignores everything. */
  static PlacementObserver none() {
    return (app, byInstance) -> {};
  }
}
