package eu.mlsysops.security;

import com.amazon.randomcutforest.RandomCutForest;
import com.amazon.randomcutforest.returntypes.DiVector;
import java.util.List;
import java.util.Optional;

/** {@link AnomalyDetector#randomCutForest}: RCF scores, an adaptive threshold, attribution. */
final class RcfAnomalyDetector implements AnomalyDetector {
  /*
   * One forest per node, thousands per cluster agent: 20 trees of 64 points with 30 % of the
   * bounding boxes cached take 55 KiB and 51 µs per scored update (30 × 128, all cached: 241 KiB,
   * 90 µs). 64 points at one per second remember about a minute, enough to judge a spike against.
   */
  static final int TREES = 20;
  static final int SAMPLE_SIZE = 64;
  static final double BOUNDING_BOX_CACHE = 0.3;
  static final int OUTPUT_AFTER = 32;
  static final double MIN_SCORE = 2.5;
  static final double SIGMAS = 4;
  /** Weight of a new score in the running mean and variance. */
  static final double SCORE_ALPHA = 0.05;

  private final List<String> dimensions;
  private final RandomCutForest forest;
  private long seen;
  private double meanScore;
  private double varScore;

  RcfAnomalyDetector(List<String> dimensions, long seed) {
    if (dimensions.isEmpty()) {
      throw new IllegalArgumentException("an anomaly detector needs at least one dimension");
    }
    this.dimensions = List.copyOf(dimensions);
    this.forest = RandomCutForest.builder()
        .dimensions(dimensions.size())
        .numberOfTrees(TREES)
        .sampleSize(SAMPLE_SIZE)
        .boundingBoxCacheFraction(BOUNDING_BOX_CACHE)
        .outputAfter(OUTPUT_AFTER)
        .randomSeed(seed)
        .parallelExecutionEnabled(false)
        .build();
  }

  @Override
  public List<String> dimensions() {
    return dimensions;
  }

  @Override
  public Optional<Anomaly> observe(double[] point) {
    if (point.length != dimensions.size()) {
      throw new IllegalArgumentException("expected " + dimensions.size() + " dimensions "
          + dimensions + ", got " + point.length);
    }
    for (double v : point) {
      if (!Double.isFinite(v)) {
        return Optional.empty();
      }
    }
    Optional<Anomaly> out = Optional.empty();
    if (seen >= OUTPUT_AFTER) {
      double score = forest.getAnomalyScore(point);
      double threshold = Math.max(MIN_SCORE, meanScore + SIGMAS * Math.sqrt(varScore));
      if (score > threshold) {
        out = Optional.of(attribute(point, score, threshold));
      } else {
        double d = score - meanScore;
        meanScore += SCORE_ALPHA * d;
        varScore = (1 - SCORE_ALPHA) * (varScore + SCORE_ALPHA * d * d);
      }
    }
    forest.update(point);
    seen++;
    return out;
  }

  private Anomaly attribute(double[] point, double score, double threshold) {
    DiVector attr = forest.getAnomalyAttribution(point);
    int best = 0;
    for (int i = 1; i < point.length; i++) {
      if (attr.getHighLowSum(i) > attr.getHighLowSum(best)) {
        best = i;
      }
    }
    double total = attr.getHighLowSum();
    double share = total > 0 ? attr.getHighLowSum(best) / total : 1;
    return new Anomaly(score, threshold, dimensions.get(best), attr.high[best] >= attr.low[best],
        share);
  }
}
