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
   * @param instances every known instance
   */
  public record ComponentStatus(String name, String cluster, int desired, int running,
      List<Message.InstanceReport> instances) {
    public ComponentStatus {
      instances = List.copyOf(instances);
    }
  }
}
