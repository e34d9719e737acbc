package eu.mlsysops.mlconnector;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model as registered: what it predicts from what, how it is trained and judged, and whose it
 * is. The reference ML Connector's {@code /model/add} body maps onto it; fields of that body this
 * framework does not act on (resources, inference endpoints, drift settings) are kept as
 * submitted in {@code extra}.
 *
 * @param id the model's id
 * @param name a name for people
 * @param kind what it predicts
 * @param algorithm how it is trained here
 * @param features its inputs, in the order a model file takes them, and exactly one target
 * @param hyperparameters training parameters by name (epochs, learning_rate, max_depth, seed)
 * @param metric what decides whether a version is better: {@code rmse} or {@code mae}
 *     (regression, lower is better), {@code accuracy} (classification, higher is better)
 * @param tags free labels to search by
 * @param owner the token name that registered it
 * @param app the app it belongs to (developers manage their own apps' models), or null for a
 *     framework model (admins only)
 * @param createdMillis when it was registered
 * @param extra the rest of the reference body, as submitted
 */
public record ModelSpec(
    ModelId id, String name, ModelKind kind, Algorithm algorithm, List<Feature> features,
    Map<String, Double> hyperparameters, String metric, List<String> tags, String owner,
    String app, long createdMillis, Map<String, Object> extra) {
  /** Most input features a model may have. */
  public static final int MAX_FEATURES = 256;

  public ModelSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(algorithm, "algorithm");
    features = List.copyOf(features);
    hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
    tags = List.copyOf(tags);
    extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    if (metric == null) {
      metric = kind == ModelKind.REGRESSION ? "rmse" : "accuracy";
    }
    Set<String> allowed = kind == ModelKind.REGRESSION ? Set.of("rmse", "mae")
        : Set.of("accuracy");
    if (!allowed.contains(metric)) {
      throw new IllegalArgumentException("modelperformance: \"" + metric + "\" is not a metric of "
          + kind.wireName() + " models " + allowed);
    }
    Set<String> names = new HashSet<>();
    int targets = 0;
    for (Feature f : features) {
      if (!names.add(f.name())) {
        throw new IllegalArgumentException("featurelist: \"" + f.name() + "\" appears twice");
      }
      if (f.kind() == Feature.Kind.TARGET) {
        targets++;
      } else if (f.type() == Feature.Type.CAT) {
        throw new IllegalArgumentException("featurelist: \"" + f.name() + "\" is categorical;"
            + " inputs must be continuous (numbers) here");
      }
    }
    if (targets != 1) {
      throw new IllegalArgumentException("featurelist: needs exactly one target (kind 1), has "
          + targets);
    }
    if (names.size() - 1 == 0) {
      throw new IllegalArgumentException("featurelist: needs at least one input (kind 0)");
    }
    if (names.size() - 1 > MAX_FEATURES) {
      throw new IllegalArgumentException("featurelist: " + (names.size() - 1) + " inputs, more"
          + " than the limit of " + MAX_FEATURES);
    }
  }

  /** The input features' names, in order. */
  public List<String> inputs() {
    List<String> out = new ArrayList<>();
    for (Feature f : features) {
      if (f.kind() == Feature.Kind.INPUT) {
        out.add(f.name());
      }
    }
    return out;
  }

  /** The target's name. */
  public String target() {
    for (Feature f : features) {
      if (f.kind() == Feature.Kind.TARGET) {
        return f.name();
      }
    }
    throw new IllegalStateException("no target"); // the constructor ensures one
  }

  /** Whether a version scoring {@code a} on {@link #metric} beats one scoring {@code b}. */
  public boolean better(double a, double b) {
    return metric.equals("accuracy") ? a > b : a < b;
  }

  /** This spec with other tags, name and hyperparameters (a PATCH). */
  public ModelSpec with(String newName, List<String> newTags, Map<String, Double> newParams) {
    return new ModelSpec(id, newName == null ? name : newName, kind, algorithm, features,
        newParams == null ? hyperparameters : newParams, metric,
        newTags == null ? tags : newTags, owner, app, createdMillis, extra);
  }
}
