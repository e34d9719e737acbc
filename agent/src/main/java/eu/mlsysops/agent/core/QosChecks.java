package eu.mlsysops.agent.core;

import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.QosMetric;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** What the relocation policies ask of an app, a component and an instance's QoS targets. */
final class QosChecks {
  private QosChecks() {}

  /** A QoS target an instance misses, and its average over the window. */
  record Violation(QosMetric metric, double value) {}

  /** Whether the app lets agents move its components ({@code permitted_actions}). */
  static boolean relocationPermitted(AppDescriptor app) {
    List<String> allowed = app.permittedActions();
    return allowed.isEmpty() || allowed.contains("*") || allowed.contains("component_relocation");
  }

  /** Whether a component is a candidate for relocation: it has QoS targets and no named node. */
  static boolean relocatable(Component c) {
    String named = c.nodePlacement() == null ? null : c.nodePlacement().node();
    return !c.qosMetrics().isEmpty() && (named == null || named.isBlank());
  }

  /** The first of the component's QoS targets the instance misses on average over the window. */
  static Optional<Violation> violation(PolicyView view, String app, Component c,
      String instanceId, Duration window) {
    for (QosMetric q : c.qosMetrics()) {
      OptionalDouble v = view.telemetry().avgOverWindow(q.applicationMetricId(),
          Map.of("app", app, "component", c.name(), "instance", instanceId), window);
      if (v.isPresent() && !q.relation().holds(v.getAsDouble(), q.target())) {
        return Optional.of(new Violation(q, v.getAsDouble()));
      }
    }
    return Optional.empty();
  }
}
