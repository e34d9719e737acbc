package eu.mlsysops.orchestration;

import static eu.mlsysops.orchestration.TestComponents.component;
import static eu.mlsysops.orchestration.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.ComponentInteraction;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.NodeDescriptor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each scorer's formula on small cases, and how weights combine them. */
class ScorersTest {
  private static final double EPS = 1e-9;

  private static Map<String, Double> scoresOf(Placement p, String node) {
    for (Placement.CandidateScore s : p.ranking()) {
      if (s.node().equals(node)) {
        return s.scores();
      }
    }
    throw new AssertionError(node + " is not ranked in " + p.ranking());
  }

  private static double totalOf(Placement p, String node) {
    for (Placement.CandidateScore s : p.ranking()) {
      if (s.node().equals(node)) {
        return s.score();
      }
    }
    throw new AssertionError(node + " is not ranked in " + p.ranking());
  }

  @Test
  void leastAllocatedIsTheMeanFreeFractionAfterPlacement() {
    NodeDescriptor d = node("n").cores(4).memory("8Gi").build();
    Component c = component("x").cpu("1").memory("2Gi").build();
    assertThat(new LeastAllocatedScorer().score(c, new NodeCandidate(d, 1000, 2L << 30, 0, true)))
        .isCloseTo(0.5, within(EPS));
    assertThat(new LeastAllocatedScorer().score(c, NodeCandidate.idle(d)))
        .isCloseTo((0.75 + 0.75) / 2, within(EPS));
  }

  @Test
  void balancedResourceIsOneMinusTheGapBetweenCpuAndMemoryUse() {
    NodeDescriptor d = node("n").cores(4).memory("8Gi").build();
    Component c = component("x").cpu("1").memory("2Gi").build();
    assertThat(new BalancedResourceScorer().score(c, new NodeCandidate(d, 1000, 2L << 30, 0, true)))
        .isCloseTo(1.0, within(EPS));
    assertThat(new BalancedResourceScorer().score(c, new NodeCandidate(d, 2000, 0, 0, true)))
        .isCloseTo(1 - (0.75 - 0.25), within(EPS));
  }

  @Test
  void lowUtilizationIsOneMinusObservedUtilisation() {
    NodeDescriptor d = node("n").build();
    assertThat(
            new LowUtilizationScorer()
                .score(component("x").build(), new NodeCandidate(d, 0, 0, 0.3, true)))
        .isCloseTo(0.7, within(EPS));
  }

  @Test
  void energyPrefersLowMarginalPowerPerCoreWithLayerDefaults() {
    EnergyScorer e = new EnergyScorer();
    Component c = component("x").build();
    // (max − idle) / cores, then 1 / (1 + w / 5 W).
    assertThat(e.score(c, NodeCandidate.idle(node("e").layer(ContinuumLayer.EDGE).build())))
        .isCloseTo(1 / (1 + 2.5 / 5), within(EPS));
    assertThat(e.score(c, NodeCandidate.idle(node("c").layer(ContinuumLayer.CLOUD).build())))
        .isCloseTo(1 / (1 + 18.75 / 5), within(EPS));
    assertThat(
            e.score(
                c, NodeCandidate.idle(node("i").layer(ContinuumLayer.EDGE_INFRASTRUCTURE).build())))
        .isCloseTo(0.25, within(EPS));
    assertThat(e.score(c, NodeCandidate.idle(node("f").layer(ContinuumLayer.FAR_EDGE).build())))
        .isCloseTo(1 / (1 + 0.4 / 5), within(EPS));
  }

  @Test
  void energyUsesTheDeclaredMaximumConsumptionAndCores() {
    EnergyScorer e = new EnergyScorer();
    Component c = component("x").build();
    // 100 W max, idle share 100/250 → 40 W idle; 60 W over 8 cores = 7.5 W per core.
    NodeDescriptor watts = node("c").layer(ContinuumLayer.CLOUD).maxWatts(100, "w").build();
    assertThat(e.score(c, NodeCandidate.idle(watts))).isCloseTo(0.4, within(EPS));
    NodeDescriptor kilowatts = node("c").layer(ContinuumLayer.CLOUD).maxWatts(0.1, "kw").build();
    assertThat(e.score(c, NodeCandidate.idle(kilowatts))).isCloseTo(0.4, within(EPS));
    NodeDescriptor big = node("c").layer(ContinuumLayer.CLOUD).cores(30).build();
    assertThat(e.score(c, NodeCandidate.idle(big))).isCloseTo(1 / (1 + 5.0 / 5), within(EPS));
  }

