package eu.mlsysops.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The continuum's {@code cluster_placement} command, typed: {@code assign} a component to a
 * cluster, whose own placement then picks the nodes.
 *
 * @param component the component
 * @param cluster the cluster's id
 */
public record ClusterAssignment(ComponentId component, String cluster) {
  /** The mechanism's name in plans. */
  public static final String MECHANISM = "cluster_placement";

  public ClusterAssignment {
    if (component == null) {
      throw new IllegalArgumentException("component: missing");
    }
    cluster = Ids.required("cluster", cluster);
  }

  /** The wire form: {@code cluster_placement assign {app, component, cluster}}. */
  public Command toCommand() {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("app", component.app());
    args.put("component", component.component());
    args.put("cluster", cluster);
    return new Command(MECHANISM, "assign", args);
  }

  /**
   * Reads an assignment.
   *
   * @throws IllegalArgumentException naming the field at fault, e.g. {@code cluster_placement
   *     assign: cluster: missing}
   */
  public static ClusterAssignment from(Command c) {
    if (!MECHANISM.equals(c.mechanism()) || !"assign".equals(c.action())) {
      throw new IllegalArgumentException(
          MECHANISM + " has no action \"" + c.action() + "\" (assign)");
    }
    try {
      return new ClusterAssignment(Ids.component(c), Ids.arg(c, "cluster"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(MECHANISM + " assign: " + e.getMessage(), e);
    }
  }
}
