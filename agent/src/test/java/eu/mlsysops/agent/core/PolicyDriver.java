package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Runs a policy one turn at a time as {@code PolicyEngine} does (learn, save what was learned,
 * analyze, plan with the analysis), keeping the last plan for assertions.
 */
final class PolicyDriver<A> {
  private final Policy<A> policy;
  private Plan last = Plan.empty();

  PolicyDriver(Policy<A> policy) {
    this.policy = policy;
  }

  /** One turn; true when it produced a non-empty plan. */
  boolean turn(PolicyView view) {
    try {
      if (policy.learn(view)) {
        policy.saveModel();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Optional<A> analysis = policy.analyze(view);
    last = analysis.map(a -> policy.plan(view, a)).orElse(Plan.empty());
    return !last.isEmpty();
  }

  /** The plan of the last turn ({@link Plan#empty()} when it had none). */
  Plan last() {
    return last;
  }
}