  @Test
  void theEnergyScorerInsideThePlacerMatchesItsOwnFormula() {
    Placer energy = Placer.builder().scorer(new EnergyScorer(), 1).build();
    NodeDescriptor edge = node("e").build();
    Placement p = energy.place("app", component("x").build(), List.of(NodeCandidate.idle(edge)));
    assertThat(scoresOf(p, "e")).containsExactly(entry("energy", 1 / (1 + 2.5 / 5)));
  }

  private static List<NodeCandidate> localityNodes() {
    return List.of(
        NodeCandidate.idle(node("a").cluster("c1").datacenter("d1").build()),
        NodeCandidate.idle(node("b").cluster("c1").datacenter("d1").build()),
        NodeCandidate.idle(node("c").cluster("c1").datacenter("d2").build()),
        NodeCandidate.idle(node("d").cluster("c2").build()));
  }

  private static final Placer LOCALITY_ONLY =
      Placer.builder().scorer(new InteractionLocalityScorer(), 1).build();

  @Test
  void localityIsOneOnThePeersNodeThenDatacenterThenCluster() {
    PlacementSnapshot s = LOCALITY_ONLY.snapshot(localityNodes());
    s.recordRunning("app", "db", "a");
    Placement p =
        s.place(
            PlacementRequest.of("app", component("web").build())
                .withInteractions(
                    List.of(new ComponentInteraction("web", "egress", "db", null, List.of()))));
    assertThat(p.node()).contains("a");
    assertThat(totalOf(p, "a")).isCloseTo(1.0, within(EPS));
    assertThat(totalOf(p, "b")).isCloseTo(0.75, within(EPS));
    assertThat(totalOf(p, "c")).isCloseTo(0.5, within(EPS));
    assertThat(totalOf(p, "d")).isCloseTo(0.0, within(EPS));
  }

  @Test
  void localityWeighsPeersByInteractionCriticalityInEitherDirection() {
    PlacementSnapshot s = LOCALITY_ONLY.snapshot(localityNodes());
    s.recordRunning("app", "db", "a");
    s.recordRunning("app", "cache", "d");
    List<ComponentInteraction> interactions =
        List.of(
            new ComponentInteraction("web", "egress", "db", "high", List.of()),
            new ComponentInteraction("cache", "egress", "web", null, List.of()));
    Placement p =
        s.place(
            PlacementRequest.of("app", component("web").build()).withInteractions(interactions));
    // db weighs 3, cache 1.
    assertThat(totalOf(p, "a")).isCloseTo(3.0 / 4, within(EPS));
    assertThat(totalOf(p, "b")).isCloseTo(3 * 0.75 / 4, within(EPS));
    assertThat(totalOf(p, "c")).isCloseTo(3 * 0.5 / 4, within(EPS));
    assertThat(totalOf(p, "d")).isCloseTo(1.0 / 4, within(EPS));
  }

  @Test
  void localityIsLeftOutOfTheMeanWhilePeersAreNotPlaced() {
    Placer placer = Placer.withDefaults();
    PlacementSnapshot s = placer.snapshot(List.of(NodeCandidate.idle(node("a").build())));
    Placement p =
        s.place(
            PlacementRequest.of("app", component("web").build())
                .withInteractions(
                    List.of(new ComponentInteraction("web", "egress", "db", null, List.of()))));
    assertThat(scoresOf(p, "a")).containsOnlyKeys("least_allocated", "low_utilization");
    assertThat(totalOf(p, "a")).isCloseTo(1.0, within(EPS));
  }

  @Test
  void localityOutsideAPlacerHasNoContextAndScoresZero() {
    assertThat(
            new InteractionLocalityScorer()
                .score(component("x").build(), NodeCandidate.idle(node("a").build())))
        .isZero();
  }

  @Test
  void anMlScorerIsWeighedLikeAnyOther() {
    Placer ml =
        Placer.builder()
            .weight("low_utilization", 0)
            .mlScorer((c, n) -> n.name().equals("b") ? 0.9 : 0.1, 3.0)
            .build();
    List<NodeCandidate> nodes =
        List.of(NodeCandidate.idle(node("a").build()), NodeCandidate.idle(node("b").build()));
    Placement p = ml.place("app", component("x").build(), nodes);
    assertThat(p.node()).contains("b");
    assertThat(scoresOf(p, "b")).containsExactly(entry("least_allocated", 1.0), entry("ml", 0.9));
    assertThat(totalOf(p, "b")).isCloseTo((1.0 + 3 * 0.9) / 4, within(EPS));
    assertThat(ml.weights())
        .containsExactly(
            entry("least_allocated", 1.0), entry("interaction_locality", 1.0), entry("ml", 3.0));
  }

