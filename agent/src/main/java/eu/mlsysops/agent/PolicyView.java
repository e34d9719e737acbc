package eu.mlsysops.agent;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.telemetry.SeriesSource;
import eu.mlsysops.telemetry.TelemetryQuery;
import eu.mlsysops.telemetry.query.QueryEngine;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a policy sees when it analyses and plans. A snapshot: values do not change while the policy
 * runs, except telemetry, which is live.
 */
public interface PolicyView {

  /** The app this instance is scoped to; empty for global policies. */
  Optional<AppDescriptor> app();

  /** Every app this agent manages. */
  List<AppDescriptor> apps();

  /** The agent's view of the system: its nodes, placements and health. */
  SystemView system();

  /** Mechanisms of this agent by name: options and state. */
  Map<String, MechanismInfo> mechanisms();

  /** Live telemetry of this agent's tier. */
  TelemetryQuery telemetry();

  /**
   * PromQL over {@link #telemetry()}: {@code query().value("avg(rate(node_cpu_seconds_total[1m]))",
   * nowMillis())}. Parse an expression once ({@code query().parse(…)}) when it runs on every
   * analysis.
   */
  default QueryEngine query() {
    if (telemetry() instanceof SeriesSource source) {
      return new QueryEngine(source);
    }
    throw new UnsupportedOperationException("this view's telemetry cannot be scanned");
  }

  /** The ML Connector. */
  MlConnector ml();

  /** Current time in epoch milliseconds, from the agent's clock. */
  long nowMillis();

  /**
   * Plans of this agent not yet finished (pending or running). Policies use it not to plan again
   * what is already on its way.
   */
  List<eu.mlsysops.agent.plan.PlanRecord> activePlans();

  /** What woke the policy: a sample's metric name, or {@code "interval"}. */
  String trigger();

  /** A mechanism's published options and state. */
  record MechanismInfo(String name, Map<String, Object> options, Map<String, Object> state) {}
}
