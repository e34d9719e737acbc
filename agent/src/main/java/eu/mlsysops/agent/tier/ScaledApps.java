package eu.mlsysops.agent.tier;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.NodePlacement;
import eu.mlsysops.model.Scaling;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Instance counts the autoscaler set ({@code placement scale}), over the descriptors' own. Policies
 * see the effective descriptor, so placement follows a new count the way it follows a new
 * descriptor. Not thread-safe on its own: the cluster agent calls it under its lock.
 */
final class ScaledApps {
  /** app → component → instances. */
  private final Map<String, Map<String, Integer>> counts = new HashMap<>();

  /** Sets a count; false when it was that already. */
  boolean set(String app, String component, int instances) {
    Integer before = counts.computeIfAbsent(app, k -> new HashMap<>()).put(component, instances);
    return before == null || before != instances;
  }

  /** Forgets apps and components no longer here. */
  void retain(Map<String, AppDescriptor> apps) {
    counts.keySet().retainAll(apps.keySet());
    counts.forEach((app, m) -> {
      Set<String> names = new java.util.HashSet<>();
      apps.get(app).components().forEach(c -> names.add(c.name()));
      m.keySet().retainAll(names);
    });
  }

  /** The descriptor with the counts set here. */
  AppDescriptor effective(AppDescriptor app) {
    Map<String, Integer> m = counts.get(app.name());
    if (m == null || m.isEmpty()) {
      return app;
    }
    List<Component> cs = new ArrayList<>();
    for (Component c : app.components()) {
      Integer n = m.get(c.name());
      cs.add(n == null ? c : withInstances(c, n));
    }
    return new AppDescriptor(app.name(), app.clusterPlacement(), app.singleNode(), cs,
        app.componentInteractions(), app.permittedActions(), app.globalSatisfaction());
  }

  static Component withInstances(Component c, int n) {
    NodePlacement p = c.nodePlacement();
    Scaling s = p == null ? null : p.scaling();
    Scaling scaled = new Scaling(s == null ? "auto" : s.scalingMode(), n,
        s == null ? null : s.scalingCriteria());
    NodePlacement np = p == null
        ? new NodePlacement(List.of(), scaled, null, List.of(), null)
        : new NodePlacement(p.continuumLayer(), scaled, p.mobile(), p.labels(), p.node());
    return new Component(c.metadata(), np, c.dependsOn(), c.runtimeConfiguration(), c.sensors(),
        c.qosMetrics(), c.storage(), c.dataSensitivity(), c.dataCriticality(),
        c.externalComponent(), c.externalAccess(), c.hostNetwork(), c.runtimeClassName(),
        c.restartPolicy(), c.os(), c.nodeType(), c.containerRuntime(), c.containers());
  }
}
