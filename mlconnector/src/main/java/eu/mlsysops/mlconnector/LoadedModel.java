package eu.mlsysops.mlconnector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.regression.Regressor;

/**
 * One version of a model, ready to predict: its inputs are checked by name (none missing, none
 * extra, all finite numbers) and taken in the model's order. A Tribuo model (trained here, or its
 * serialised {@code ModelProto} uploaded) or an ONNX model (uploaded; see {@link OnnxModel}).
 * Immutable and thread-safe (both predict concurrently).
 */
public final class LoadedModel implements AutoCloseable {
  private final ModelSpec spec;
  private final ModelVersion version;
  /** The Tribuo model, or null for an ONNX one. */
  private final Model<?> model;
  /** The ONNX model, or null for a Tribuo one. */
  private final OnnxModel onnx;
  private final List<String> inputs;
  private final double[] baseline;

  LoadedModel(ModelSpec spec, ModelVersion version, Model<?> model) {
    this(spec, version, Objects.requireNonNull(model), null);
  }

  private LoadedModel(ModelSpec spec, ModelVersion version, Model<?> model, OnnxModel onnx) {
    this.spec = Objects.requireNonNull(spec);
    this.version = Objects.requireNonNull(version);
    this.model = model;
    this.onnx = onnx;
    this.inputs = spec.inputs();
    this.baseline = new double[inputs.size()];
    for (int i = 0; i < baseline.length; i++) {
      baseline[i] = version.baseline().getOrDefault(inputs.get(i), 0.0);
    }
  }

  /**
   * A version from its file: a serialised Tribuo model ({@code ModelProto} bytes) or an ONNX
   * model.
   *
   * @throws IllegalArgumentException when the bytes are neither, or not a model of the spec's
   *     kind and inputs
   */
  static LoadedModel of(ModelSpec spec, ModelVersion version, byte[] bytes) {
    String tribuo;
    try {
      return new LoadedModel(spec, version, Model.deserialize(ModelProto.parseFrom(bytes)), null);
    } catch (Exception | LinkageError e) {
      tribuo = e.getMessage();
    }
    OnnxModel m;
    try {
      m = OnnxModel.of(spec, bytes);
    } catch (IllegalArgumentException e) {
      if (e.getMessage().startsWith("file: ")) {
        throw e; // an ONNX model that does not fit: say why
      }
      throw new IllegalArgumentException("file: not a Tribuo model (" + tribuo + ") nor an ONNX"
          + " model (" + e.getMessage() + ")", e);
    }
    return new LoadedModel(spec, version, null, m);
  }

  /** The serialised form {@link #of} reads. */
  byte[] bytes() {
    return onnx != null ? onnx.bytes() : model.serialize().toByteArray();
  }

  public ModelSpec spec() {
    return spec;
  }

  public ModelVersion version() {
    return version;
  }

  /** The inputs' names, in order. */
  public List<String> inputs() {
    return inputs;
  }

  /** Each input's value at the baseline explanations start from, in order. */
  double[] baseline() {
    return baseline.clone();
  }

  /**
   * What the model predicts.
   *
   * @param value the predicted number (regression), or for a classifier the predicted label's
   *     number if it is one, else its index among the labels
   * @param label the predicted label (classification), or null
   * @param probabilities each label's probability (classification), or empty
   */
  public record Output(double value, String label, Map<String, Double> probabilities) {
    public Output {
      probabilities = ordered(probabilities);
    }
  }

