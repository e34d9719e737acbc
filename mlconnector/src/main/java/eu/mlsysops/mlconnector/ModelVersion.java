package eu.mlsysops.mlconnector;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One trained version of a model.
 *
 * @param model the model
 * @param version its number, from 1
 * @param stage where it stands
 * @param metrics holdout metrics ({@code rmse}, {@code mae}, {@code r2}; {@code accuracy}), and
 *     {@code rows} trained on
 * @param baseline each input's mean over the training data: the point explanations start from
 * @param artifact SHA-256 of the serialised model
 * @param parent the version it was trained to replace (lineage), or 0
 * @param data SHA-256 of the data it was trained on, or null
 * @param createdMillis when it was made
 */
public record ModelVersion(
    ModelId model, int version, Stage stage, Map<String, Double> metrics,
    Map<String, Double> baseline, String artifact, int parent, String data, long createdMillis) {
  public ModelVersion {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(artifact, "artifact");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    baseline = Collections.unmodifiableMap(new LinkedHashMap<>(baseline));
  }

  /** The same version at another stage. */
  public ModelVersion at(Stage s) {
    return new ModelVersion(model, version, s, metrics, baseline, artifact, parent, data,
        createdMillis);
  }
}
