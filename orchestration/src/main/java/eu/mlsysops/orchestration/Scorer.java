package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;

/**
 * Ranks a node that passed every filter of the {@link Placer}. Scorers are weighted and summed; an
 * ML model can be one of them.
 */
public interface Scorer {

  /** A short stable name, the key of this scorer in {@link Placement.CandidateScore#scores()}. */
  String name();

  /**
   * How good placing one instance of {@code component} on {@code node} would be, from 0 (worst) to
   * 1 (best). Must be deterministic and should not throw; the placer clamps the result to 0..1 and
   * counts NaN or a thrown exception as 0, so one bad answer cannot fail a placement.
   */
  double score(Component component, NodeCandidate node);
}
