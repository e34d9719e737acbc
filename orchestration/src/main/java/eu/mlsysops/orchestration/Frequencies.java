package eu.mlsysops.orchestration;

import java.util.List;

/** Frequency-step arithmetic shared by the real and the simulated DVFS knob. */
final class Frequencies {
  /** Two steps closer than this (1 kHz) are the same step: sysfs works in whole kHz. */
  private static final double EPSILON_GHZ = 1e-6;

  private Frequencies() {}

  /**
   * The lowest available step at or above {@code ghz}, or the highest step when {@code ghz} is
   * above all of them: asking for more than the machine has gives the most it has.
   *
   * @param ascending available steps, ascending, non-empty
   */
  static double snapUp(List<Double> ascending, double ghz) {
    if (!(ghz > 0) || Double.isInfinite(ghz)) {
      throw new IllegalArgumentException("frequency must be a positive number of GHz, got " + ghz);
    }
    for (double f : ascending) {
      if (f >= ghz - EPSILON_GHZ) {
        return f;
      }
    }
    return ascending.get(ascending.size() - 1);
  }
}
