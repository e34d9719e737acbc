package eu.mlsysops.agent.engine;

import eu.mlsysops.agent.MlConnector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The models one analysis asked, as it asked them: a policy's {@code view.ml()} records every
 * answered prediction, and a plan that comes out of the analysis carries them in its inputs
 * (model, version, features, output and, when explained, the contributions), so {@code mls plans}
 * and the decision log show what the models said for every ML decision. One per analysis; used
 * on the analysis's thread only.
 */
final class ModelCalls implements MlConnector {
  /** Predictions recorded per analysis at most (a policy asking in a loop records the first). */
  static final int MAX = 8;
  /** Features and contributions shown per prediction at most. */
  static final int MAX_FEATURES = 32;

  private final MlConnector models;
  private final List<Call> calls = new ArrayList<>();

  private record Call(Map<String, Double> features, Prediction answer) {}

  ModelCalls(MlConnector models) {
    this.models = models;
  }

  @Override
  public Optional<Prediction> predict(String modelId, Map<String, Double> features) {
    return record(features, models.predict(modelId, features));
  }

  @Override
  public Optional<Prediction> explain(String modelId, Map<String, Double> features) {
    return record(features, models.explain(modelId, features));
  }

  @Override
  public void observe(String modelId, Map<String, Double> features, double actual) {
    models.observe(modelId, features, actual);
  }

  @Override
  public long failures() {
    return models.failures();
  }

  private Optional<Prediction> record(Map<String, Double> features, Optional<Prediction> p) {
    if (p.isPresent() && calls.size() < MAX) {
      calls.add(new Call(Map.copyOf(features), p.get()));
    }
    return p;
  }

  /**
   * Adds the recorded predictions to a plan's inputs: {@code ml.<model>} = {@code v<version> →
   * <value>}, {@code ml.<model>.features}, and {@code ml.<model>.contributions} when explained;
   * inputs the policy set itself are kept. A model asked twice keeps its first answer's entries
   * (the later ones are numbered: {@code ml.<model>#2}).
   */
  void addTo(Map<String, String> inputs) {
    for (Call c : calls) {
      String key = "ml." + c.answer().modelId();
      for (int n = 2; inputs.containsKey(key); n++) {
        key = "ml." + c.answer().modelId() + "#" + n;
      }
      inputs.put(key, "v" + c.answer().version() + " → " + number(c.answer().value()));
      inputs.putIfAbsent(key + ".features", pairs(c.features(), false));
      if (!c.answer().attribution().isEmpty()) {
        inputs.putIfAbsent(key + ".contributions", pairs(c.answer().attribution(), true));
      }
    }
  }

  private static String pairs(Map<String, Double> values, boolean signed) {
    return values.entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(MAX_FEATURES)
        .map(e -> e.getKey() + "=" + (signed && e.getValue() >= 0 ? "+" : "")
            + number(e.getValue()))
        .collect(Collectors.joining(", "))
        + (values.size() > MAX_FEATURES ? ", … (" + values.size() + " in all)" : "");
  }

  private static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros()
        .toPlainString();
  }
}
