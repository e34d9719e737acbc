package eu.mlsysops.ml.online;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Online logistic regression: {@code P(y = 1 | x) = σ(b + Σ wᵢ xᵢ)}, trained one observation at
 * a time by stochastic gradient descent with L2 regularisation, for a policy that learns from
 * what it observes (e.g. "did this instance meet its QoS target on a node like this?").
 *
 * <p>Explanations are feature attributions: the contribution of feature i to the logit is {@code
 * wᵢ xᵢ}, and between two inputs {@code wᵢ (aᵢ − bᵢ)} ({@link #compare}), so "why node A over node
 * B" is a sorted list of named terms.
 *
 * <p>Thread-safe (synchronised): one model may serve several policy instances.
 */
public final class OnlineLogisticModel {
  private final List<String> features;
  private final double learningRate;
  private final double l2;
  private final double[] w;
  private double bias;
  private long updates;

  /**
   * A model over the named features, all weights 0 (every prediction 0.5 until it learns).
   *
   * @param features the name of each feature, in input order
   * @param learningRate the SGD step, in (0, 1]
   * @param l2 the L2 penalty per step, ≥ 0
   */
  public OnlineLogisticModel(List<String> features, double learningRate, double l2) {
    this.features = List.copyOf(features);
    if (this.features.isEmpty()) {
      throw new IllegalArgumentException("features: at least one is needed");
    }
    if (!(learningRate > 0 && learningRate <= 1)) {
      throw new IllegalArgumentException("learningRate must be within (0, 1]: " + learningRate);
    }
    if (!(l2 >= 0)) {
      throw new IllegalArgumentException("l2 must be ≥ 0: " + l2);
    }
    this.learningRate = learningRate;
    this.l2 = l2;
    this.w = new double[this.features.size()];
  }

  /** The feature names, in input order. */
  public List<String> features() {
    return features;
  }

  /** P(y = 1 | x). */
  public synchronized double predict(double[] x) {
    return sigmoid(logit(check(x)));
  }

  /**
   * Learns from one observation. Inputs with a non-finite value are ignored.
   *
   * @param x the features
   * @param y the outcome, 0..1 (1: the good outcome happened)
   */
  public synchronized void update(double[] x, double y) {
    check(x);
    for (double v : x) {
      if (!Double.isFinite(v)) {
        return;
      }
    }
    if (!(y >= 0 && y <= 1)) {
      throw new IllegalArgumentException("y must be within 0..1: " + y);
    }
    double err = sigmoid(logit(x)) - y;
    for (int i = 0; i < w.length; i++) {
      w[i] -= learningRate * (err * x[i] + l2 * w[i]);
    }
    bias -= learningRate * err;
    updates++;
  }

  /** How many observations it learned from. */
  public synchronized long updates() {
    return updates;
  }

  /** A copy of the weights, in feature order. */
  public synchronized double[] weights() {
    return w.clone();
  }

  /**
   * Writes the model to {@code file} atomically: {@code logistic <updates> <bias>}, then one line
   * per feature {@code <name> <weight>}.
   */
  public synchronized void save(Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("logistic ").append(updates).append(' ').append(bias).append('\n');
    for (int i = 0; i < w.length; i++) {
      sb.append(features.get(i)).append(' ').append(w[i]).append('\n');
    }
    eu.mlsysops.ml.ModelFiles.writeAtomically(file, sb);
  }

  /**
   * Reads a model written by {@link #save} into this one.
   *
   * @throws IllegalArgumentException when malformed or over other features, naming the line
   */
  public synchronized void load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.size() != w.length + 1) {
      throw new IllegalArgumentException(file + ": expected " + (w.length + 1) + " lines, got "
          + lines.size());
    }
    String[] head = lines.get(0).trim().split(" ");
    double[] nw = new double[w.length];
    long n;
    double b;
    try {
      if (head.length != 3 || !head[0].equals("logistic")) {
        throw new NumberFormatException();
      }
      n = Long.parseLong(head[1]);
      b = Double.parseDouble(head[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": line 1: expected \"logistic <updates> <bias>\","
          + " got \"" + lines.get(0) + "\"");
    }
    for (int i = 0; i < w.length; i++) {
      String[] cells = lines.get(i + 1).trim().split(" ");
      if (cells.length != 2 || !cells[0].equals(features.get(i))) {
        throw new IllegalArgumentException(file + ": line " + (i + 2) + ": expected \""
            + features.get(i) + " <weight>\", got \"" + lines.get(i + 1) + "\"");
      }
      try {
        nw[i] = Double.parseDouble(cells[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + ": line " + (i + 2) + ": not a number: "
            + cells[1]);
      }
    }
    System.arraycopy(nw, 0, w, 0, w.length);
    bias = b;
    updates = n;
  }

  /** One feature's contribution to the difference of two logits. */
  public record Attribution(String feature, double contribution, double a, double b) {}

  /**
   * Why {@code a} scores differently from {@code b}: {@code wᵢ (aᵢ − bᵢ)} per feature, largest
   * magnitude first.
   */
  public synchronized List<Attribution> compare(double[] a, double[] b) {
    check(a);
    check(b);
    List<Attribution> out = new ArrayList<>();
    for (int i = 0; i < w.length; i++) {
      out.add(new Attribution(features.get(i), w[i] * (a[i] - b[i]), a[i], b[i]));
    }
    out.sort(Comparator.comparingDouble((Attribution t) -> -Math.abs(t.contribution())));
    return out;
  }

  /** E.g. {@code node_utilization +1.23 (0.10 vs 0.85), …}: the top {@code n} attributions. */
  public static String describe(List<Attribution> attributions, int n) {
    List<String> parts = new ArrayList<>();
    for (Attribution t : attributions.subList(0, Math.min(n, attributions.size()))) {
      parts.add(String.format(Locale.ROOT, "%s %+.2f (%.2f vs %.2f)", t.feature(),
          t.contribution(), t.a(), t.b()));
    }
    return String.join(", ", parts);
  }

  private double logit(double[] x) {
    double z = bias;
    for (int i = 0; i < w.length; i++) {
      z += w[i] * x[i];
    }
    return z;
  }

  private double[] check(double[] x) {
    Objects.requireNonNull(x, "x");
    if (x.length != w.length) {
      throw new IllegalArgumentException("expected " + w.length + " features " + features
          + ", got " + x.length);
    }
    return x;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
