package eu.mlsysops.orchestration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The outcome of placing one instance: the chosen node, if any, the best feasible nodes ranked, and
 * why every other node was rejected.
 *
 * <p>Immutable and thread-safe. The per-node reasons are rendered when read, so a placement over
 * thousands of nodes is cheap to make and only costs what is asked of it.
 *
 * @param node the best-ranked feasible node; empty when the component is unschedulable
 * @param ranking the best feasible nodes, best first (fewest instances of the same component, then
 *     score descending, then node name), at most the placer's {@link Placer.Builder#rankingLimit
 *     ranking limit}
 * @param reasons node name → why the first filter that rejected it did so, in node-name order ("why
 *     not node N")
 * @param nodeCount how many nodes were considered, feasible or not
 */
public record Placement(
    Optional<String> node,
    List<CandidateScore> ranking,
    Map<String, Rejection> reasons,
    int nodeCount) {

  /**
   * Copies the ranking and the reasons (unless they are the placer's own read-only view).
   *
   * @param node see the record description
   * @param ranking see the record description
   * @param reasons see the record description
   * @param nodeCount see the record description
   */
  public Placement {
    Objects.requireNonNull(node, "node");
    ranking = List.copyOf(ranking);
    reasons =
        reasons instanceof RejectionMap
            ? reasons
            : Collections.unmodifiableMap(new TreeMap<>(reasons));
    if (nodeCount < reasons.size()) {
      throw new IllegalArgumentException(
          "nodeCount " + nodeCount + " is below the " + reasons.size() + " rejected nodes");
    }
  }

  /** True when a node was chosen. */
  public boolean isPlaced() {
    return node.isPresent();
  }

  /** How many nodes passed every filter. */
  public int feasibleCount() {
    return nodeCount - reasons.size();
  }

  /** Node name → the text of its {@link Rejection}, in node-name order. */
  public Map<String, String> rejections() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Rejection> e : reasons.entrySet()) {
      out.put(e.getKey(), e.getValue().text());
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * How many nodes were rejected for each reason ({@link Rejection#text()}): most first, equal
   * counts by reason. Each node counts once, under the first filter that rejected it.
   */
  public Map<String, Integer> reasonCounts() {
    Map<String, Integer> counts;
    if (reasons instanceof RejectionMap m) {
      counts = m.countByText();
    } else {
      counts = new LinkedHashMap<>();
      for (Rejection r : reasons.values()) {
        counts.merge(r.text(), 1, Integer::sum);
      }
    }
    return sortedByCount(counts);
  }

  /** How many nodes were rejected per {@link Rejection#category()}, most first; for metrics. */
  public Map<String, Integer> categoryCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Rejection r : reasons.values()) {
      counts.merge(r.category(), 1, Integer::sum);
    }
    return sortedByCount(counts);
  }

  /**
   * Feasible over considered nodes, then the rejections counted, e.g. {@code 0/12 nodes: 7 wrong
   * continuum_layer, 3 insufficient cpu (need 500m), 2 missing sensor camera/d455}. {@code 0/0
   * nodes: no candidate nodes} when there was nothing to choose from, {@code 4/4 nodes: none
   * rejected} when every node fits.
   */
  public String summary() {
    String head = feasibleCount() + "/" + nodeCount + " nodes: ";
    if (nodeCount == 0) {
      return head + "no candidate nodes";
    }
    if (reasons.isEmpty()) {
      return head + "none rejected";
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Integer> e : reasonCounts().entrySet()) {
      parts.add(e.getValue() + " " + e.getKey());
    }
    return head + String.join(", ", parts);
  }

  /**
   * One line for people: the {@link #summary()} of an unschedulable component; for a placed one the
   * node and its score, then the rejections if any, e.g. {@code 3/4 nodes: placed on n2 (score
   * 0.833); rejected 1 unreachable}.
   */
  public String explanation() {
    if (node.isEmpty() || ranking.isEmpty()) {
      return summary();
    }
    CandidateScore best = ranking.get(0);
    String head =
        String.format(
            Locale.ROOT,
            "%d/%d nodes: placed on %s (score %.3f)",
            feasibleCount(),
            nodeCount,
            best.node(),
            best.score());
    if (reasons.isEmpty()) {
      return head;
    }
    String summary = summary();
    return head + "; rejected " + summary.substring(summary.indexOf(": ") + 2);
  }

  private static Map<String, Integer> sortedByCount(Map<String, Integer> counts) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(
        Map.Entry.<String, Integer>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : entries) {
      out.put(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The score of one feasible node.
   *
   * @param node the node's name
   * @param score the weighted mean of the scorers' scores, 0..1
   * @param scores each scorer's own score by {@link Scorer#name()}, in the placer's scorer order; a
   *     scorer that did not apply to the request (see {@link InteractionLocalityScorer}) is absent
   */
  public record CandidateScore(String node, double score, Map<String, Double> scores) {
    /**
     * Copies the scores.
     *
     * @param node see the record description
     * @param score see the record description
     * @param scores see the record description
     */
    public CandidateScore {
      Objects.requireNonNull(node, "node");
      scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }
  }
}
