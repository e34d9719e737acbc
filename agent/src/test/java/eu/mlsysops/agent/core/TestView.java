package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.MlConnector;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.TelemetryQuery;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A view over a metric store, a set of mechanisms and a fixed system, at a settable time. */
final class TestView implements PolicyView {
  final MetricStore store;
  final Map<String, Mechanism> mechanisms;
  final SystemView system;
  final AppDescriptor app;
  long now;

  TestView(MetricStore store, Map<String, Mechanism> mechanisms, SystemView system,
      AppDescriptor app, long now) {
    this.store = store;
    this.mechanisms = mechanisms;
    this.system = system;
    this.app = app;
    this.now = now;
  }

  @Override
  public Optional<AppDescriptor> app() {
    return Optional.ofNullable(app);
  }

  @Override
  public List<AppDescriptor> apps() {
    return app == null ? List.of() : List.of(app);
  }

  @Override
  public SystemView system() {
    return system;
  }

  @Override
  public Map<String, MechanismInfo> mechanisms() {
    Map<String, MechanismInfo> m = new java.util.LinkedHashMap<>();
    mechanisms.forEach((k, v) -> m.put(k, new MechanismInfo(k, v.options(), v.state())));
    return m;
  }

  @Override
  public TelemetryQuery telemetry() {
    return store;
  }

  @Override
  public MlConnector ml() {
    return MlConnector.none();
  }

  @Override
  public long nowMillis() {
    return now;
  }

  @Override
  public List<eu.mlsysops.agent.plan.PlanRecord> activePlans() {
    return List.of();
  }

  @Override
  public String trigger() {
    return "test";
  }
}
