package eu.mlsysops.agent.core;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.orchestration.CpuFrequencyControl;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The node's {@code cpu_frequency} knob. Action {@code set} with argument {@code ghz}. Backed by
 * the kernel's cpufreq files where the machine allows it, or by the simulated node; where neither
 * can act, every apply fails with the reason (never silently succeeds, unlike the reference's
 * no-op).
 */
public final class CpuFrequencyMechanism implements Mechanism {
  public static final String NAME = "cpu_frequency";

  private final CpuFrequencyControl control;

  public CpuFrequencyMechanism(CpuFrequencyControl control) {
    this.control = Objects.requireNonNull(control);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Object> options() {
    return Map.of("available_ghz", control.availableGhz());
  }

  @Override
  public Map<String, Object> state() {
    Map<String, Object> s = new LinkedHashMap<>();
    String why = control.unavailableReason();
    s.put("available", why.isEmpty());
    if (why.isEmpty()) {
      s.put("current_ghz", control.currentGhz());
    } else {
      s.put("reason", why);
    }
    return s;
  }

  @Override
  public CompletionStage<ApplyResult> apply(Command command) {
    if (!"set".equals(command.action())) {
      return done(ApplyResult.failure("cpu_frequency has no action \"" + command.action() + "\" (use set)"));
    }
    String arg = command.arg("ghz", null);
    double ghz;
    try {
      ghz = Double.parseDouble(Objects.requireNonNull(arg, "missing"));
    } catch (NullPointerException | NumberFormatException e) {
      return done(ApplyResult.failure("cpu_frequency set: ghz: \"" + arg + "\" is not a number"));
    }
    if (!Double.isFinite(ghz) || ghz <= 0) {
      return done(ApplyResult.failure("cpu_frequency set: ghz: " + arg + " is not a positive frequency"));
    }
    try {
      double before = control.currentGhz();
      control.setGhz(ghz);
      double now = control.currentGhz();
      String change = before == now
          ? String.format("cpu frequency already %.2f GHz", now)
          : String.format("cpu frequency %.2f → %.2f GHz", before, now);
      if (Math.abs(now - ghz) > 1e-9) {
        change += String.format(" (%.2f GHz requested; nearest available level)", ghz);
      }
      return done(ApplyResult.success(change));
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return done(ApplyResult.failure(e.getMessage()));
    } catch (RuntimeException e) {
      return done(ApplyResult.retriable("cpu_frequency set failed: " + e.getMessage()));
    }
  }

  private static CompletionStage<ApplyResult> done(ApplyResult r) {
    return CompletableFuture.completedFuture(r);
  }
}