  /** An unmodifiable copy that keeps the order (labels as the model lists them). */
  private static <V> Map<String, V> ordered(Map<String, V> m) {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /**
   * The features as the model's input vector.
   *
   * @throws IllegalArgumentException naming the feature that is missing, extra or not finite
   */
  public double[] vector(Map<String, ?> features) {
    double[] x = new double[inputs.size()];
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < x.length; i++) {
      String name = inputs.get(i);
      Object v = features.get(name);
      if (v == null) {
        throw new IllegalArgumentException("features: \"" + name + "\" is missing (inputs of "
            + "model " + spec.name() + ": " + inputs + ")");
      }
      double d;
      if (v instanceof Number n) {
        d = n.doubleValue();
      } else {
        try {
          d = Double.parseDouble(String.valueOf(v).trim()); // "0.5" as JSON text is still 0.5
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("features: \"" + name + "\" is not a number: \""
              + v + "\"");
        }
      }
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("features: \"" + name + "\" is not a finite number");
      }
      x[i] = d;
      seen.add(name);
    }
    for (String k : features.keySet()) {
      if (!seen.contains(k)) {
        throw new IllegalArgumentException("features: \"" + k + "\" is not an input of model "
            + spec.name() + " (" + inputs + ")");
      }
    }
    return x;
  }

  /** Predicts from named features (see {@link #vector}). */
  public Output predict(Map<String, ?> features) {
    return predict(vector(features));
  }

  /** Predicts from the input vector, in {@link #inputs} order. */
  @SuppressWarnings("unchecked")
  public Output predict(double[] x) {
    if (onnx != null && onnx.classifier()) {
      Map<String, Double> probs = onnx.classProbabilities(x);
      String label = null;
      for (Map.Entry<String, Double> e : probs.entrySet()) {
        if (label == null || e.getValue() > probs.get(label)) {
          label = e.getKey();
        }
      }
      return new Output(labelNumber(label, probs.keySet()), label, probs);
    }
    if (onnx != null) {
      return new Output(onnx.predict(x), null, Map.of());
    }
    if (spec.kind() == ModelKind.REGRESSION) {
      Prediction<Regressor> p = ((Model<Regressor>) model).predict(
          Training.example(inputs, x, new Regressor(spec.target(), Double.NaN)));
      return new Output(p.getOutput().getValues()[0], null, Map.of());
    }
    Prediction<Label> p = ((Model<Label>) model).predict(
        Training.example(inputs, x, LabelFactory.UNKNOWN_LABEL));
    Map<String, Double> probs = new LinkedHashMap<>();
    if (model.generatesProbabilities()) {
      p.getOutputScores().forEach((k, v) -> probs.put(k, v.getScore()));
    }
    String label = p.getOutput().getLabel();
    return new Output(labelNumber(label, Training.labels(model)), label, probs);
  }

  /** A label's number: the label itself if it is one, else its index among the sorted labels. */
  private static double labelNumber(String label, java.util.Collection<String> labels) {
    try {
      return Double.parseDouble(label);
    } catch (NumberFormatException e) {
      return new ArrayList<>(new java.util.TreeSet<>(labels)).indexOf(label);
    }
  }

  /**
   * The number explanations explain at {@code x}: the prediction (regression), or the
   * probability of {@code label} (classification; its score when the model has no
   * probabilities).
   */
  @SuppressWarnings("unchecked")
  double score(double[] x, String label) {
    if (spec.kind() == ModelKind.REGRESSION) {
      return predict(x).value();
    }
    if (onnx != null) {
      Double p = onnx.classProbabilities(x).get(label);
      return p == null ? 0 : p;
    }
    Prediction<Label> p = ((Model<Label>) model).predict(
        Training.example(inputs, x, LabelFactory.UNKNOWN_LABEL));
    Label l = p.getOutputScores().get(label);
    return l == null ? 0 : l.getScore();
  }

  /**
   * Why this model does not fit its spec, or null when it does: a Tribuo model must predict the
   * spec's kind from exactly the spec's inputs (ONNX models are checked when loaded).
   */
  String mismatch() {
    if (model == null) {
      return null;
    }
    Object info = model.getOutputIDInfo();
    boolean regression = info instanceof org.tribuo.regression.ImmutableRegressionInfo;
    if (regression != (spec.kind() == ModelKind.REGRESSION)) {
      return "the Tribuo model predicts a " + (regression ? "regression" : "classification")
          + ", model " + spec.name() + " a " + spec.kind().wireName();
    }
    java.util.Set<String> theirs = new java.util.TreeSet<>();
    model.getFeatureIDMap().forEach(f -> theirs.add(f.getName()));
    java.util.Set<String> ours = new java.util.TreeSet<>(inputs);
    if (!theirs.equals(ours)) {
      return "the Tribuo model's inputs " + theirs + " are not the inputs of model " + spec.name()
          + " " + ours;
    }
    return null;
  }

  /**
   * Frees an ONNX model's native session. Called when the version is no longer used: after upload
   * checks, a minute after it stops serving, and when the service closes.
   */
  @Override
  public void close() {
    if (onnx != null) {
      onnx.close();
    }
  }

  /** Whether the model's output is linear in its inputs (explained exactly in one pass). */
  boolean linear() {
    // An ONNX file may compute anything whatever the spec says: it is explained exactly over its
    // inputs' subsets (or sampled), never as linear.
    return model != null && spec.kind() == ModelKind.REGRESSION
        && spec.algorithm() == Algorithm.LINEAR;
  }
}
