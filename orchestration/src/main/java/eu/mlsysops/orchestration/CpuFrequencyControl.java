package eu.mlsysops.orchestration;

import java.util.List;

/**
 * The CPU-frequency knob of one node (DVFS). The real implementation writes the kernel's cpufreq
 * files; the simulated one changes the simulated node's speed and power draw.
 */
public interface CpuFrequencyControl {

  /** Frequencies the node can be set to, in GHz, ascending. Empty when the knob is unavailable. */
  List<Double> availableGhz();

  /** The current target frequency in GHz. */
  double currentGhz();

  /**
   * Sets the frequency (the nearest available one at or above {@code ghz}).
   *
   * @throws UnsupportedOperationException with a reason when the machine does not allow it
   */
  void setGhz(double ghz);

  /** Why the knob cannot act on this machine, or empty when it can. */
  default String unavailableReason() {
    return "";
  }

  /** A node without a knob: no frequencies, and {@code reason} says why. */
  static CpuFrequencyControl unavailable(String reason) {
    java.util.Objects.requireNonNull(reason, "reason");
    return new CpuFrequencyControl() {
      @Override
      public List<Double> availableGhz() {
        return List.of();
      }

      @Override
      public double currentGhz() {
        return 0;
      }

      @Override
      public void setGhz(double ghz) {
        throw new UnsupportedOperationException(reason);
      }

      @Override
      public String unavailableReason() {
        return reason;
      }
    };
  }
}
