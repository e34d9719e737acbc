package eu.mlsysops.mlconnector;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches the inputs a serving version is asked about for drift from the data it was trained on:
 * the latest {@link #WINDOW} inputs against the training rows, feature by feature, with the
 * population stability index over the training deciles and the two-sample Kolmogorov–Smirnov
 * statistic. A feature drifts when both say so (PSI above {@link #PSI_DRIFT} and the KS statistic
 * above its critical value at α = 0.01): PSI alone flags small shifts on big windows, KS alone
 * shape changes that do not matter to the bins. Checked every {@link #CHECK_EVERY} inputs, so the
 * cost per prediction is a copy into a ring.
 *
 * <p>Thread-safe (predictions of many agents feed one monitor).
 */
public final class DriftMonitor {
  /** Live inputs compared. */
  static final int WINDOW = 256;
  /** Inputs between checks. */
  static final int CHECK_EVERY = 64;
  /** PSI above which a feature's distribution counts as shifted (0.25: "major shift"). */
  static final double PSI_DRIFT = 0.25;
  /** Training rows kept as the reference, at most. */
  static final int MAX_REFERENCE = 5_000;

  private final List<String> names;
  /** Each feature's training values, sorted. */
  private final double[][] reference;
  /** Each feature's decile edges over the training values (9 inner edges). */
  private final double[][] edges;
  private final double[][] ring;
  private long seen;
  private Report last;

  /**
   * One check.
   *
   * @param features each feature's statistics
   * @param drifted the features that drifted (empty: none)
   * @param inputs inputs seen so far
   */
  public record Report(Map<String, FeatureStats> features, List<String> drifted, long inputs) {
    public Report {
      features = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(features));
      drifted = List.copyOf(drifted);
    }
  }

  /** One feature's drift statistics. */
  public record FeatureStats(double psi, double ks, double ksCritical) {}

  /**
   * @param names the inputs, in order
   * @param training the training rows (inputs in order)
   */
  DriftMonitor(List<String> names, double[][] training) {
    this.names = List.copyOf(names);
    int f = names.size();
    int step = Math.max(1, training.length / MAX_REFERENCE);
    int m = (training.length + step - 1) / step;
    reference = new double[f][m];
    edges = new double[f][];
    for (int j = 0; j < f; j++) {
      for (int i = 0, k = 0; i < training.length && k < m; i += step, k++) {
        reference[j][k] = training[i][j];
      }
      Arrays.sort(reference[j]);
      edges[j] = new double[9];
      for (int q = 1; q <= 9; q++) {
        edges[j][q - 1] = reference[j][Math.min(m - 1, q * m / 10)];
      }
    }
    ring = new double[WINDOW][];
  }

  /** Takes one input; a report when this input completed a check, else null. */
  synchronized Report observe(double[] x) {
    ring[(int) (seen % WINDOW)] = x.clone();
    seen++;
    if (seen < WINDOW || seen % CHECK_EVERY != 0) {
      return null;
    }
    last = check();
    return last;
  }

  /** The latest check, or null before the first. */
  synchronized Report last() {
    return last;
  }

  private Report check() {
    Map<String, FeatureStats> stats = new LinkedHashMap<>();
    List<String> drifted = new java.util.ArrayList<>();
    for (int j = 0; j < names.size(); j++) {
      double[] live = new double[WINDOW];
      for (int i = 0; i < WINDOW; i++) {
        live[i] = ring[i][j];
      }
      Arrays.sort(live);
      double psi = psi(edges[j], reference[j], live);
      double ks = ks(reference[j], live);
      int n = reference[j].length;
      double critical = 1.628 * Math.sqrt((double) (n + WINDOW) / ((double) n * WINDOW));
      stats.put(names.get(j), new FeatureStats(psi, ks, critical));
      if (psi > PSI_DRIFT && ks > critical) {
        drifted.add(names.get(j));
      }
    }
    return new Report(stats, drifted, seen);
  }

  /** PSI over the bins the edges make: Σ (live − ref) ln(live / ref), shares floored at 1e-4. */
  static double psi(double[] edges, double[] reference, double[] live) {
    double[] ref = shares(edges, reference);
    double[] now = shares(edges, live);
    double psi = 0;
    for (int b = 0; b < ref.length; b++) {
      double r = Math.max(1e-4, ref[b]);
      double l = Math.max(1e-4, now[b]);
      psi += (l - r) * Math.log(l / r);
    }
    return psi;
  }

  private static double[] shares(double[] edges, double[] sorted) {
    double[] out = new double[edges.length + 1];
    int b = 0;
    for (double v : sorted) {
      while (b < edges.length && v > edges[b]) {
        b++;
      }
      out[b] += 1.0 / sorted.length;
    }
    return out;
  }

  /** The two-sample Kolmogorov–Smirnov statistic of two sorted samples. */
  static double ks(double[] a, double[] b) {
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < a.length && j < b.length) {
      double v = Math.min(a[i], b[j]);
      while (i < a.length && a[i] <= v) {
        i++;
      }
      while (j < b.length && b[j] <= v) {
        j++;
      }
      d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
    }
    return d;
  }
}
