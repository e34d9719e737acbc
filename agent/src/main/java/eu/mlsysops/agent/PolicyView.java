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

  /**
   * Requests the agent's children forwarded and nobody has answered yet (e.g. a node asking its
   * cluster to relocate an instance it cannot serve well any more). A plan that acts on one
   * carries its id under the input {@link Request#INPUT}; when that plan ends, the child hears
   * how. Unanswered requests expire. Empty on agents without children.
   */
  default List<Request> requests() {
    return List.of();
  }

  /**
   * A plan a child agent made for a mechanism only this agent has.
   *
   * @param id answer under this id: put it in the plan's inputs as {@link #INPUT}
   * @param from the child that asked
   * @param policy the child's policy that asked
   * @param mechanism the mechanism it needs (e.g. {@code placement})
   * @param action what it asks of it (e.g. {@code relocate})
   * @param args the arguments (e.g. {@code app}, {@code component}, {@code slot})
   * @param explanation why, in the child's words
   */
  record Request(String id, String from, String policy, String mechanism, String action,
      Map<String, String> args, String explanation) {
    /** The plan input that names the request a plan answers. */
    public static final String INPUT = "request";

    public Request {
      args = Map.copyOf(args);
    }
  }

  /** A mechanism's published options and state. */
  record MechanismInfo(String name, Map<String, Object> options, Map<String, Object> state) {}
}
