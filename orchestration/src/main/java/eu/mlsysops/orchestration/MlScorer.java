package eu.mlsysops.orchestration;

/**
 * The hook for a learned scorer: a model's prediction of how good a node is for a component (e.g.
 * expected QoS satisfaction, or 1 − predicted latency normalised), from 0 (worst) to 1 (best). The
 * {@link Placer} treats it like any other {@link Scorer} with a weight; add it with {@link
 * Placer.Builder#mlScorer(MlScorer, double)} or {@link Placer.Builder#scorer(Scorer, double)}.
 *
 * <pre>{@code
 * Placer placer = Placer.builder()
 *     .mlScorer((component, node) -> model.predict(features(component, node)), 0.5)
 *     .build();
 * }</pre>
 *
 * <p>Called once for each node that passed every filter, so it should be cheap (a cached or batched
 * model); NaN, values outside 0..1 and thrown exceptions are treated as described in {@link
 * Scorer#score}.
 */
@FunctionalInterface
public interface MlScorer extends Scorer {

  /** {@code ml}, unless overridden. */
  @Override
  default String name() {
    return "ml";
  }
}
