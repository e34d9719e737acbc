package eu.mlsysops.mlconnector;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A model trained elsewhere and run with ONNX Runtime. Its inputs are matched to the model's
 * features in one of two ways: one float tensor of shape {@code [N, F]} takes the features in the
 * model's order; or one input per feature (shape {@code [N, 1]} or {@code [N]}) is matched by
 * name. A regression's first output is the prediction (shape {@code [N, 1]} or {@code [N]}, float
 * or double). A classifier's class probabilities are its output named {@code probabilities}, else
 * its first float or double output of shape {@code [N, C]} (as skl2onnx and the other converters
 * write them; a {@code label} output is not needed: the most probable class is the label); its
 * class names are the comma-separated {@code labels} of its metadata, else {@code 0 … C-1}.
 * Sessions run concurrently (ONNX Runtime's sessions are thread-safe).
 */
final class OnnxModel {
  private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  private final byte[] bytes;
  private final OrtSession session;
  /** The single [N, F] input's name, or null when inputs are matched by name. */
  private final String matrixInput;
  private final List<String> inputs;
  /** A classifier's probabilities output, or null for a regression. */
  private final String probabilities;
  /** A classifier's class names from its metadata, or null: {@code 0 … C-1}. */
  private final List<String> labels;

  private OnnxModel(byte[] bytes, OrtSession session, String matrixInput, List<String> inputs,
      String probabilities, List<String> labels) {
    this.bytes = bytes;
    this.session = session;
    this.matrixInput = matrixInput;
    this.inputs = inputs;
    this.probabilities = probabilities;
    this.labels = labels;
  }

  /**
   * Loads an ONNX model for {@code spec}.
   *
   * @throws IllegalArgumentException when the bytes are no ONNX model, or its inputs fit neither
   *     way, naming them
   */
  static OnnxModel of(ModelSpec spec, byte[] bytes) {
    OrtSession session;
    try {
      ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length);
      buf.put(bytes).flip();
      session = ENV.createSession(buf, new OrtSession.SessionOptions());
    } catch (OrtException | RuntimeException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
    try {
      String probs = null;
      List<String> labels = null;
      if (spec.kind() == ModelKind.CLASSIFICATION) {
        probs = probabilitiesOutput(session.getOutputInfo());
        String names = session.getMetadata().getCustomMetadata().get("labels");
        if (names != null && !names.isBlank()) {
          labels = List.of(names.split(","));
        }
      }
      Map<String, NodeInfo> info = session.getInputInfo();
      List<String> inputs = spec.inputs();
      if (info.size() == 1) {
        Map.Entry<String, NodeInfo> only = info.entrySet().iterator().next();
        long[] shape = shape(only.getValue());
        if (shape != null && shape.length == 2 && (shape[1] == inputs.size() || shape[1] < 0)
            && !(inputs.size() == 1 && only.getKey().equals(inputs.get(0)) && shape[1] == 1)) {
          return new OnnxModel(bytes, session, only.getKey(), inputs, probs, labels);
        }
      }
      if (new TreeSet<>(info.keySet()).equals(new TreeSet<>(inputs))) {
        for (Map.Entry<String, NodeInfo> e : info.entrySet()) {
          long[] shape = shape(e.getValue());
          if (shape == null || shape.length > 2 || shape.length == 2 && shape[1] > 1) {
            throw new IllegalArgumentException("file: the ONNX input \"" + e.getKey()
                + "\" is not one value per row (shape " + java.util.Arrays.toString(shape) + ")");
          }
        }
        return new OnnxModel(bytes, session, null, inputs, probs, labels);
      }
      throw new IllegalArgumentException("file: the ONNX model's inputs " + describe(info)
          + " match neither one [N, " + inputs.size() + "] float tensor nor the features "
          + inputs + " by name");
    } catch (OrtException e) {
      close(session);
      throw new IllegalArgumentException("file: cannot read the ONNX model's inputs: "
          + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      close(session);
      throw e;
    }
  }

  /** A classifier's class-probabilities output: named so, else the first [N, C] number tensor. */
  private static String probabilitiesOutput(Map<String, NodeInfo> outputs) {
    NodeInfo named = outputs.get("probabilities");
    if (named != null && matrix(named)) {
      return "probabilities";
    }
    for (Map.Entry<String, NodeInfo> e : outputs.entrySet()) {
      if (matrix(e.getValue())) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("file: the ONNX classifier has no output of class"
        + " probabilities (a float tensor [N, C], C > 1; its outputs: " + describe(outputs) + ")");
  }

  /** A float or double [N, C] tensor of at least two classes (or of a number not yet known). */
  private static boolean matrix(NodeInfo n) {
    return n.getInfo() instanceof TensorInfo t && t.getShape().length == 2
        && t.getShape()[1] != 1 && t.getShape()[1] != 0
        && (t.type == ai.onnxruntime.OnnxJavaType.FLOAT
            || t.type == ai.onnxruntime.OnnxJavaType.DOUBLE);
  }

  private static long[] shape(NodeInfo n) {
    return n.getInfo() instanceof TensorInfo t ? t.getShape() : null;
  }

  private static String describe(Map<String, NodeInfo> info) {
    List<String> out = new ArrayList<>();
    info.forEach((k, v) -> out.add(k + java.util.Arrays.toString(shape(v))));
    return out.toString();
  }

  private static void close(OrtSession s) {
    try {
      s.close();
    } catch (OrtException e) {
      // Refusing it anyway.
    }
  }

  byte[] bytes() {
    return bytes.clone();
  }

  /** Frees the native session. */
  void close() {
    close(session);
  }

  /** Whether it is a classifier (its {@link #classProbabilities}) rather than a regression. */
  boolean classifier() {
    return probabilities != null;
  }

  /**
   * A classifier's probability of each class for one row, by class name in the model's order.
   *
   * @throws IllegalStateException when ONNX Runtime fails, or the output or the metadata's labels
   *     do not fit
   */
  Map<String, Double> classProbabilities(double[] x) {
    try (OrtSession.Result r = run(x)) {
      OnnxValue v = r.get(probabilities).orElseThrow();
      Object o = v.getValue();
      double[] row;
      if (o instanceof float[][] f && f.length > 0) {
        row = new double[f[0].length];
        for (int i = 0; i < row.length; i++) {
          row[i] = f[0][i];
        }
      } else if (o instanceof double[][] d && d.length > 0) {
        row = d[0].clone();
      } else {
        throw new IllegalStateException("the ONNX classifier's \"" + probabilities + "\" output"
            + " is not a float or double tensor [N, C]");
      }
      if (labels != null && labels.size() != row.length) {
        throw new IllegalStateException("the ONNX classifier gives " + row.length + " classes"
            + " but its metadata names " + labels.size() + " labels");
      }
      Map<String, Double> out = new java.util.LinkedHashMap<>();
      for (int i = 0; i < row.length; i++) {
        out.put(labels != null ? labels.get(i) : Integer.toString(i), row[i]);
      }
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
    }
  }

  /**
   * The prediction for one row.
   *
   * @throws IllegalStateException when ONNX Runtime fails or the output is not a number
   */
  double predict(double[] x) {
    try (OrtSession.Result r = run(x)) {
      return first(r.get(0));
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime: " + e.getMessage(), e);
    }
  }

  /** Runs the model on one row (the caller closes the result). */
  private OrtSession.Result run(double[] x) throws OrtException {
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      if (matrixInput != null) {
        float[][] row = new float[1][x.length];
        for (int i = 0; i < x.length; i++) {
          row[0][i] = (float) x[i];
        }
        feed.put(matrixInput, OnnxTensor.createTensor(ENV, row));
      } else {
        for (int i = 0; i < x.length; i++) {
          feed.put(inputs.get(i), OnnxTensor.createTensor(ENV, new float[][] {{(float) x[i]}}));
        }
      }
      return session.run(feed);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private static double first(OnnxValue v) throws OrtException {
    Object o = v.getValue();
    if (o instanceof float[][] f && f.length > 0 && f[0].length > 0) {
      return f[0][0];
    }
    if (o instanceof float[] f && f.length > 0) {
      return f[0];
    }
    if (o instanceof double[][] d && d.length > 0 && d[0].length > 0) {
      return d[0][0];
    }
    if (o instanceof double[] d && d.length > 0) {
      return d[0];
    }
    throw new IllegalStateException("the ONNX model's first output is not a float or double"
        + " tensor of one value per row");
  }
}
