package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Message;
import java.util.List;

/**
 * An app as the continuum sees it: where each component was assigned and how its instances are.
 *
 * @param name app name
 * @param submittedMillis when it was accepted
 * @param phase {@code Pending} (not yet assigned), {@code Deploying}, {@code Running}, {@code
 *     Degraded} (fewer instances running than asked for after having run)
 * @param components per component status
 */
public record AppStatus(String name, long submittedMillis, String phase,
    List<ComponentStatus> components) {
  public AppStatus {
    components = List.copyOf(components);
  }

  /**
   * @param name component name
   * @param cluster assigned cluster, or empty
   * @param desired instances asked for
   * @param running instances running
   * @param instances every known instance (those no node can take have state {@code
   *     UNSCHEDULABLE}, no node, and the placer's summary as their reason)
   * @param unschedulable why the component, or some of its instances, cannot be placed, per
   *     constraint, e.g. {@code 0/12 nodes: 7 wrong continuum_layer, 3 insufficient cpu (need
   *     500m), 2 missing sensor camera/d455}; empty when nothing is stuck
   */
  public record ComponentStatus(String name, String cluster, int desired, int running,
      List<Message.InstanceReport> instances, String unschedulable) {
    public ComponentStatus {
      instances = List.copyOf(instances);
      unschedulable = unschedulable == null ? "" : unschedulable;
    }

    /** A component with nothing unschedulable. */
    public ComponentStatus(String name, String cluster, int desired, int running,
        List<Message.InstanceReport> instances) {
      this(name, cluster, desired, running, instances, "");
    }
  }
}
