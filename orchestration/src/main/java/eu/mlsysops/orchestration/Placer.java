package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Chooses a node for one instance of a component, as Nomad and kube-scheduler do: filter out the
 * nodes that cannot host it, score the rest, pick the best.
 *
 * <p>Filters, in order (a rejected node is counted under the first one it fails): excluded by the
 * caller, healthy, named node, continuum_layer, labels, mobile, cpu architecture, cpu frequency,
 * sensors, gpu, fpga, mcu, cpu requests vs free, memory requests vs free. Scores are the weighted
 * mean of the configured {@link Scorer}s; ties go to the node whose name sorts first, so the same
 * input always gives the same placement.
 *
 * <p>Immutable and thread-safe.
 */
public final class Placer {
  private final List<Filter> filters;
  private final List<Scorer> scorers;
  private final double[] weights;
  private final double weightSum;

  private Placer(Builder b) {
    this.filters = Filters.all();
    if (b.scorers.isEmpty()) {
      this.scorers = List.of(new LeastAllocatedScorer(), new LowUtilizationScorer());
      this.weights = new double[] {1.0, 0.5};
    } else {
      this.scorers = List.copyOf(b.scorers);
      this.weights = b.weights.stream().mapToDouble(Double::doubleValue).toArray();
    }
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    this.weightSum = sum;
  }

  /** A builder; without scorers it builds the default placer. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The default placer: {@link LeastAllocatedScorer} × 1.0 + {@link LowUtilizationScorer} × 0.5.
   */
  public static Placer withDefaults() {
    return builder().build();
  }

  /** Places one instance of {@code component} of {@code app} on one of {@code candidates}. */
  public Placement place(String app, Component component, List<NodeCandidate> candidates) {
    return place(app, component, candidates, Set.of());
  }

  /**
   * Places one instance, never on a node in {@code excludedNodes} (to relocate an instance, exclude
   * its current node; such nodes are rejected as "excluded (current node)").
   */
  public Placement place(
      String app, Component component, List<NodeCandidate> candidates, Set<String> excludedNodes) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(excludedNodes, "excludedNodes");
    PlacementRequest request =
        new PlacementRequest(app, ComponentRequirements.of(component), Set.copyOf(excludedNodes));
    Map<String, String> rejections = new HashMap<>();
    List<Placement.CandidateScore> ranking = new ArrayList<>();
    for (NodeCandidate candidate : candidates) {
      Optional<String> reason = firstRejection(request, candidate);
      if (reason.isPresent()) {
        rejections.put(candidate.name(), reason.get());
      } else {
        ranking.add(score(component, candidate));
      }
    }
    ranking.sort(
        Comparator.comparingDouble(Placement.CandidateScore::score)
            .reversed()
            .thenComparing(Placement.CandidateScore::node));
    Optional<String> chosen =
        ranking.isEmpty() ? Optional.empty() : Optional.of(ranking.get(0).node());
    return new Placement(
        chosen, ranking, rejections, explain(candidates.size(), ranking, rejections));
  }

  private Optional<String> firstRejection(PlacementRequest request, NodeCandidate candidate) {
    for (Filter f : filters) {
      Optional<String> reason = f.reject(request, candidate);
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  private Placement.CandidateScore score(Component component, NodeCandidate candidate) {
    Map<String, Double> scores = new LinkedHashMap<>();
    double total = 0;
    for (int i = 0; i < scorers.size(); i++) {
      double s = scorers.get(i).score(component, candidate);
      // A scorer that misbehaves must not make the ranking depend on NaN ordering.
      s = Double.isNaN(s) ? 0 : Math.max(0, Math.min(1, s));
      scores.put(scorers.get(i).name(), s);
      total += weights[i] * s;
    }
    return new Placement.CandidateScore(
        candidate.name(), weightSum > 0 ? total / weightSum : 0, scores);
  }

  /** {@code 0/12 nodes: 7 wrong continuum_layer, 3 insufficient cpu (need 500m)} and the like. */
  static String explain(
      int total, List<Placement.CandidateScore> ranking, Map<String, String> rejections) {
    String counts = countReasons(rejections);
    if (ranking.isEmpty()) {
      return "0/" + total + " nodes: " + (total == 0 ? "no candidate nodes" : counts);
    }
    Placement.CandidateScore best = ranking.get(0);
    String head =
        String.format(
            Locale.ROOT,
            "%d/%d nodes: placed on %s (score %.3f)",
            ranking.size(),
            total,
            best.node(),
            best.score());
    return counts.isEmpty() ? head : head + "; rejected " + counts;
  }

  private static String countReasons(Map<String, String> rejections) {
    Map<String, Long> counts =
        rejections.values().stream().collect(Collectors.groupingBy(r -> r, Collectors.counting()));
    return counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(Collectors.joining(", "));
  }

  /** Builds a {@link Placer}. */
  public static final class Builder {
    private final List<Scorer> scorers = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a scorer with a weight. Adding any scorer replaces the defaults ({@link
     * LeastAllocatedScorer} × 1.0 + {@link LowUtilizationScorer} × 0.5) entirely.
     */
    public Builder scorer(Scorer scorer, double weight) {
      Objects.requireNonNull(scorer, "scorer");
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "weight of " + scorer.name() + " must be finite and non-negative, got " + weight);
      }
      for (Scorer s : scorers) {
        if (s.name().equals(scorer.name())) {
          throw new IllegalArgumentException("two scorers are named " + scorer.name());
        }
      }
      scorers.add(scorer);
      weights.add(weight);
      return this;
    }

    /** An immutable placer. */
    public Placer build() {
      return new Placer(this);
    }
  }
}
