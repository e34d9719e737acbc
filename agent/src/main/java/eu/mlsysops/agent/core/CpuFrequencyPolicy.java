package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.ComponentId;
import eu.mlsysops.agent.PlacementCommand;
import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.QosMetric;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Node-level DVFS: keeps the CPU at the lowest frequency that serves the load and the QoS targets
 * of what runs here. Steps up one level when utilisation over the last few seconds is above {@code
 * high}, or when an instance here misses its QoS target ({@code qos_metrics}) over the window
 * (after the app's warm-up): that is the node's own remedy, tried before anything moves. Steps
 * down one level when utilisation is below {@code low} and no target is missed. Waits {@code
 * cooldown} after a change so the effect is observed before the next one (without it,
 * utilisation measured at the old frequency would trigger a second step at once).
 *
 * <p>At the top frequency with a target still missed, the node has done what it can: the
 * instance is better served elsewhere, so the policy asks its cluster to relocate it ({@code
 * placement relocate}, forwarded to the cluster, whose relocation policy picks the node) and asks
 * again for the same instance only after {@code askAgainAfter}. The cluster's relocation waits
 * for a node that can still raise its frequency (see {@code QosRelocationPolicy}).
 */
public final class CpuFrequencyPolicy implements Policy<CpuFrequencyPolicy.Decision> {
  public static final String NAME = "cpu-frequency";
  static final String METRIC = "node_cpu_utilization";

  private final double high;
  private final double low;
  private final Duration window;
  private final Duration cooldown;
  private long lastChangeMillis = Long.MIN_VALUE / 2;
  /** When the frequency was last raised for a missed QoS target. */
  private long lastQosRaiseMillis = Long.MIN_VALUE / 2;
  /**
   * How long after a raise for a missed QoS target the frequency is not lowered for an idle CPU:
   * the target is met because of the raise, and lowering at once would miss it again (the two
   * rules took turns every few seconds without it).
   */
  static final Duration QOS_HOLD = Duration.ofSeconds(60);
  private final Map<String, Long> askedAt = new java.util.HashMap<>();
  /** Before asking again to relocate the same instance: longer than the cluster takes to act. */
  static final Duration ASK_AGAIN_AFTER = Duration.ofSeconds(30);

  /** What the analysis found: a frequency to set, or an instance to have relocated. */
  public sealed interface Decision {}

  /**
   * Step to {@code targetGhz}, observing {@code utilisation} at {@code currentGhz}; {@code forQos}
   * when it is raised for a missed QoS target.
   */
  public record SetFrequency(double targetGhz, double utilisation, double currentGhz,
      String explanation, boolean forQos) implements Decision {
    public SetFrequency(double targetGhz, double utilisation, double currentGhz,
        String explanation) {
      this(targetGhz, utilisation, currentGhz, explanation, false);
    }
  }

  /**
   * Ask the cluster to relocate an instance (the node is at its top frequency and still busy).
   *
   * @param instanceId the instance, not asked about again for {@link #ASK_AGAIN_AFTER}
   * @param request the forwarded command, its explanation and inputs
   */
  public record AskRelocation(String instanceId, Plan request) implements Decision {}

  /** Defaults: step up above 85 %, down below 30 %, 3 s window, 3 s cooldown. */
  public CpuFrequencyPolicy() {
    this(0.85, 0.30, Duration.ofSeconds(3), Duration.ofSeconds(3));
  }

  public CpuFrequencyPolicy(double high, double low, Duration window, Duration cooldown) {
    this.high = high;
    this.low = low;
    this.window = window;
    this.cooldown = cooldown;
  }

  @Override
  public PolicyContext initialize() {
    return PolicyContext.builder(NAME)
        .metrics(METRIC)
        .analyzeInterval(Duration.ofSeconds(2))
        .mechanisms(CpuFrequencyMechanism.NAME)
        .mode(PolicyContext.Mode.HEURISTIC)
        .build();
  }

  @Override
  public Optional<Decision> analyze(PolicyView view) {
    PolicyView.MechanismInfo mech = view.mechanisms().get(CpuFrequencyMechanism.NAME);
    if (mech == null || !Boolean.TRUE.equals(mech.state().get("available"))) {
      return Optional.empty();
    }
    if (view.nowMillis() - lastChangeMillis < cooldown.toMillis()) {
      return Optional.empty();
    }
    @SuppressWarnings("unchecked")
    List<Double> levels = (List<Double>) mech.options().get("available_ghz");
    double current = ((Number) mech.state().get("current_ghz")).doubleValue();
    OptionalDouble util =
        view.telemetry().avgOverWindow(METRIC, Map.of("node", view.system().agentId()), window);
    if (levels == null || levels.isEmpty() || util.isEmpty()) {
      return Optional.empty();
    }
    int idx = nearestIndex(levels, current);
    double u = util.getAsDouble();
    boolean top = idx == levels.size() - 1;
    if (u > high && !top) {
      return Optional.of(new SetFrequency(levels.get(idx + 1), u, current,
          String.format("cpu utilisation %.0f%% > %.0f%% at %.2f GHz: raise to %.2f GHz",
              u * 100, high * 100, current, levels.get(idx + 1))));
    }
    Optional<Miss> miss = firstMiss(view);
    if (miss.isPresent() && !top) {
      Miss m = miss.get();
      return Optional.of(new SetFrequency(levels.get(idx + 1), u, current,
          String.format("%s of %s#%d averages %.1f, violating %s %s, at %.2f GHz: raise to"
                  + " %.2f GHz", m.metric().applicationMetricId(), m.component().name(),
              InstanceIds.slotOf(m.instanceId()), m.value(), m.metric().relation().wireName(),
              m.metric().target(), current, levels.get(idx + 1)), true));
    }
    if (top && (u > high || miss.isPresent())
        && view.mechanisms().containsKey(PlacementInputs.PLACEMENT)) {
      return askToRelocate(view, u, current);
    }
    if (u < low && idx > 0 && miss.isEmpty()
        && view.nowMillis() - lastQosRaiseMillis >= QOS_HOLD.toMillis()) {
      return Optional.of(new SetFrequency(levels.get(idx - 1), u, current,
          String.format("cpu utilisation %.0f%% < %.0f%% at %.2f GHz: lower to %.2f GHz to save power",
              u * 100, low * 100, current, levels.get(idx - 1))));
    }
    return Optional.empty();
  }

  /** An instance here that misses a QoS target, and by how much. */
  private record Miss(AppDescriptor app, Component component, String instanceId,
      QosMetric metric, double value) {}

  /** The first running instance here that misses a QoS target over the window. */
  private Optional<Miss> firstMiss(PolicyView view) {
    for (AppDescriptor app : view.apps()) {
      for (Component c : app.components()) {
        if (c.qosMetrics().isEmpty()) {
          continue;
        }
        for (SystemView.InstancePlacement p : view.system().placementsOf(app.name(), c.name())) {
          if (!p.running()) {
            continue;
          }
          var violated = QosChecks.violation(view, app, c, p.instanceId(), window);
          if (violated.isPresent()) {
            return Optional.of(new Miss(app, c, p.instanceId(), violated.get().metric(),
                violated.get().value()));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** The first instance here whose QoS target is violated, as a request to its cluster. */
  private Optional<Decision> askToRelocate(PolicyView view, double u, double ghz) {
    long now = view.nowMillis();
    for (AppDescriptor app : view.apps()) {
      if (!QosChecks.relocationPermitted(app)) {
        continue;
      }
      for (Component c : app.components()) {
        if (!QosChecks.relocatable(c)) {
          continue; // nothing to judge, or pinned to this node by name
        }
        for (SystemView.InstancePlacement p : view.system().placementsOf(app.name(), c.name())) {
          if (!p.running() || askedRecently(p.instanceId(), now)) {
            continue;
          }
          var violated = QosChecks.violation(view, app, c, p.instanceId(), window);
          if (violated.isEmpty()) {
            continue;
          }
          QosMetric q = violated.get().metric();
          double value = violated.get().value();
          int slot = InstanceIds.slotOf(p.instanceId());
          return Optional.of(new AskRelocation(p.instanceId(), Plan.of(
              new PlacementCommand.Relocate(new ComponentId(app.name(), c.name()).slot(slot))
                  .toCommand(),
              String.format("%s of %s#%d averages %.1f, violating %s %s, while %s is at its top"
                      + " frequency (%.2f GHz) and %.0f%% busy: ask the cluster to relocate it",
                  q.applicationMetricId(), c.name(), slot, value, q.relation().wireName(),
                  q.target(), view.system().agentId(), ghz, u * 100),
              Map.of(q.applicationMetricId(), String.format("%.2f", value),
                  "node_cpu_utilization", String.format("%.3f", u),
                  "current_ghz", Double.toString(ghz)))));
        }
      }
    }
    return Optional.empty();
  }

  private boolean askedRecently(String instanceId, long now) {
    Long at = askedAt.get(instanceId);
    return at != null && now - at < ASK_AGAIN_AFTER.toMillis();
  }

  private static int nearestIndex(List<Double> levels, double ghz) {
    int best = 0;
    for (int i = 1; i < levels.size(); i++) {
      if (Math.abs(levels.get(i) - ghz) < Math.abs(levels.get(best) - ghz)) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public Plan plan(PolicyView view, Decision decision) {
    long now = view.nowMillis();
    if (decision instanceof AskRelocation ask) {
      askedAt.values().removeIf(t -> now - t >= ASK_AGAIN_AFTER.toMillis());
      askedAt.put(ask.instanceId(), now);
      return ask.request();
    }
    SetFrequency d = (SetFrequency) decision;
    lastChangeMillis = now;
    if (d.forQos()) {
      lastQosRaiseMillis = now;
    }
    return Plan.of(
        Command.of(CpuFrequencyMechanism.NAME, "set", "ghz", Double.toString(d.targetGhz())),
        d.explanation(),
        Map.of(
            "node_cpu_utilization", String.format("%.3f", d.utilisation()),
            "current_ghz", Double.toString(d.currentGhz())));
  }
}
