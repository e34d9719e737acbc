package eu.mlsysops.agent;

import java.io.IOException;
import java.util.Optional;

/**
 * Management logic, separated from resource control: a policy looks at a {@link PolicyView} and
 * returns a {@link Plan}; it never acts on the world itself. Only the plan scheduler and {@link
 * Mechanism}s do.
 *
 * <p>Same life cycle as the reference's {@code policy-*.py} files: {@code initialize} once, then
 * {@code analyze} periodically and whenever a subscribed metric gets a new sample, and {@code plan}
 * with what analyze found when it found something. As in the reference, where {@code analyze}
 * returns its context for {@code plan}, the analysis is handed over explicitly: {@code A} is the
 * policy's own type for it, so nothing is stashed in fields between the two calls. Fields hold
 * only what outlives one decision (cooldowns, a learned model) — the reference's {@code context}.
 *
 * <p>Learning is a step of its own: {@link #learn} runs before each analysis, and the engine saves
 * a model {@code learn} changed through {@link #saveModel}, so {@code analyze} stays a reading of
 * the view. An instance is never called concurrently with itself. A policy with {@link
 * PolicyContext.Scope#APPLICATION} scope gets one instance per app.
 *
 * @param <A> what {@code analyze} hands to {@code plan}
 */
public interface Policy<A> {

  /** What the policy needs: metrics, interval, scope, whether it is a core policy. */
  PolicyContext initialize();

  /**
   * What needs changing, or empty when nothing does (then {@link #plan} is not called). Must be
   * cheap: it runs on every wake-up. Should not train or save models: that is {@link #learn}'s.
   */
  Optional<A> analyze(PolicyView view);

  /**
   * The commands that carry out {@code analysis}; {@link Plan#empty()} when, after all, nothing
   * needs to change. Runs right after the {@code analyze} that returned {@code analysis}, with the
   * same view.
   */
  Plan plan(PolicyView view, A analysis);

  /**
   * Updates a learned model from what happened since the last call (the reward of the previous
   * decision, new samples). Runs before each analysis with the same view. Returns whether the
   * model changed, so that the engine saves it ({@link #saveModel}). Default: nothing to learn.
   */
  default boolean learn(PolicyView view) {
    return false;
  }

  /**
   * Persists the model after a {@link #learn} that changed it. A failure is counted and shown as
   * the policy's error; the policy keeps running on the model in memory. Default: nothing kept.
   */
  default void saveModel() throws IOException {}
}
