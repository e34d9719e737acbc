package eu.mlsysops.security;

import com.amazon.randomcutforest.RandomCutForest;
import com.amazon.randomcutforest.returntypes.DiVector;
import java.util.List;
import java.util.Optional;

/**
 * {@link AnomalyDetector#randomCutForest}: RCF scores, an adaptive threshold, attribution.
 *
 * <p>A forest costs tens of µs to score a point and as much to learn one, and a cluster keeps one
 * per node (10,000 nodes at one point a second took more CPU than everything else they did). So
 * each dimension also keeps a running mean and variance, a screen costing nanoseconds: the forest
 * learns and scores every {@link #LEARN_EVERY}th point (its sample then spans four times as long),
 * and scores any other point only when some dimension is more than {@link #SCREEN_SIGMAS} standard
 * deviations (and a hundredth of its scale) from its mean. A spike in any one metric is judged at
 * once; an unusual combination of usual values is judged at the next learning point.
 */
final class RcfAnomalyDetector implements AnomalyDetector {
  /*
   * One forest per node, thousands per cluster agent: 20 trees of 64 points with 30 % of the
   * bounding boxes cached take 55 KiB and 51 µs per scored update (30 × 128, all cached: 241 KiB,
   * 90 µs). 64 points, one every four seconds at one observation a second, remember about four
   * minutes, enough to judge a spike against.
   */
  static final int TREES = 20;
  static final int SAMPLE_SIZE = 64;
  static final double BOUNDING_BOX_CACHE = 0.3;
  /** Points the forest learns before it scores (at one observation a second: about two minutes). */
  static final int OUTPUT_AFTER = 32;
  /** The forest learns one observation in this many. */
  static final int LEARN_EVERY = 4;
  /** A dimension this many standard deviations from its running mean gets the point scored. */
  static final double SCREEN_SIGMAS = 3;
  static final double MIN_SCORE = 2.5;
  static final double SIGMAS = 4;
  /** Weight of a new score in the running mean and variance. */
  static final double SCORE_ALPHA = 0.05;
  /** Weight of a new value in each dimension's running mean and variance. */
  static final double SCREEN_ALPHA = 0.05;
  /** The least deviation that stands out, relative to the mean's magnitude + 1. */
  static final double SCREEN_FLOOR = 0.01;

  private final List<String> dimensions;
  private final RandomCutForest forest;
  private long seen;
  private long learned;
  private double meanScore;
  private double varScore;
  private final double[] mean;
  private final double[] var;

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
    this.mean = new double[dimensions.size()];
    this.var = new double[dimensions.size()];
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
    boolean learn = seen % LEARN_EVERY == 0;
    boolean unusual = standsOut(point);
    Optional<Anomaly> out = Optional.empty();
    if (learned >= OUTPUT_AFTER && (learn || unusual)) {
      double score = forest.getAnomalyScore(point);
      double threshold = Math.max(MIN_SCORE, meanScore + SIGMAS * Math.sqrt(varScore));
      if (score > threshold) {
        out = Optional.of(attribute(point, score, threshold));
      } else if (learn) {
        // The bar follows regular points only: screened-in ones are unusual by selection.
        double d = score - meanScore;
        meanScore += SCORE_ALPHA * d;
        varScore = (1 - SCORE_ALPHA) * (varScore + SCORE_ALPHA * d * d);
      }
    }
    learnScreen(point, out.isPresent());
    seen++;
    if (learn) {
      forest.update(point);
      learned++;
    }
    return out;
  }

  /** How far from its running mean a dimension's value may be before it stands out. */
  private double bound(int i) {
    // More than 3 σ, and more than a hundredth of the value's scale (a dimension that barely
    // varies would otherwise send every flicker to the forest).
    return Math.max(SCREEN_SIGMAS * Math.sqrt(var[i]), SCREEN_FLOOR * (Math.abs(mean[i]) + 1));
  }

  /** Whether some dimension of the point stands out from its running mean. */
  private boolean standsOut(double[] point) {
    if (seen == 0) {
      return false;
    }
    for (int i = 0; i < point.length; i++) {
      if (Math.abs(point[i] - mean[i]) > bound(i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Updates each dimension's running mean and variance. A point the forest found anomalous moves
   * them no more than a value at the bound would (winsorised), so an anomaly cannot widen the
   * screen and hide the next one; others are learned as they are, so a drifting metric (a load
   * average) is followed without standing out again and again.
   */
  private void learnScreen(double[] point, boolean anomalous) {
    for (int i = 0; i < point.length; i++) {
      if (seen == 0) {
        mean[i] = point[i];
        continue;
      }
      double d = point[i] - mean[i];
      if (anomalous) {
        double b = bound(i);
        d = Math.max(-b, Math.min(b, d));
      }
      mean[i] += SCREEN_ALPHA * d;
      var[i] = (1 - SCREEN_ALPHA) * (var[i] + SCREEN_ALPHA * d * d);
    }
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