  @Test
  void defaultWeightsAreLeastAllocatedLowUtilizationAndLocality() {
    assertThat(Placer.withDefaults().weights())
        .containsExactly(
            entry("least_allocated", 1.0),
            entry("low_utilization", 0.5),
            entry("interaction_locality", 1.0));
  }

  @Test
  void weightTunesTheDefaultsAndAddsBuiltInsByName() {
    Placer tuned = Placer.builder().weight("energy", 2).weight("low_utilization", 0).build();
    assertThat(tuned.weights())
        .containsExactly(
            entry("least_allocated", 1.0),
            entry("interaction_locality", 1.0),
            entry("energy", 2.0));
    Placement p =
        tuned.place("app", component("x").build(), List.of(NodeCandidate.idle(node("e").build())));
    // least_allocated 1.0 × 1, energy 2/3 × 2, locality left out: (1 + 4/3) / 3.
    assertThat(totalOf(p, "e")).isCloseTo((1 + 2 * (2.0 / 3)) / 3, within(EPS));
  }

  @Test
  void scorerOnUntouchedDefaultsStartsFromNothingButAfterWeightItAdds() {
    Scorer constant =
        new Scorer() {
          @Override
          public String name() {
            return "constant";
          }

          @Override
          public double score(Component component, NodeCandidate node) {
            return 0.5;
          }
        };
    assertThat(Placer.builder().scorer(constant, 1).build().weights())
        .containsExactly(entry("constant", 1.0));
    assertThat(Placer.builder().weight("least_allocated", 2).scorer(constant, 1).build().weights())
        .containsExactly(
            entry("least_allocated", 2.0),
            entry("low_utilization", 0.5),
            entry("interaction_locality", 1.0),
            entry("constant", 1.0));
  }

  @Test
  void rejectsUnknownScorerNamesAndBadWeights() {
    assertThatThrownBy(() -> Placer.builder().weight("fastest", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no scorer named fastest");
    assertThatThrownBy(() -> Placer.builder().weight("energy", -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Placer.builder().weight("energy", Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Placer.builder().rankingLimit(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eachClusterCanWeighDifferently() {
    List<NodeCandidate> nodes =
        List.of(
            NodeCandidate.idle(node("cloud").layer(ContinuumLayer.CLOUD).build()),
            NodeCandidate.idle(node("edge").layer(ContinuumLayer.EDGE).build()));
    Component c = component("x").cpu("1").build();
    Placer spreading = Placer.withDefaults();
    Placer frugal = Placer.builder().weight("energy", 5).build();
    assertThat(spreading.place("app", c, nodes).node()).contains("cloud");
    assertThat(frugal.place("app", c, nodes).node()).contains("edge");
  }

  @Test
  void aMisbehavingCustomScorerCannotBreakTheRanking() {
    Placer p =
        Placer.builder()
            .mlScorer(
                (c, n) -> {
                  switch (n.name()) {
                    case "throws":
                      throw new IllegalStateException("model not loaded");
                    case "nan":
                      return Double.NaN;
                    default:
                      return 7;
                  }
                },
                1)
            .build();
    List<NodeCandidate> nodes =
        List.of(
            NodeCandidate.idle(node("throws").build()),
            NodeCandidate.idle(node("nan").build()),
            NodeCandidate.idle(node("big").build()));
    Placement placement = p.place("app", component("x").build(), nodes);
    assertThat(placement.node()).contains("big");
    assertThat(totalOf(placement, "big")).isEqualTo(1.0);
    assertThat(totalOf(placement, "nan")).isZero();
    assertThat(totalOf(placement, "throws")).isZero();
  }

  @Test
  void theRankingIsCutAtTheLimit() {
    Placer p = Placer.builder().rankingLimit(2).build();
    List<NodeCandidate> nodes =
        List.of(
            NodeCandidate.idle(node("c").build()),
            NodeCandidate.idle(node("a").build()),
            NodeCandidate.idle(node("b").build()));
    Placement placement = p.place("app", component("x").build(), nodes);
    assertThat(placement.ranking())
        .extracting(Placement.CandidateScore::node)
        .containsExactly("a", "b");
    assertThat(placement.feasibleCount()).isEqualTo(3);
  }
}
