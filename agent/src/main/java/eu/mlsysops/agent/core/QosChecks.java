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

  /**
   * The first of the component's QoS targets the instance misses on average over the window,
   * counting only targets it has reported for the app's warm-up ({@code qos_warmup}, 10 s by
   * default: its first samples say how it started, cold caches or a JIT warming up, not how it
   * serves) before the window.
   */
  static Optional<Violation> violation(PolicyView view, AppDescriptor app, Component c,
      String instanceId, Duration window) {
    for (QosMetric q : c.qosMetrics()) {
      Map<String, String> series =
          Map.of("app", app.name(), "component", c.name(), "instance", instanceId);
      if (!warmedUp(view, q.applicationMetricId(), series, window, c.qosWarmupIn(app))) {
        continue;
      }
      OptionalDouble v = view.telemetry().avgOverWindow(q.applicationMetricId(), series, window);
      if (v.isPresent() && !q.relation().holds(v.getAsDouble(), q.target())) {
        return Optional.of(new Violation(q, v.getAsDouble()));
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the series has samples from at least {@code warmup} before the window: a window of
   * a warmed-up instance holds no sample of its first moments.
   */
  static boolean warmedUp(PolicyView view, String metric, Map<String, String> series,
      Duration window, Duration warmup) {
    Duration needed = warmup.plus(window);
    long earliest = Long.MAX_VALUE;
    for (eu.mlsysops.telemetry.TelemetryQuery.Series s
        : view.telemetry().range(metric, series, needed.plusSeconds(5))) {
      for (eu.mlsysops.telemetry.Sample sample : s.samples()) {
        earliest = Math.min(earliest, sample.timestampMillis());
      }
    }
    return earliest <= view.nowMillis() - needed.toMillis();
  }
}
