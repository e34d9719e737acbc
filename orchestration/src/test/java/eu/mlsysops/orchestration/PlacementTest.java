package eu.mlsysops.orchestration;

import static eu.mlsysops.orchestration.TestComponents.component;
import static eu.mlsysops.orchestration.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.NodeDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a placement explains itself: the summary line, the counts, the per-node reasons. */
class PlacementTest {
  private final Placer placer = Placer.withDefaults();

  /** The issue's example: 7 cloud nodes, 3 full edge nodes, 2 edge nodes without the camera. */
  private static List<NodeCandidate> twelveNodes() {
    List<NodeCandidate> nodes = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      nodes.add(
          NodeCandidate.idle(
              node("cloud-" + i).layer(ContinuumLayer.CLOUD).sensor("camera", "d455").build()));
    }
    for (int i = 0; i < 3; i++) {
      NodeDescriptor d = node("busy-" + i).cores(1).sensor("camera", "d455").build();
      nodes.add(new NodeCandidate(d, 800, 0, 0.9, true));
    }
    for (int i = 0; i < 2; i++) {
      nodes.add(NodeCandidate.idle(node("blind-" + i).build()));
    }
    Collections.shuffle(nodes, new java.util.Random(7));
    return nodes;
  }

  private static Component detector() {
    return component("detector")
        .layers(ContinuumLayer.EDGE)
        .cpu("500m")
        .sensor("camera", "d455")
        .build();
  }

  @Test
  void summarisesAnUnschedulableComponentExactlyAsTheIssueShows() {
    Placement p = placer.place("app", detector(), twelveNodes());

    assertThat(p.summary())
        .isEqualTo(
            "0/12 nodes: 7 wrong continuum_layer, 3 insufficient cpu (need 500m),"
                + " 2 missing sensor camera/d455");
    assertThat(p.explanation()).isEqualTo(p.summary());
    assertThat(p.reasonCounts())
        .containsExactly(
            entry("wrong continuum_layer", 7),
            entry("insufficient cpu (need 500m)", 3),
            entry("missing sensor camera/d455", 2));
    assertThat(p.categoryCounts())
        .containsExactly(
            entry("wrong continuum_layer", 7),
            entry("insufficient cpu", 3),
            entry("missing sensor", 2));
  }

  @Test
  void keepsEveryNodesReasonInNodeNameOrder() {
    Placement p = placer.place("app", detector(), twelveNodes());

    assertThat(p.reasons()).hasSize(12);
    assertThat(p.reasons().keySet())
        .containsExactly(
            "blind-0", "blind-1", "busy-0", "busy-1", "busy-2", "cloud-0", "cloud-1", "cloud-2",
            "cloud-3", "cloud-4", "cloud-5", "cloud-6");
    assertThat(p.reasons().get("busy-1")).isEqualTo(new Rejection("insufficient cpu", "need 500m"));
    assertThat(p.reasons().get("cloud-3")).isEqualTo(Rejection.of("wrong continuum_layer"));
    assertThat(p.reasons()).doesNotContainKey("elsewhere");
    assertThat(p.rejections())
        .containsEntry("blind-1", "missing sensor camera/d455")
        .containsEntry("busy-0", "insufficient cpu (need 500m)")
        .hasSize(12);
  }

  @Test
  void countsEachNodeOnceUnderTheFirstFilterThatRejectsIt() {
    // The cloud nodes also lack CPU for 20 cores, but the layer filter runs first.
    List<NodeCandidate> nodes =
        List.of(
            NodeCandidate.idle(node("c1").layer(ContinuumLayer.CLOUD).build()),
            NodeCandidate.idle(node("c2").layer(ContinuumLayer.CLOUD).build()),
            NodeCandidate.idle(node("e1").build()));
    Placement p =
        placer.place("app", component("x").layers(ContinuumLayer.EDGE).cpu("20").build(), nodes);
    assertThat(p.summary())
        .isEqualTo("0/3 nodes: 2 wrong continuum_layer, 1 insufficient cpu (need 20)");
  }

  @Test
  void equalCountsAreSortedByReasonAndDetailsCountApart() {
    List<NodeCandidate> nodes =
        List.of(
            NodeCandidate.idle(node("a").label("x").build()),
            NodeCandidate.idle(node("b").label("x").build()),
            NodeCandidate.idle(node("c").label("y").build()),
            NodeCandidate.idle(node("d").label("y").build()),
            new NodeCandidate(node("e").build(), 0, 0, 0, false));
    Placement p = placer.place("app", component("x").label("x").label("y").build(), nodes);
    assertThat(p.summary())
        .isEqualTo("0/5 nodes: 2 missing label x, 2 missing label y, 1 unreachable");
    assertThat(p.categoryCounts())
        .containsExactly(entry("missing label", 4), entry("unreachable", 1));
  }

  @Test
  void summarisesAPlacedComponentToo() {
    List<NodeCandidate> nodes =
        List.of(
            NodeCandidate.idle(node("a").build()),
            new NodeCandidate(node("b").build(), 0, 0, 0, false));
    Placement p = placer.place("app", component("x").build(), nodes);
    assertThat(p.summary()).isEqualTo("1/2 nodes: 1 unreachable");
    assertThat(p.explanation())
        .isEqualTo("1/2 nodes: placed on a (score 1.000); rejected 1 unreachable");
    Placement all =
        placer.place("app", component("x").build(), List.of(NodeCandidate.idle(node("a").build())));
    assertThat(all.summary()).isEqualTo("1/1 nodes: none rejected");
    assertThat(placer.place("app", component("x").build(), List.of()).summary())
        .isEqualTo("0/0 nodes: no candidate nodes");
  }

  @Test
  void aPlacementBuiltByHandBehavesLikeThePlacersOwn() {
    Placement p =
        new Placement(
            Optional.empty(),
            List.of(),
            Map.of("b", Rejection.of("unreachable"), "a", new Rejection("missing label", "gpu")),
            2);
    assertThat(p.reasons().keySet()).containsExactly("a", "b");
    assertThat(p.summary()).isEqualTo("0/2 nodes: 1 missing label gpu, 1 unreachable");
    assertThat(p.feasibleCount()).isZero();
  }

  @Test
  void placementsOfTheSameInputAreEqual() {
    Placement a = placer.place("app", detector(), twelveNodes());
    Placement b = placer.place("app", detector(), twelveNodes());
    assertThat(a).isEqualTo(b);
    assertThat(a.reasons()).isEqualTo(new java.util.TreeMap<>(b.reasons()));
  }
}
