package eu.mlsysops.agent;

import java.util.Map;
import java.util.Optional;

/**
 * The ML Connector as policies see it: ask a registered model for a prediction and its
 * explanation. The full connector (registry, training, drift, federated learning) is its own
 * module; until one is plugged in, {@link #none()} answers that no model is registered.
 */
public interface MlConnector {

  /** A prediction from the model, or empty when no such model is registered. */
  Optional<Prediction> predict(String modelId, Map<String, Double> features);

  /** A model's output with the feature attributions that explain it. */
  record Prediction(String modelId, String version, double value, Map<String, Double> attribution) {}

  /** A connector with no models. */
  static MlConnector none() {
    return (modelId, features) -> Optional.empty();
  }
}
