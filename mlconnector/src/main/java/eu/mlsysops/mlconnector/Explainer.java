package eu.mlsysops.mlconnector;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Explains one prediction as contributions of its inputs that add up to the prediction minus the
 * base value (the prediction at the baseline: the training data's means). Shapley values with a
 * single baseline (interventional), computed
 *
 * <ul>
 *   <li>{@code linear}: exactly, in one pass, for models linear in their inputs (each input's
 *       contribution is the change from moving it alone from the baseline);
 *   <li>{@code exact}: exactly over every subset of inputs, up to {@link #MAX_EXACT} inputs (2ⁿ
 *       predictions);
 *   <li>{@code sampled}: above that, averaged over random orders of the inputs (permutation
 *       sampling, the estimator KernelSHAP approximates); each order's contributions add up
 *       exactly, so their average does too. The answer says how many orders.
 * </ul>
 */
final class Explainer {
  /** Most inputs explained exactly over all subsets. */
  static final int MAX_EXACT = 10;
  /** Orders sampled above {@link #MAX_EXACT} inputs. */
  static final int SAMPLES = 256;

  private Explainer() {}

  /**
   * An explanation.
   *
   * @param value the explained number at the input
   * @param baseValue the same at the baseline
   * @param contributions each input's share of {@code value - baseValue}
   * @param method {@code linear}, {@code exact} or {@code sampled}
   * @param samples orders sampled ({@code sampled}), else 0
   * @param label the class whose probability is explained (classification), or null
   */
  record Explanation(double value, double baseValue, Map<String, Double> contributions,
      String method, int samples, String label) {}

  static Explanation explain(LoadedModel m, double[] x, long seed) {
    String label = m.spec().kind() == ModelKind.CLASSIFICATION ? m.predict(x).label() : null;
    Score f = z -> m.score(z, label);
    double[] b = m.baseline();
    int n = x.length;
    double[] phi;
    String method;
    int samples = 0;
    if (m.linear()) {
      phi = linear(f, x, b);
      method = "linear";
    } else if (n <= MAX_EXACT) {
      phi = exact(f, x, b);
      method = "exact";
    } else {
      samples = SAMPLES;
      phi = sampled(f, x, b, samples, new Random(seed));
      method = "sampled";
    }
    List<String> names = m.inputs();
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      out.put(names.get(i), phi[i]);
    }
    return new Explanation(f.at(x), f.at(b), out, method, samples, label);
  }

  /** The explained number at an input vector. */
  interface Score {
    double at(double[] z);
  }

  static double[] linear(Score f, double[] x, double[] b) {
    double base = f.at(b);
    double[] phi = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double[] z = b.clone();
      z[i] = x[i];
      phi[i] = f.at(z) - base;
    }
    return phi;
  }

  static double[] exact(Score f, double[] x, double[] b) {
    int n = x.length;
    double[] v = new double[1 << n]; // the score with the inputs of each subset at x
    for (int mask = 0; mask < v.length; mask++) {
      double[] z = b.clone();
      for (int i = 0; i < n; i++) {
        if ((mask & (1 << i)) != 0) {
          z[i] = x[i];
        }
      }
      v[mask] = f.at(z);
    }
    double[] weight = new double[n]; // |S|!(n-|S|-1)!/n! by |S|
    for (int s = 0; s < n; s++) {
      weight[s] = 1.0 / (n * binomial(n - 1, s));
    }
    double[] phi = new double[n];
    for (int mask = 0; mask < v.length; mask++) {
      int size = Integer.bitCount(mask);
      for (int i = 0; i < n; i++) {
        if ((mask & (1 << i)) == 0) {
          phi[i] += weight[size] * (v[mask | (1 << i)] - v[mask]);
        }
      }
    }
    return phi;
  }

  static double[] sampled(Score f, double[] x, double[] b, int samples, Random random) {
    int n = x.length;
    double[] phi = new double[n];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    double base = f.at(b);
    for (int s = 0; s < samples; s++) {
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      double[] z = b.clone();
      double before = base;
      for (int i : order) {
        z[i] = x[i];
        double after = f.at(z);
        phi[i] += (after - before) / samples;
        before = after;
      }
    }
    return phi;
  }

  private static double binomial(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) {
      r = r * (n - k + i) / i;
    }
    return r;
  }
}
