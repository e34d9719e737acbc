package eu.mlsysops.mlconnector;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Output;
import org.tribuo.OutputFactory;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.slm.ElasticNetCDTrainer;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * Trains a model's version with Tribuo on its data: a fifth of the rows (at least one) is held out
 * and scored, the rest trains. Linear regression is an elastic net fitted by coordinate descent
 * (by default with almost no penalty: least squares); linear classification is logistic regression
 * by SGD on standardised inputs (mean 0, variance 1: part of the model, so predictions take raw
 * values); trees take inputs as they are.
 */
final class Training {
  /** Fewest rows a model is trained on. */
  static final int MIN_ROWS = 10;
  /**
   * Most rows a tree learns from: Tribuo's CART tries every distinct value of a continuous input
   * as a threshold, so its time grows with the square of the rows (80,000 rows of 8 inputs ran for
   * over ten minutes here); above this a seeded sample of the training rows is taken, and the
   * version's {@code rows} says how many.
   */
  static final int MAX_TREE_ROWS = 10_000;

  static {
    // Tribuo reports every epoch at INFO; agents' logs want the outcome, not the epochs.
    Logger.getLogger("org.tribuo").setLevel(Level.WARNING);
  }

  private Training() {}

  /**
   * What training produced.
   *
   * @param model the Tribuo model
   * @param metrics holdout metrics, and {@code rows} (training rows) and {@code holdout_rows}
   * @param baseline each input's mean over the training rows
   */
  record Trained(Model<?> model, Map<String, Double> metrics, Map<String, Double> baseline) {}

  /**
   * Trains {@code spec}'s algorithm on {@code data}.
   *
   * @throws IllegalArgumentException for too few rows, a constant target or a single label
   */
  static Trained train(ModelSpec spec, CsvTable data) {
    return train(spec, data, (phase, done) -> {});
  }

  /**
   * Where a training is: {@code phase} begun, {@code done} of the whole (0 to 1). It may throw to
   * stop the training there (a cancelled job).
   */
  interface Progress {
    void at(String phase, double done);
  }

