package eu.mlsysops.agent.core;

import eu.mlsysops.orchestration.CpuFrequencyControl;
import java.util.List;

/** A DVFS knob with three levels, or one that cannot act. */
final class FakeFrequencyControl implements CpuFrequencyControl {
  private final String unavailable;
  double current = 2.0;

  FakeFrequencyControl(String unavailable) {
    this.unavailable = unavailable;
  }

  @Override
  public List<Double> availableGhz() {
    return unavailable.isEmpty() ? List.of(1.2, 2.0, 2.8) : List.of();
  }

  @Override
  public double currentGhz() {
    return current;
  }

  @Override
  public void setGhz(double ghz) {
    if (!unavailable.isEmpty()) {
      throw new UnsupportedOperationException(unavailable);
    }
    current = availableGhz().stream().filter(f -> f >= ghz).findFirst().orElse(2.8);
  }

  @Override
  public String unavailableReason() {
    return unavailable;
  }
}
