package eu.mlsysops.agent;

import java.util.Map;
import java.util.Optional;

/**
 * The ML Connector as policies see it: ask a registered model for a prediction and its
 * explanation. The connector itself (registry, training, serving, explanation) is the {@code
 * mlconnector} module; {@link #of} puts its serving versions here, {@link #none()} answers that no
 * model is registered.
 */
public interface MlConnector {

  /**
   * A prediction from the model's serving version (its {@code attribution} empty), or empty when
   * no such model serves or these features do not fit it. Cheap: microseconds in process.
   */
  Optional<Prediction> predict(String modelId, Map<String, Double> features);

  /**
   * As {@link #predict}, explained: the {@code attribution} holds each feature's contribution,
   * which with the base value adds up to the value (see docs/ml-connector.md). Costs more than a
   * prediction (many predictions for a tree); ask it for the decisions a plan records.
   */
  default Optional<Prediction> explain(String modelId, Map<String, Double> features) {
    return predict(modelId, features);
  }

  /**
   * What actually happened for {@code features}: the true value of the model's target (a class's
   * number for a classifier as its labels number them: the label itself if it is a number). The
   * model's error feeds its drift test, and a lasting rise retrains a model trained from
   * telemetry (docs/ml-connector.md). Never throws; does nothing for a model that is not there,
   * and in agents of other processes (their outcomes do not reach the registry yet).
   */
  default void observe(String modelId, Map<String, Double> features, double actual) {}

  /** Predictions asked here that got no answer (no model, features that do not fit, a failure). */
  default long failures() {
    return 0;
  }

  /** A model's output with the feature attributions that explain it. */
  record Prediction(String modelId, String version, double value, Map<String, Double> attribution) {}

  /**
   * The serving versions of {@code service}'s models. A model that is missing, has no serving
   * version, does not take these features or fails gives an empty answer (counted by the service),
   * never an exception: a model must not stop an agent.
   */
  static MlConnector of(eu.mlsysops.mlconnector.MlService service) {
    java.util.Objects.requireNonNull(service, "service");
    return new ModelAnswers(service::forPolicy, service::failedPredictions,
        (id, features, actual) -> service.observe(id, features, number(actual)));
  }

  /** A number as a label or a value: {@code 3} for 3.0, else as Java writes it. */
  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
        : Double.toString(v);
  }

  /**
   * The serving versions an agent of another process keeps ({@code ModelReplica} fills it from
   * what the continuum sends); answers as {@link #of(eu.mlsysops.mlconnector.MlService)} does.
   */
  static MlConnector of(eu.mlsysops.mlconnector.ServedModels served) {
    java.util.Objects.requireNonNull(served, "served");
    return new ModelAnswers(served::forPolicy, served::failedPredictions, (id, f, actual) -> { });
  }

  /** A connector with no models. */
  static MlConnector none() {
    return (modelId, features) -> Optional.empty();
  }
}
