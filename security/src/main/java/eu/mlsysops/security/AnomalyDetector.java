package eu.mlsysops.security;

import java.util.List;
import java.util.Optional;

/**
 * A streaming anomaly detector over fixed-length points (one point per telemetry tick, one
 * dimension per metric). Each call scores the point against what came before, then learns from
 * it.
 *
 * <p>{@link #randomCutForest} is the default: Amazon's Random Cut Forest with an adaptive
 * threshold on its own scores. Not thread-safe; the {@link TrustEngine} calls it under its lock.
 */
public interface AnomalyDetector {

  /**
   * Scores {@code point} and learns from it.
   *
   * @param point one value per dimension; non-finite values make the point ignored
   * @return the anomaly when the point is one, with the dimension that explains most of it
   */
  Optional<Anomaly> observe(double[] point);

  /** The names of the dimensions, in order. */
  List<String> dimensions();

  /**
   * An anomalous point.
   *
   * @param score the detector's score (for RCF, the forest's anomaly score)
   * @param threshold the score above which points count as anomalies at that moment
   * @param dimension the name of the dimension with the largest attribution
   * @param high whether that dimension was unusually high (false: unusually low)
   * @param share the fraction of the score attributed to that dimension, 0..1
   */
  record Anomaly(double score, double threshold, String dimension, boolean high, double share) {
    /** E.g. {@code node_power_watts unusually high (score 2.31 > 1.52, 71% of it)}. */
    public String describe() {
      return String.format(java.util.Locale.ROOT, "%s unusually %s (score %.2f > %.2f, %.0f%% of it)",
          dimension, high ? "high" : "low", score, threshold, share * 100);
    }
  }

  /**
   * A Random Cut Forest detector (20 trees, 64 points per tree, learning one observation in four
   * and scoring after it learned 32, screened per dimension: see {@link RcfAnomalyDetector}); a
   * point is an anomaly when its score exceeds both {@code 2.5} and the running mean of past
   * scores plus four standard deviations (an exponentially weighted mean and variance, updated
   * only with normal points so an attack cannot raise its own bar).
   *
   * @param dimensions the name of each dimension
   * @param seed the forest's random seed: same seed, same points, same answers
   */
  static AnomalyDetector randomCutForest(List<String> dimensions, long seed) {
    return new RcfAnomalyDetector(dimensions, seed);
  }
}
