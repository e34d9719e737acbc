package eu.mlsysops.agent;

import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ModelId;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * {@link MlConnector} over whatever serves models (the registry's service, or the versions an
 * agent of another process keeps): policies name models by text, failures are counted there.
 */
final class ModelAnswers implements MlConnector {
  /** How the server answers a policy: as {@code MlService.forPolicy}. */
  interface Server {
    Optional<MlService.Explained> forPolicy(ModelId id, Map<String, Double> features,
        boolean explain);
  }

  /** Where outcomes go: as {@code MlService.observe}. */
  interface Outcomes {
    void observe(ModelId id, Map<String, Double> features, double actual);
  }

  private final Server server;
  private final LongSupplier failures;
  private final Outcomes outcomes;

  ModelAnswers(Server server, LongSupplier failures, Outcomes outcomes) {
    this.server = server;
    this.failures = failures;
    this.outcomes = outcomes;
  }

  @Override
  public void observe(String modelId, Map<String, Double> features, double actual) {
    try {
      outcomes.observe(new ModelId(modelId), features, actual);
    } catch (RuntimeException e) {
      // A model that is not there, or features that do not fit: nothing to learn from; a policy
      // is never stopped by a model.
    }
  }

  @Override
  public Optional<Prediction> predict(String modelId, Map<String, Double> features) {
    return ask(modelId, features, false);
  }

  @Override
  public Optional<Prediction> explain(String modelId, Map<String, Double> features) {
    return ask(modelId, features, true);
  }

  @Override
  public long failures() {
    return failures.getAsLong();
  }

  private Optional<Prediction> ask(String modelId, Map<String, Double> features,
      boolean explain) {
    ModelId id;
    try {
      id = new ModelId(modelId);
    } catch (IllegalArgumentException | NullPointerException e) {
      return Optional.empty();
    }
    return server.forPolicy(id, features, explain).map(e -> new Prediction(modelId,
        Integer.toString(e.version()), e.value(), e.contributions()));
  }
}
