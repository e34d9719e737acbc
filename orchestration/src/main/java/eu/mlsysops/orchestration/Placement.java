package eu.mlsysops.orchestration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The outcome of {@link Placer#place}: the chosen node, if any, every feasible node ranked, and why
 * every other node was rejected.
 *
 * @param node the best-ranked feasible node; empty when the component is unschedulable
 * @param ranking feasible nodes, best first (score descending, then node name)
 * @param rejections node name → the reason of the first filter it failed, sorted by node name ("why
 *     not node N")
 * @param explanation one line for humans: for an unschedulable component it counts the reasons,
 *     e.g. {@code 0/12 nodes: 7 wrong continuum_layer, 3 insufficient cpu (need 500m), 2 missing
 *     sensor camera/d455}; for a placed one it names the node and its score
 */
public record Placement(
    Optional<String> node,
    List<CandidateScore> ranking,
    Map<String, String> rejections,
    String explanation) {
  public Placement {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(explanation, "explanation");
    ranking = List.copyOf(ranking);
    rejections = Collections.unmodifiableMap(new TreeMap<>(rejections));
  }

  /** True when a node was chosen. */
  public boolean isPlaced() {
    return node.isPresent();
  }

  /**
   * The score of one feasible node.
   *
   * @param node the node's name
   * @param score the weighted mean of the scorers' scores, 0..1
   * @param scores each scorer's own score by {@link Scorer#name()}, in the placer's scorer order
   */
  public record CandidateScore(String node, double score, Map<String, Double> scores) {
    public CandidateScore {
      Objects.requireNonNull(node, "node");
      scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }
  }
}
