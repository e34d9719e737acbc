package eu.mlsysops.orchestration;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why one node would or would not take an instance: every filter it fails (not only the first, as
 * {@link Placement#reasons()} keeps), or, when it passes them all, its score with the per-scorer
 * breakdown. Answers "why not node N".
 *
 * @param node the node asked about
 * @param known false when the snapshot has no node of that name (then nothing else is filled)
 * @param failed every filter the node fails, in filter order; empty when it is feasible
 * @param score the node's score when it is feasible
 */
public record NodeVerdict(
    String node, boolean known, List<Rejection> failed, Optional<Placement.CandidateScore> score) {
  /**
   * Copies the list.
   *
   * @param node see the record description
   * @param known see the record description
   * @param failed see the record description
   * @param score see the record description
   */
  public NodeVerdict {
    Objects.requireNonNull(node, "node");
    failed = List.copyOf(failed);
    Objects.requireNonNull(score, "score");
  }

  /** True when the node passes every filter. */
  public boolean feasible() {
    return known && failed.isEmpty();
  }

  /** One line: {@code n3: wrong continuum_layer, insufficient cpu (need 500m)} or its score. */
  public String text() {
    if (!known) {
      return node + ": no such node";
    }
    if (!failed.isEmpty()) {
      return node + ": " + String.join(", ", failed.stream().map(Rejection::text).toList());
    }
    return node + ": feasible"
        + score.map(s -> String.format(java.util.Locale.ROOT, " (score %.3f)", s.score())).orElse("");
  }
}
