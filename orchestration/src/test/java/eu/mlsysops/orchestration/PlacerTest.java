package eu.mlsysops.orchestration;

import static eu.mlsysops.orchestration.TestComponents.component;
import static eu.mlsysops.orchestration.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.NodeDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacerTest {
  private final Placer placer = Placer.withDefaults();

  private static NodeCandidate idle(TestNodes n) {
    return NodeCandidate.idle(n.build());
  }

  /** The reason the only candidate is rejected for. */
  private String rejectionOf(Component c, NodeCandidate n) {
    Placement p = placer.place("app", c, List.of(n));
    assertThat(p.node()).isEmpty();
    return p.rejections().get(n.name());
  }

  @Test
  void rejectsAnUnhealthyNodeAsUnreachable() {
    NodeCandidate down = new NodeCandidate(node("n1").build(), 0, 0, 0, false);
    assertThat(rejectionOf(component("c").build(), down)).isEqualTo("unreachable");
  }

  @Test
  void rejectsEveryNodeButTheNamedOne() {
    assertThat(rejectionOf(component("c").node("n2").build(), idle(node("n1"))))
        .isEqualTo("not the named node n2");
  }

  @Test
  void rejectsANodeOnAnotherContinuumLayer() {
    Component edgeOnly = component("c").layers(ContinuumLayer.EDGE).build();
    assertThat(rejectionOf(edgeOnly, idle(node("n1").layer(ContinuumLayer.CLOUD))))
        .isEqualTo("wrong continuum_layer");
  }

  @Test
  void anyLayerAcceptsEveryNode() {
    Component anywhere = component("c").layers(ContinuumLayer.ANY).build();
    Placement p =
        placer.place("app", anywhere, List.of(idle(node("n1").layer(ContinuumLayer.FAR_EDGE))));
    assertThat(p.node()).contains("n1");
  }

  @Test
  void rejectsANodeWithoutARequiredLabel() {
    assertThat(rejectionOf(component("c").label("gdpr").build(), idle(node("n1").label("eu"))))
        .isEqualTo("missing label gdpr");
  }

  @Test
  void mobileComponentNeedsAMobileNodeButAStaticOneRunsAnywhere() {
    assertThat(rejectionOf(component("c").mobile(true).build(), idle(node("n1"))))
        .isEqualTo("not mobile");
    Placement p =
        placer.place(
            "app", component("c").mobile(false).build(), List.of(idle(node("n1").mobile())));
    assertThat(p.node()).contains("n1");
  }

  @Test
  void rejectsANodeOfAnotherCpuArchitecture() {
    assertThat(rejectionOf(component("c").arch("arm64").build(), idle(node("n1").arch("amd64"))))
        .isEqualTo("wrong cpu architecture (need arm64)");
  }

  @Test
  void rejectsANodeWhoseFastestClockIsTooSlow() {
    assertThat(rejectionOf(component("c").ghz(1.4).build(), idle(node("n1").ghz(0.8, 1.2))))
        .isEqualTo("cpu frequency too low (need 1.4 GHz)");
  }

  @Test
  void rejectsANodeWithoutTheSensorTypeAndModel() {
    Component needsCamera = component("c").sensor("camera", "d455").build();
    assertThat(rejectionOf(needsCamera, idle(node("n1").sensor("camera", "imx219"))))
        .isEqualTo("missing sensor camera/d455");
    Component anyThermometer = component("c").sensor("temperature", null).build();
    assertThat(rejectionOf(anyThermometer, idle(node("n1"))))
        .isEqualTo("missing sensor temperature");
  }

  @Test
  void rejectsANodeWithoutTheGpuAskedFor() {
    assertThat(rejectionOf(component("c").gpu("k80", 2).build(), idle(node("n1"))))
        .isEqualTo("missing gpu");
    assertThat(rejectionOf(component("c").gpu("k80", 2).build(), idle(node("n1").gpu("k40", 8))))
        .isEqualTo("wrong gpu model (need k80)");
    assertThat(rejectionOf(component("c").gpu("k80", 4).build(), idle(node("n1").gpu("k80", 3))))
        .isEqualTo("insufficient gpu memory (need 4 GB)");
  }

  @Test
  void rejectsANodeWithoutTheFpgaAskedFor() {
    assertThat(rejectionOf(component("c").fpga("zcu102").build(), idle(node("n1"))))
        .isEqualTo("missing fpga");
  }

  @Test
  void mcuComponentsGoToFarEdgeMicrocontrollersAndNowhereElse() {
    NodeCandidate mcuNode = idle(node("m1").layer(ContinuumLayer.FAR_EDGE).mcuOnly(0.08));
    assertThat(rejectionOf(component("c").mcu().build(), idle(node("n1"))))
        .isEqualTo("no mcu (needs a far_edge node with an mcu)");
    assertThat(placer.place("app", component("c").mcu().build(), List.of(mcuNode)).node())
        .contains("m1");
    assertThat(rejectionOf(component("c").build(), mcuNode))
        .isEqualTo("mcu-only node (component needs a cpu)");
  }

  @Test
  void rejectsANodeWithoutEnoughUnallocatedCpu() {
    NodeCandidate busy = new NodeCandidate(node("n1").cores(2).build(), 1800, 0, 0, true);
    assertThat(rejectionOf(component("c").cpu("500m").build(), busy))
        .isEqualTo("insufficient cpu (need 500m)");
  }

  @Test
  void rejectsANodeWithoutEnoughUnallocatedMemory() {
    NodeCandidate full =
        new NodeCandidate(node("n1").memory("1Gi").build(), 0, 1000L << 20, 0, true);
    assertThat(rejectionOf(component("c").memory("64Mi").build(), full))
        .isEqualTo("insufficient memory (need 64Mi)");
  }

  @Test
  void neverPlacesOnAnExcludedNode() {
    List<NodeCandidate> nodes = List.of(idle(node("a")), idle(node("b")));
    Placement p = placer.place("app", component("c").build(), nodes, Set.of("a"));
    assertThat(p.node()).contains("b");
    assertThat(p.rejections()).containsEntry("a", "excluded (current node)");
  }

  @Test
  void explainsAnUnschedulableComponentByCountingFirstFailingFilters() {
    Component c =
        component("detector")
            .layers(ContinuumLayer.EDGE)
            .cpu("500m")
            .sensor("camera", "d455")
            .build();
    List<NodeCandidate> nodes = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      nodes.add(idle(node("cloud-" + i).layer(ContinuumLayer.CLOUD).sensor("camera", "d455")));
    }
    for (int i = 0; i < 3; i++) {
      NodeDescriptor d = node("busy-" + i).cores(1).sensor("camera", "d455").build();
      nodes.add(new NodeCandidate(d, 800, 0, 0.9, true));
    }
    for (int i = 0; i < 2; i++) {
      nodes.add(idle(node("blind-" + i)));
    }

    Placement p = placer.place("app", c, nodes);

    assertThat(p.isPlaced()).isFalse();
    assertThat(p.ranking()).isEmpty();
    assertThat(p.explanation())
        .isEqualTo(
            "0/12 nodes: 7 wrong continuum_layer, 3 insufficient cpu (need 500m),"
                + " 2 missing sensor camera/d455");
    assertThat(p.rejections())
        .hasSize(12)
        .containsEntry("blind-1", "missing sensor camera/d455")
        .containsEntry("busy-0", "insufficient cpu (need 500m)");
  }

  @Test
  void equalCountsInTheExplanationAreSortedByReason() {
    List<NodeCandidate> nodes =
        List.of(
            new NodeCandidate(node("a").build(), 0, 0, 0, false),
            new NodeCandidate(node("b").build(), 0, 0, 0, false),
            idle(node("c")),
            idle(node("d")));
    Placement p = placer.place("app", component("x").label("gpu-pool").build(), nodes);
    assertThat(p.explanation()).isEqualTo("0/4 nodes: 2 missing label gpu-pool, 2 unreachable");
  }

  @Test
  void explainsThatThereWasNothingToChooseFrom() {
    assertThat(placer.place("app", component("x").build(), List.of()).explanation())
        .isEqualTo("0/0 nodes: no candidate nodes");
  }

  @Test
  void picksTheLeastAllocatedNode() {
    NodeDescriptor d1 = node("n1").cores(4).memory("8Gi").build();
    NodeDescriptor d2 = node("n2").cores(4).memory("8Gi").build();
    NodeDescriptor d3 = node("n3").cores(4).memory("8Gi").build();
    List<NodeCandidate> nodes =
        List.of(
            new NodeCandidate(d1, 3000, 6L << 30, 0, true),
            new NodeCandidate(d2, 500, 1L << 30, 0, true),
            new NodeCandidate(d3, 2000, 4L << 30, 0, true));

    Placement p = placer.place("app", component("c").cpu("500m").memory("1Gi").build(), nodes);

    assertThat(p.node()).contains("n2");
    assertThat(p.ranking())
        .extracting(Placement.CandidateScore::node)
        .containsExactly("n2", "n3", "n1");
    // n2 after placement: cpu 3000/4000 free, memory 6/8 free.
    assertThat(p.ranking().get(0).scores().get("least_allocated")).isCloseTo(0.75, within(1e-9));
    assertThat(p.ranking().get(0).scores().keySet())
        .containsExactly("least_allocated", "low_utilization");
    assertThat(p.explanation()).isEqualTo("3/3 nodes: placed on n2 (score 0.833)");
  }

  @Test
  void breaksTiesByNodeNameWhateverTheInputOrder() {
    List<NodeCandidate> nodes = List.of(idle(node("c")), idle(node("a")), idle(node("b")));
    Placement p = placer.place("app", component("x").cpu("100m").build(), nodes);
    assertThat(p.node()).contains("a");
    assertThat(p.ranking())
        .extracting(Placement.CandidateScore::node)
        .containsExactly("a", "b", "c");
  }

  @Test
  void weighsConfiguredScorersOnly() {
    Placer busyFirst =
        Placer.builder()
            .scorer(
                new Scorer() {
                  @Override
                  public String name() {
                    return "most_utilized";
                  }

                  @Override
                  public double score(Component component, NodeCandidate node) {
                    return node.cpuUtilization();
                  }
                },
                2.0)
            .build();
    List<NodeCandidate> nodes =
        List.of(
            new NodeCandidate(node("quiet").build(), 0, 0, 0.1, true),
            new NodeCandidate(node("busy").build(), 0, 0, 0.7, true));

    Placement p = busyFirst.place("app", component("x").build(), nodes);

    assertThat(p.node()).contains("busy");
    assertThat(p.ranking().get(0).score()).isCloseTo(0.7, within(1e-9));
    assertThat(p.ranking().get(0).scores()).containsOnlyKeys("most_utilized");
  }

  @Test
  void balancedResourceScorerPrefersEvenAllocation() {
    BalancedResourceScorer scorer = new BalancedResourceScorer();
    NodeDescriptor d = node("n").cores(4).memory("4Gi").build();
    Component c = component("x").cpu("1").memory("1Gi").build();
    assertThat(scorer.score(c, new NodeCandidate(d, 1000, 1L << 30, 0, true)))
        .isCloseTo(1.0, within(1e-9));
    assertThat(scorer.score(c, new NodeCandidate(d, 3000, 0, 0, true)))
        .isCloseTo(0.25, within(1e-9));
  }

  @Test
  void candidateCapacityDefaultsByLayer() {
    NodeCandidate cloud = idle(node("c").layer(ContinuumLayer.CLOUD));
    NodeCandidate farEdge = idle(node("f").layer(ContinuumLayer.FAR_EDGE));
    assertThat(cloud.cpuCapacityMillis()).isEqualTo(8000);
    assertThat(farEdge.cpuCapacityMillis()).isEqualTo(1000);
    assertThat(idle(node("e").cores(6).memory("2Gi")).memoryCapacityBytes()).isEqualTo(2L << 30);
  }
}
