package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Node-level DVFS: keeps the CPU at the lowest frequency that serves the load. Steps up one level
 * when utilisation over the last few seconds is above {@code high}, down one level when below
 * {@code low}; waits {@code cooldown} after a change so the effect is observed before the next one
 * (without it, utilisation measured at the old frequency would trigger a second step at once).
 */
public final class CpuFrequencyPolicy implements Policy {
  public static final String NAME = "cpu-frequency";
  static final String METRIC = "node_cpu_utilization";

  private final double high;
  private final double low;
  private final Duration window;
  private final Duration cooldown;
  private long lastChangeMillis = Long.MIN_VALUE / 2;
  private Decision pending;

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
  public boolean analyze(PolicyView view) {
    pending = null;
    PolicyView.MechanismInfo mech = view.mechanisms().get(CpuFrequencyMechanism.NAME);
    if (mech == null || !Boolean.TRUE.equals(mech.state().get("available"))) {
      return false;
    }
    if (view.nowMillis() - lastChangeMillis < cooldown.toMillis()) {
      return false;
    }
    @SuppressWarnings("unchecked")
    List<Double> levels = (List<Double>) mech.options().get("available_ghz");
    double current = ((Number) mech.state().get("current_ghz")).doubleValue();
    OptionalDouble util =
        view.telemetry().avgOverWindow(METRIC, Map.of("node", view.system().agentId()), window);
    if (levels == null || levels.isEmpty() || util.isEmpty()) {
      return false;
    }
    int idx = nearestIndex(levels, current);
    double u = util.getAsDouble();
    if (u > high && idx < levels.size() - 1) {
      pending = new Decision(levels.get(idx + 1), u, current,
          String.format("cpu utilisation %.0f%% > %.0f%% at %.2f GHz: raise to %.2f GHz",
              u * 100, high * 100, current, levels.get(idx + 1)));
    } else if (u < low && idx > 0) {
      pending = new Decision(levels.get(idx - 1), u, current,
          String.format("cpu utilisation %.0f%% < %.0f%% at %.2f GHz: lower to %.2f GHz to save power",
              u * 100, low * 100, current, levels.get(idx - 1)));
    }
    return pending != null;
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
  public Plan plan(PolicyView view) {
    Decision d = pending;
    if (d == null) {
      return Plan.empty();
    }
    lastChangeMillis = view.nowMillis();
    return Plan.of(
        Command.of(CpuFrequencyMechanism.NAME, "set", "ghz", Double.toString(d.targetGhz)),
        d.explanation,
        Map.of(
            "node_cpu_utilization", String.format("%.3f", d.utilisation),
            "current_ghz", Double.toString(d.currentGhz)));
  }

  private record Decision(double targetGhz, double utilisation, double currentGhz, String explanation) {}
}
