package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.ComponentInteraction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Chooses a node for one instance of a component, as Nomad and kube-scheduler do: filter out the
 * nodes that cannot host it, score the rest, pick the best. Used at both levels of the continuum: a
 * cluster agent places on its nodes, the continuum agent asks each cluster's placer and compares.
 *
 * <p>Filters, in order (a rejected node is counted under the first one it fails; see {@code
 * docs/placement.md} for each reason's text): excluded by the caller, unreachable, named node,
 * continuum_layer, labels, mobile, os, node_type, container_runtime, runtime_class_name, cpu
 * architecture, cpu frequency, cpu performance, sensors, gpu, fpga, mcu, acceleration_api, disk,
 * cpu requests vs free, memory requests vs free, trust.
 *
 * <p>Scores are the weighted mean of the configured {@link Scorer}s (defaults: {@link
 * LeastAllocatedScorer} × 1.0, {@link LowUtilizationScorer} × 0.5, {@link
 * InteractionLocalityScorer} × 1.0). Among feasible nodes the ones running the fewest instances of
 * the same component come first (instances spread when they can), then the highest score, then the
 * node whose name sorts first, so the same input always gives the same placement.
 *
 * <p>For one-off decisions use {@link #place}; to place many instances against allocations that
 * change as they are placed, take a {@link #snapshot} once and place through it.
 *
 * <p>Immutable and thread-safe.
 */
public final class Placer {
  /** The ranking limit of {@link Builder#rankingLimit}, unless set. */
  public static final int DEFAULT_RANKING_LIMIT = 10;

  private static final int CUSTOM = 0;
  private static final int LEAST_ALLOCATED = 1;
  private static final int BALANCED = 2;
  private static final int LOW_UTILIZATION = 3;
  private static final int LOCALITY = 4;
  private static final int ENERGY = 5;

  private final Scorer[] scorers;
  private final int[] kinds;
  private final double[] weights;
  private final TrustSource trustSource;
  private final double trustThreshold;
  private final int rankingLimit;

  private Placer(Builder b) {
    List<Scorer> s = new ArrayList<>();
    List<Double> w = new ArrayList<>();
    for (int i = 0; i < b.scorers.size(); i++) {
      if (b.weights.get(i) > 0) {
        s.add(b.scorers.get(i));
        w.add(b.weights.get(i));
      }
    }
    this.scorers = s.toArray(new Scorer[0]);
    this.weights = w.stream().mapToDouble(Double::doubleValue).toArray();
    this.kinds = new int[scorers.length];
    for (int i = 0; i < scorers.length; i++) {
      kinds[i] = kindOf(scorers[i]);
    }
    this.trustSource = b.trustSource;
    this.trustThreshold = b.trustThreshold;
    this.rankingLimit = b.rankingLimit;
  }

  /**
   * This placer with one more scorer (e.g. a cluster agent's learned one over a placer it was
   * given): the same scorers, weights, trust filter and ranking limit otherwise.
   *
   * @throws IllegalArgumentException if the weight is negative or not finite, or a scorer of that
   *     name is there already
   */
  public Placer withScorer(Scorer scorer, double weight) {
    Builder b = copy();
    b.scorer(scorer, weight);
    return b.build();
  }

  /**
   * This placer rejecting nodes whose {@code source} trust is below {@code threshold} (as {@link
   * Builder#trust}): the same scorers, weights and ranking limit otherwise. What answers questions
   * about placement (dry runs, explanations) uses it to decide as the cluster agents do.
   */
  public Placer withTrust(TrustSource source, double threshold) {
    Builder b = copy();
    b.trust(source, threshold);
    return b.build();
  }

  private Builder copy() {
    Builder b = builder();
    b.scorers.clear();
    b.weights.clear();
    b.untouchedDefaults = false;
    for (int i = 0; i < scorers.length; i++) {
      b.scorers.add(scorers[i]);
      b.weights.add(weights[i]);
    }
    b.trustSource = trustSource;
    b.trustThreshold = trustThreshold;
    b.rankingLimit = rankingLimit;
    return b;
  }

  private static int kindOf(Scorer s) {
    if (s instanceof LeastAllocatedScorer) {
      return LEAST_ALLOCATED;
    } else if (s instanceof BalancedResourceScorer) {
      return BALANCED;
    } else if (s instanceof LowUtilizationScorer) {
      return LOW_UTILIZATION;
    } else if (s instanceof InteractionLocalityScorer) {
      return LOCALITY;
    } else if (s instanceof EnergyScorer) {
      return ENERGY;
    }
    return CUSTOM;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The default placer: {@link LeastAllocatedScorer} × 1.0 + {@link LowUtilizationScorer} × 0.5 +
   * {@link InteractionLocalityScorer} × 1.0, no trust source, ranking limit {@value
   * #DEFAULT_RANKING_LIMIT}.
   */
  public static Placer withDefaults() {
    return builder().build();
  }

  private Placer(Placer o, int rankingLimit) {
    this.scorers = o.scorers;
    this.weights = o.weights;
    this.kinds = o.kinds;
    this.trustSource = o.trustSource;
    this.trustThreshold = o.trustThreshold;
    this.rankingLimit = rankingLimit;
  }

  /**
   * This placer with another ranking limit, e.g. {@code Integer.MAX_VALUE} for a dry run that
   * shows the score of every feasible node.
   *
   * @throws IllegalArgumentException if {@code limit} is below 1
   */
  public Placer withRankingLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the ranking limit must be at least 1, got " + limit);
    }
    return limit == rankingLimit ? this : new Placer(this, limit);
  }

  /** The scorers with a positive weight, by name, with their weights, in scoring order. */
  public Map<String, Double> weights() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < scorers.length; i++) {
      out.put(scorers[i].name(), weights[i]);
    }
    return out;
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
    Objects.requireNonNull(excludedNodes, "excludedNodes");
    return place(PlacementRequest.of(app, component).excluding(excludedNodes), candidates);
  }

  /**
   * Places one instance as {@code request} asks on one of {@code candidates}.
   *
   * @throws IllegalArgumentException if two candidates have the same name
   */
  public Placement place(PlacementRequest request, List<NodeCandidate> candidates) {
    Objects.requireNonNull(request, "request");
    return snapshot(candidates).place(request);
  }

  /**
   * A snapshot of {@code candidates} to place many instances in a row with this placer: each
   * committed placement updates what is free for the next. The node facts the filters need are
   * computed here, once.
   *
   * @throws IllegalArgumentException if two candidates have the same name
   */
  public PlacementSnapshot snapshot(Collection<NodeCandidate> candidates) {
    Objects.requireNonNull(candidates, "candidates");
    return new PlacementSnapshot(this, new NodeTable(candidates));
  }

  CompiledRequest compile(
      NodeTable t,
      ComponentRequirements reqs,
      String app,
      Component component,
      List<String> selfNames,
      Set<String> excluded,
      List<ComponentInteraction> interactions,
      OptionalDouble threshold,
      Map<String, List<String>> instances) {
    return new CompiledRequest(
        reqs,
        app,
        component,
        selfNames,
        excluded,
        interactions,
        threshold.orElse(trustThreshold),
        trustSource != null,
        t,
        instances);
  }

  /** True when node {@code i} passes every filter for {@code r} right now. */
  boolean feasible(NodeTable t, CompiledRequest r, int i) {
    return Filters.firstRejection(r, t, i, trustSource) == 0;
  }

  /** Every filter node {@code i} fails for {@code r}, or its score when it fails none. */
  NodeVerdict verdict(NodeTable t, CompiledRequest r, int i) {
    NodeFacts f = t.facts[i];
    List<Rejection> failed = new ArrayList<>();
    for (int filter : r.filters) {
      int sub = Filters.check(filter, r, t, f, i, trustSource);
      if (sub >= 0) {
        failed.add(Filters.reason(r, Filters.code(filter, sub)));
      }
    }
    if (!failed.isEmpty()) {
      return new NodeVerdict(t.names[i], true, failed, Optional.empty());
    }
    double total = 0;
    double weightSum = 0;
    Map<String, Double> breakdown = new LinkedHashMap<>();
    for (int s = 0; s < scorers.length; s++) {
      if (kinds[s] == LOCALITY && !r.localityApplies()) {
        continue;
      }
      double v = score(s, r, t, i);
      breakdown.put(scorers[s].name(), v);
      total += weights[s] * v;
      weightSum += weights[s];
    }
    double score = weightSum > 0 ? total / weightSum : 0;
    return new NodeVerdict(
        t.names[i], true, List.of(), Optional.of(new Placement.CandidateScore(t.names[i], score, breakdown)));
  }

  /** The scan: every node through the filters, the feasible ones scored, the best few kept. */
  Placement evaluate(NodeTable t, CompiledRequest r) {
    int n = t.size();
    int[] active = new int[scorers.length];
    int m = 0;
    double weightSum = 0;
    for (int s = 0; s < scorers.length; s++) {
      if (kinds[s] != LOCALITY || r.localityApplies()) {
        active[m++] = s;
        weightSum += weights[s];
      }
    }
    int k = Math.max(1, Math.min(rankingLimit, n));
    int[] topIndex = new int[k];
    int[] topSiblings = new int[k];
    double[] topScore = new double[k];
    int top = 0;
    int[] codes = null;
    int rejected = 0;
    int[] siblings = t.siblings;
    int[] nameRank = t.nameRank;
    for (int j = 0; j < r.siblingNodes.length; j++) {
      siblings[r.siblingNodes[j]] = r.siblingCounts[j];
    }
    try {
      for (int i = 0; i < n; i++) {
        int code = Filters.firstRejection(r, t, i, trustSource);
        if (code != 0) {
          if (codes == null) {
            codes = new int[n];
          }
          codes[i] = code;
          rejected++;
          continue;
        }
        double score = 0;
        for (int a = 0; a < m; a++) {
          int s = active[a];
          score += weights[s] * score(s, r, t, i);
        }
        score = weightSum > 0 ? score / weightSum : 0;
        int sib = siblings[i];
        if (top == k) {
          int last = top - 1;
          if (!better(
              sib,
              score,
              nameRank[i],
              topSiblings[last],
              topScore[last],
              nameRank[topIndex[last]])) {
            continue;
          }
          top--;
        }
        int pos = top;
        while (pos > 0
            && better(
                sib,
                score,
                nameRank[i],
                topSiblings[pos - 1],
                topScore[pos - 1],
                nameRank[topIndex[pos - 1]])) {
          topIndex[pos] = topIndex[pos - 1];
          topSiblings[pos] = topSiblings[pos - 1];
          topScore[pos] = topScore[pos - 1];
          pos--;
        }
        topIndex[pos] = i;
        topSiblings[pos] = sib;
        topScore[pos] = score;
        top++;
      }
    } finally {
      for (int node : r.siblingNodes) {
        siblings[node] = 0;
      }
    }
    List<Placement.CandidateScore> ranking = new ArrayList<>(top);
    for (int j = 0; j < top; j++) {
      int i = topIndex[j];
      Map<String, Double> breakdown = new LinkedHashMap<>();
      for (int a = 0; a < m; a++) {
        breakdown.put(scorers[active[a]].name(), score(active[a], r, t, i));
      }
      ranking.add(new Placement.CandidateScore(t.names[i], topScore[j], breakdown));
    }
    Map<String, Rejection> reasons =
        rejected == 0 ? Map.of() : new RejectionMap(t, codes, rejected, r);
    Optional<String> chosen = top == 0 ? Optional.empty() : Optional.of(t.names[topIndex[0]]);
    return new Placement(chosen, ranking, reasons, n);
  }

  private static boolean better(
      int sibA, double scoreA, int rankA, int sibB, double scoreB, int rankB) {
    if (sibA != sibB) {
      return sibA < sibB;
    }
    if (scoreA != scoreB) {
      return scoreA > scoreB;
    }
    return rankA < rankB;
  }

  /** Scorer {@code s} on node {@code i}, within 0..1 (NaN and failures count as 0). */
  private double score(int s, CompiledRequest r, NodeTable t, int i) {
    NodeFacts f = t.facts[i];
    double v;
    switch (kinds[s]) {
      case LEAST_ALLOCATED:
        return LeastAllocatedScorer.score(
            f.cpuCapacityMillis,
            t.cpuAllocated[i] + r.reqs.cpuRequestMillis(),
            f.memoryCapacityBytes,
            t.memoryAllocated[i] + r.reqs.memoryRequestBytes());
      case BALANCED:
        return BalancedResourceScorer.score(
            f.cpuCapacityMillis,
            t.cpuAllocated[i] + r.reqs.cpuRequestMillis(),
            f.memoryCapacityBytes,
            t.memoryAllocated[i] + r.reqs.memoryRequestBytes());
      case LOW_UTILIZATION:
        return 1 - t.utilization[i];
      case LOCALITY:
        return locality(r, t, i);
      case ENERGY:
        return EnergyScorer.scoreOf(f.wattsPerCore);
      default:
        try {
          v = scorers[s].score(r.component, t.candidate(i));
        } catch (RuntimeException e) {
          // A custom scorer (an ML model, say) that fails scores 0 rather than failing placement.
          return 0;
        }
        // A scorer that misbehaves must not make the ranking depend on NaN ordering.
        return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    }
  }

  private static double locality(CompiledRequest r, NodeTable t, int i) {
    NodeFacts f = t.facts[i];
    double sum = 0;
    double weightSum = 0;
    for (int p = 0; p < r.peerWeights.length; p++) {
      double best = 0;
      for (int j : r.peerNodes[p]) {
        double near;
        if (j == i) {
          near = InteractionLocalityScorer.SAME_NODE;
        } else {
          NodeFacts g = t.facts[j];
          if (f.datacenter >= 0 && f.datacenter == g.datacenter) {
            near = InteractionLocalityScorer.SAME_DATACENTER;
          } else if (f.cluster >= 0 && f.cluster == g.cluster) {
            near = InteractionLocalityScorer.SAME_CLUSTER;
          } else {
            near = 0;
          }
        }
        if (near > best) {
          best = near;
        }
      }
      sum += r.peerWeights[p] * best;
      weightSum += r.peerWeights[p];
    }
    return weightSum > 0 ? sum / weightSum : 0;
  }

  /**
   * Builds a {@link Placer}. Each cluster agent can build its own, so weights are per cluster.
   *
   * <p>Defaults: scorers {@code least_allocated} × 1.0, {@code low_utilization} × 0.5, {@code
   * interaction_locality} × 1.0; no trust source (the trust filter passes every node); trust
   * threshold 0; ranking limit {@value Placer#DEFAULT_RANKING_LIMIT}.
   *
   * <p>{@link #weight} tunes the defaults (or adds a built-in scorer by name: {@code
   * balanced_resource}, {@code energy}); {@link #scorer} on a builder whose defaults were not tuned
   * starts from an empty list, so {@code builder().scorer(mine, 1).build()} scores with {@code
   * mine} only. A weight of 0 turns a scorer off.
   */
  public static final class Builder {
    private final List<Scorer> scorers = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();
    private boolean untouchedDefaults = true;
    private TrustSource trustSource;
    private double trustThreshold;
    private int rankingLimit = DEFAULT_RANKING_LIMIT;

    private Builder() {
      scorers.add(new LeastAllocatedScorer());
      weights.add(1.0);
      scorers.add(new LowUtilizationScorer());
      weights.add(0.5);
      scorers.add(new InteractionLocalityScorer());
      weights.add(1.0);
    }

    /**
     * Adds a scorer with a weight. On a builder whose defaults were not tuned with {@link #weight},
     * the first call replaces the defaults entirely.
     *
     * @throws IllegalArgumentException if the weight is negative or not finite, or a scorer of that
     *     name was added already
     */
    public Builder scorer(Scorer scorer, double weight) {
      Objects.requireNonNull(scorer, "scorer");
      Objects.requireNonNull(scorer.name(), "scorer name");
      checkWeight(scorer.name(), weight);
      if (untouchedDefaults) {
        scorers.clear();
        weights.clear();
        untouchedDefaults = false;
      }
      if (indexOf(scorer.name()) >= 0) {
        throw new IllegalArgumentException("two scorers are named " + scorer.name());
      }
      scorers.add(scorer);
      weights.add(weight);
      return this;
    }

    /** Adds a learned scorer (name {@code ml} unless it says otherwise) with a weight. */
    public Builder mlScorer(MlScorer scorer, double weight) {
      return scorer(scorer, weight);
    }

    /**
     * Sets the weight of the scorer named {@code name}, keeping the others: one of those already in
     * the builder, or a built-in one ({@code least_allocated}, {@code balanced_resource}, {@code
     * low_utilization}, {@code interaction_locality}, {@code energy}), which is added.
     *
     * @throws IllegalArgumentException for an unknown name or a negative or non-finite weight
     */
    public Builder weight(String name, double weight) {
      Objects.requireNonNull(name, "name");
      checkWeight(name, weight);
      untouchedDefaults = false;
      int i = indexOf(name);
      if (i >= 0) {
        weights.set(i, weight);
        return this;
      }
      Scorer builtIn = builtIn(name);
      if (builtIn == null) {
        throw new IllegalArgumentException(
            "no scorer named "
                + name
                + "; built-in ones are least_allocated, balanced_resource, low_utilization,"
                + " interaction_locality, energy");
      }
      scorers.add(builtIn);
      weights.add(weight);
      return this;
    }

    /**
     * Rejects nodes whose {@code source} trust is below {@code threshold} (0..1), unless a request
     * gives its own threshold. Without a trust source every node passes.
     */
    public Builder trust(TrustSource source, double threshold) {
      this.trustSource = Objects.requireNonNull(source, "source");
      this.trustThreshold = PlacementRequest.checkThreshold(threshold);
      return this;
    }

    /**
     * How many feasible nodes a {@link Placement#ranking()} lists, best first (default {@value
     * Placer#DEFAULT_RANKING_LIMIT}); keeping it small keeps placement over thousands of nodes
     * fast.
     */
    public Builder rankingLimit(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("the ranking limit must be at least 1, got " + limit);
      }
      this.rankingLimit = limit;
      return this;
    }

    /** An immutable placer. */
    public Placer build() {
      return new Placer(this);
    }

    private int indexOf(String name) {
      for (int i = 0; i < scorers.size(); i++) {
        if (scorers.get(i).name().equals(name)) {
          return i;
        }
      }
      return -1;
    }

    private static void checkWeight(String name, double weight) {
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "weight of " + name + " must be finite and non-negative, got " + weight);
      }
    }

    private static Scorer builtIn(String name) {
      switch (name) {
        case LeastAllocatedScorer.NAME:
          return new LeastAllocatedScorer();
        case BalancedResourceScorer.NAME:
          return new BalancedResourceScorer();
        case LowUtilizationScorer.NAME:
          return new LowUtilizationScorer();
        case InteractionLocalityScorer.NAME:
          return new InteractionLocalityScorer();
        case EnergyScorer.NAME:
          return new EnergyScorer();
        default:
          return null;
      }
    }
  }
}