  /** As {@link #train(ModelSpec, CsvTable)}, saying how far it got. */
  static Trained train(ModelSpec spec, CsvTable data, Progress progress) {
    progress.at("checking the data", 0.1);
    if (data.rows() < MIN_ROWS) {
      throw new IllegalArgumentException("data: " + data.rows() + " rows; at least " + MIN_ROWS
          + " are needed to train and hold some out");
    }
    Set<String> distinct = new HashSet<>(List.of(data.target()));
    if (distinct.size() < 2) {
      throw new IllegalArgumentException("data: the target \"" + spec.target() + "\" is constant ("
          + data.target()[0] + "): there is nothing to learn");
    }
    long seed = Math.round(spec.hyperparameters().getOrDefault("seed", 1.0));
    int[] order = shuffled(data.rows(), seed);
    int holdout = Math.max(1, data.rows() / 5);
    int[] test = java.util.Arrays.copyOfRange(order, 0, holdout);
    int[] train = java.util.Arrays.copyOfRange(order, holdout, order.length);
    if (spec.algorithm() == Algorithm.TREE && train.length > MAX_TREE_ROWS) {
      train = java.util.Arrays.copyOf(train, MAX_TREE_ROWS); // already shuffled: a sample
    }
    CsvTable trainRows = data.subset(train);
    CsvTable testRows = data.subset(test);
    Map<String, Double> baseline = new LinkedHashMap<>();
    double[] means = trainRows.means();
    for (int i = 0; i < means.length; i++) {
      baseline.put(data.inputs().get(i), means[i]);
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    Model<?> model;
    progress.at("training on " + train.length + " rows", 0.2);
    if (spec.kind() == ModelKind.REGRESSION) {
      Model<Regressor> m = trainer(spec, regressionTrainer(spec, seed))
          .train(dataset(trainRows, new RegressionFactory(), spec.target()));
      progress.at("scoring on " + holdout + " held-out rows", 0.8);
      double se = 0;
      double ae = 0;
      double mean = 0;
      for (String t : testRows.target()) {
        mean += Double.parseDouble(t) / testRows.rows();
      }
      double ss = 0;
      for (int i = 0; i < testRows.rows(); i++) {
        double y = Double.parseDouble(testRows.target()[i]);
        double p = m.predict(example(testRows.inputs(), testRows.x()[i], new Regressor(
            spec.target(), Double.NaN))).getOutput().getValues()[0];
        se += (p - y) * (p - y);
        ae += Math.abs(p - y);
        ss += (y - mean) * (y - mean);
      }
      metrics.put("rmse", Math.sqrt(se / testRows.rows()));
      metrics.put("mae", ae / testRows.rows());
      if (ss > 0) { // a constant holdout has no variance to explain
        metrics.put("r2", 1 - se / ss);
      }
      model = m;
    } else {
      Model<Label> m = trainer(spec, classificationTrainer(spec, seed))
          .train(dataset(trainRows, new LabelFactory(), null));
      progress.at("scoring on " + holdout + " held-out rows", 0.8);
      int right = 0;
      for (int i = 0; i < testRows.rows(); i++) {
        String p = m.predict(example(testRows.inputs(), testRows.x()[i],
            LabelFactory.UNKNOWN_LABEL)).getOutput().getLabel();
        if (p.equals(testRows.target()[i])) {
          right++;
        }
      }
      metrics.put("accuracy", (double) right / testRows.rows());
      model = m;
    }
    metrics.put("rows", (double) train.length);
    metrics.put("holdout_rows", (double) holdout);
    return new Trained(model, metrics, baseline);
  }

  private static <T extends Output<T>> Trainer<T> trainer(ModelSpec spec, Trainer<T> inner) {
    if (spec.algorithm() == Algorithm.LINEAR) {
      return new TransformTrainer<>(inner,
          new TransformationMap(List.of(new MeanStdDevTransformation())));
    }
    return inner;
  }

  private static Trainer<Regressor> regressionTrainer(ModelSpec spec, long seed) {
    return switch (spec.algorithm()) {
      // Coordinate descent to convergence (elastic net, nearly no penalty by default): exact
      // least squares whatever the scale of the target, where SGD would need many epochs.
      case LINEAR -> new ElasticNetCDTrainer(param(spec, "alpha", 1e-6),
          Math.min(1, param(spec, "l1_ratio", 0.5)), seed);
      case TREE -> new CARTRegressionTrainer(depth(spec));
    };
  }

  private static Trainer<Label> classificationTrainer(ModelSpec spec, long seed) {
    return switch (spec.algorithm()) {
      case LINEAR -> new org.tribuo.classification.sgd.linear.LinearSGDTrainer(
          new LogMulticlass(), new AdaGrad(param(spec, "learning_rate", 0.1)), epochs(spec),
          seed);
      case TREE -> new CARTClassificationTrainer(depth(spec));
    };
  }

  private static double param(ModelSpec spec, String name, double fallback) {
    double v = spec.hyperparameters().getOrDefault(name, fallback);
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException("hyperparameter: " + name + " must be a positive number,"
          + " got " + v);
    }
    return v;
  }

  private static int epochs(ModelSpec spec) {
    double e = param(spec, "epochs", 50);
    if (e > 10_000) {
      throw new IllegalArgumentException("hyperparameter: epochs " + e + " is over the limit of"
          + " 10000");
    }
    return (int) Math.round(e);
  }

  private static int depth(ModelSpec spec) {
    double d = param(spec, "max_depth", 6);
    if (d > 64) {
      throw new IllegalArgumentException("hyperparameter: max_depth " + d + " is over the limit"
          + " of 64");
    }
    return (int) Math.round(d);
  }

  private static <T extends Output<T>> MutableDataset<T> dataset(CsvTable rows,
      OutputFactory<T> factory, String target) {
    MutableDataset<T> ds = new MutableDataset<>(
        new SimpleDataSourceProvenance("mlsysops training data", factory), factory);
    for (int i = 0; i < rows.rows(); i++) {
      T out = factory instanceof RegressionFactory
          ? factory.generateOutput(target + "=" + rows.target()[i])
          : factory.generateOutput(rows.target()[i]);
      ds.add(example(rows.inputs(), rows.x()[i], out));
    }
    return ds;
  }

  static <T extends Output<T>> ArrayExample<T> example(List<String> names, double[] x, T out) {
    return new ArrayExample<>(out, names.toArray(String[]::new), x.clone());
  }

  private static int[] shuffled(int n, long seed) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Random r = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    return idx;
  }

  static List<String> labels(Model<?> model) {
    List<String> out = new ArrayList<>();
    model.getOutputIDInfo().getDomain().forEach(o -> out.add(o.toString()));
    return out;
  }
}
