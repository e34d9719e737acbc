package eu.mlsysops.mlconnector;

/**
 * Page's test (as Page–Hinkley runs it, one-sided) on a model's prediction errors against the
 * error it had when trained: a lasting rise of the errors above that level, which is what a model
 * that no longer fits shows (its inputs may look as they did in training while what they lead to
 * changed). It accumulates how far each error lies above the reference plus a tolerance {@code
 * delta}, never below zero, and reports drift once the sum passes {@code lambda}; then it starts
 * over. Errors that stay high report again after as many outcomes (the reference is what the
 * version was trained to, not the running mean, so a model that was not fixed keeps saying so).
 * Not thread-safe (its owner locks).
 */
final class ErrorDrift {
  /** Outcomes needed since the start (or the last drift) before drift may be reported. */
  static final int MIN_ERRORS = 30;

  private final double reference;
  private final double delta;
  private final double lambda;
  private long n;
  private double sum;
  private double mean;

  /**
   * @param reference the error expected of the version (its holdout error)
   * @param delta the rise above it tolerated
   * @param lambda how much accumulated excess is drift
   */
  ErrorDrift(double reference, double delta, double lambda) {
    if (!(reference >= 0) || !(delta >= 0) || !(lambda > 0)) {
      throw new IllegalArgumentException("reference >= 0, delta >= 0 and lambda > 0, got "
          + reference + ", " + delta + ", " + lambda);
    }
    this.reference = reference;
    this.delta = delta;
    this.lambda = lambda;
  }

  /**
   * For a version with these holdout metrics: the reference is its mean absolute error on the
   * holdout (its class error for a classifier), the tolerance half of it (a twentieth for a
   * classifier), the threshold twenty-five times it (five errors' worth for a classifier), so that
   * drift is a lasting rise, not a few bad predictions.
   */
  static ErrorDrift forVersion(ModelVersion v, ModelKind kind) {
    if (kind == ModelKind.CLASSIFICATION) {
      double accuracy = v.metrics().getOrDefault("accuracy", Double.NaN);
      return new ErrorDrift(Double.isFinite(accuracy) ? 1 - accuracy : 0, 0.05, 5);
    }
    double mae = v.metrics().getOrDefault("mae", Double.NaN);
    // A model fitted exactly has (almost) no error: a floor keeps noise from being drift.
    double scale = Double.isFinite(mae) ? Math.max(mae, 1e-6) : 1;
    return new ErrorDrift(Double.isFinite(mae) ? mae : 0, 0.5 * scale, 25 * scale);
  }

  /** Adds an error (absolute, or 0/1 for a class); true when drift is found (then it restarts). */
  boolean add(double error) {
    n++;
    mean += (error - mean) / n;
    sum = Math.max(0, sum + error - reference - delta);
    if (n >= MIN_ERRORS && sum > lambda) {
      n = 0;
      sum = 0;
      mean = 0;
      return true;
    }
    return false;
  }

  /** The accumulated excess now. */
  double statistic() {
    return sum;
  }

  /** Outcomes since the start (or the last drift). */
  long errors() {
    return n;
  }

  /** Their mean error. */
  double meanError() {
    return mean;
  }
}
