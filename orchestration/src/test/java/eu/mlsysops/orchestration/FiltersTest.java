package eu.mlsysops.orchestration;

import static eu.mlsysops.orchestration.TestComponents.component;
import static eu.mlsysops.orchestration.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.ContinuumLayer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every filter the descriptors added beyond the basics: what it accepts, what it rejects, why. */
class FiltersTest {
  private final Placer placer = Placer.withDefaults();

  private Placement placeOn(Placer p, Component c, TestNodes n) {
    return p.place("app", c, List.of(NodeCandidate.idle(n.build())));
  }

  /** The only candidate is accepted. */
  private void accepts(Component c, TestNodes n) {
    Placement p = placeOn(placer, c, n);
    assertThat(p.reasons()).isEmpty();
    assertThat(p.isPlaced()).isTrue();
  }

  /** The only candidate is rejected; returns the reason. */
  private Rejection rejection(Placer p, Component c, TestNodes n) {
    Placement placement = placeOn(p, c, n);
    assertThat(placement.isPlaced()).isFalse();
    return placement.reasons().values().iterator().next();
  }

  private String reasonText(Component c, TestNodes n) {
    return rejection(placer, c, n).text();
  }

  @Test
  void reasonsSplitIntoACountableCategoryAndADetail() {
    NodeCandidate busy = new NodeCandidate(node("n1").cores(1).build(), 800, 0, 0, true);
    Placement p = placer.place("app", component("c").cpu("500m").build(), List.of(busy));
    assertThat(p.reasons())
        .containsExactly(Map.entry("n1", new Rejection("insufficient cpu", "need 500m")));
    assertThat(p.reasons().get("n1").text()).isEqualTo("insufficient cpu (need 500m)");
    Rejection sensor =
        rejection(placer, component("c").sensor("camera", "d455").build(), node("n"));
    assertThat(sensor).isEqualTo(new Rejection("missing sensor", "camera/d455"));
    assertThat(sensor.text()).isEqualTo("missing sensor camera/d455");
    assertThat(Rejection.of("wrong continuum_layer").text()).isEqualTo("wrong continuum_layer");
  }

  @Test
  void osMustMatchTheNodeEnvironment() {
    accepts(component("c").os("ubuntu").build(), node("n").os("ubuntu"));
    assertThat(reasonText(component("c").os("ubuntu").build(), node("n").os("kali")))
        .isEqualTo("wrong os (need ubuntu)");
    assertThat(reasonText(component("c").os("ubuntu").build(), node("n")))
        .isEqualTo("wrong os (need ubuntu)");
  }

  @Test
  void nodeTypeMustMatchTheNodeEnvironment() {
    accepts(component("c").nodeType("native").build(), node("n").nodeType("native"));
    assertThat(
            reasonText(
                component("c").nodeType("virtualized").build(), node("n").nodeType("native")))
        .isEqualTo("wrong node_type (need virtualized)");
  }

  @Test
  void containerRuntimeMustBeOneTheNodeOffers() {
    accepts(
        component("c").containerRuntime("docker").build(),
        node("n").runtimes("containerd", "docker"));
    assertThat(
            reasonText(
                component("c").containerRuntime("docker").build(),
                node("n").runtimes("containerd")))
        .isEqualTo("missing container_runtime docker");
    assertThat(reasonText(component("c").containerRuntime("emb_serve").build(), node("n")))
        .isEqualTo("missing container_runtime emb_serve");
  }

  @Test
  void runtimeClassDefaultAndCrunNeedAnOciRuntimeOnLinux() {
    accepts(component("c").runtimeClass("default").build(), node("n").runtimes("docker"));
    accepts(component("c").runtimeClass("crun").build(), node("n").runtimes("containerd"));
    assertThat(
            reasonText(
                component("c").runtimeClass("crun").build(),
                node("n").os("zephyr").runtimes("containerd")))
        .isEqualTo("unsupported runtime_class_name crun");
    assertThat(
            reasonText(
                component("c").runtimeClass("default").build(), node("n").runtimes("emb_serve")))
        .isEqualTo("unsupported runtime_class_name default");
  }

  @Test
  void runtimeClassNvidiaNeedsAGpu() {
    accepts(
        component("c").runtimeClass("nvidia").build(),
        node("n").runtimes("containerd").gpu("k80", 12));
    assertThat(
            reasonText(
                component("c").runtimeClass("nvidia").build(), node("n").runtimes("containerd")))
        .isEqualTo("unsupported runtime_class_name nvidia");
  }

  @Test
  void runtimeClassKataNeedsContainerdOnANativeNode() {
    Component kata = component("c").runtimeClass("kata-fc").build();
    accepts(kata, node("n").nodeType("native").runtimes("containerd"));
    assertThat(reasonText(kata, node("n").nodeType("virtualized").runtimes("containerd")))
        .isEqualTo("unsupported runtime_class_name kata-fc");
    assertThat(reasonText(kata, node("n").nodeType("native").runtimes("docker")))
        .isEqualTo("unsupported runtime_class_name kata-fc");
  }

  @Test
  void runtimeClassWasmAndUnikernelShimsNeedContainerd() {
    for (String rc : List.of("urunc", "lunatic", "spin", "wasmedge", "slight")) {
      accepts(component("c").runtimeClass(rc).build(), node("n").runtimes("containerd"));
      assertThat(reasonText(component("c").runtimeClass(rc).build(), node("n").runtimes("docker")))
          .isEqualTo("unsupported runtime_class_name " + rc);
    }
  }

  @Test
  void aNodeLabelDeclaresARuntimeClassExplicitly() {
    accepts(
        component("c").runtimeClass("gvisor").build(),
        node("n").label("runtime_class_name=gvisor"));
    assertThat(
            reasonText(
                component("c").runtimeClass("gvisor").build(), node("n").runtimes("containerd")))
        .isEqualTo("unsupported runtime_class_name gvisor");
  }

  @Test
  void cpuPerformanceIndicatorIsAMinimumWhenTheNodeStatesOne() {
    accepts(component("c").cpuPerformance(30).build(), node("n").cpuPerformance(70));
    accepts(component("c").cpuPerformance(30).build(), node("n"));
    assertThat(reasonText(component("c").cpuPerformance(30).build(), node("n").cpuPerformance(20)))
        .isEqualTo("cpu performance too low (need 30)");
  }

  @Test
  void gpuCountAndPerformanceAreChecked() {
    accepts(component("c").gpu(2, "k80", 2, 320.0).build(), node("n").gpu("k80", 3, 2.0, 330.0));
    assertThat(
            reasonText(
                component("c").gpu(2, null, null, null).build(),
                node("n").gpu("k80", 3, 1.0, null)))
        .isEqualTo("insufficient gpus (need 2)");
    assertThat(
            reasonText(
                component("c").gpu(1, null, null, 320.0).build(),
                node("n").gpu("k80", 3, 1.0, 300.0)))
        .isEqualTo("gpu performance too low (need 320)");
    assertThat(
            reasonText(
                component("c").gpu(1, null, 4, null).build(),
                node("n").gpu("k80", null, 1.0, null)))
        .isEqualTo("insufficient gpu memory (need 4 GB)");
  }

  @Test
  void fpgaModelMemoryAndPerformanceAreChecked() {
    accepts(component("c").fpga("zcu102", 4, 10.0).build(), node("n").fpga("zcu102", 4, 12.0));
    assertThat(
            reasonText(
                component("c").fpga("zcu102", null, null).build(), node("n").fpga("u250", 4, null)))
        .isEqualTo("wrong fpga model (need zcu102)");
    assertThat(
            reasonText(
                component("c").fpga(null, 8, null).build(), node("n").fpga("zcu102", 4, null)))
        .isEqualTo("insufficient fpga memory (need 8 GB)");
    assertThat(
            reasonText(
                component("c").fpga(null, null, 10.0).build(), node("n").fpga("zcu102", 4, 5.0)))
        .isEqualTo("fpga performance too low (need 10)");
  }

  @Test
  void mcuArchitectureComparesWithoutCaseAndFrequencyIsAMinimum() {
    TestNodes farEdge = node("m").layer(ContinuumLayer.FAR_EDGE).mcu("arm-M4", 0.08);
    accepts(component("c").mcu(List.of("arm-m4"), 0.05).build(), farEdge);
    assertThat(
            reasonText(
                component("c").mcu(List.of("arm-m0"), null).build(),
                node("m").layer(ContinuumLayer.FAR_EDGE).mcu("arm-M4", 0.08)))
        .isEqualTo("wrong mcu architecture (need arm-m0)");
    assertThat(
            reasonText(
                component("c").mcu(List.of(), 0.1).build(),
                node("m").layer(ContinuumLayer.FAR_EDGE).mcu("arm-M4", 0.08)))
        .isEqualTo("mcu frequency too low (need 0.1 GHz)");
    assertThat(
            reasonText(
                component("c").mcu().build(),
                node("m").layer(ContinuumLayer.EDGE).mcu("arm-M4", 0.08)))
        .isEqualTo("no mcu (needs a far_edge node with an mcu)");
  }

  @Test
  void accelerationApiNeedsTheCallAndTheFramework() {
    TestNodes offering = node("n").accelerationApi("image_inference", "gpu", "pytorch");
    accepts(component("c").accelerationApi("image_inference", "pytorch").build(), offering);
    accepts(
        component("c").accelerationApi("image_inference", "*").build(),
        node("n").accelerationApi("image_inference", "gpu", "pytorch"));
    assertThat(
            reasonText(
                component("c").accelerationApi("image_inference", "tensorflow").build(),
                node("n").accelerationApi("image_inference", "gpu", "pytorch")))
        .isEqualTo("missing acceleration_api image_inference/tensorflow");
    assertThat(
            reasonText(
                component("c").accelerationApi("calc_optical_flow", null).build(),
                node("n").accelerationApi("image_inference", "gpu", "pytorch")))
        .isEqualTo("missing acceleration_api calc_optical_flow");
  }

  @Test
  void diskIsCheckedAgainstTheNodesDiskWhenItStatesOne() {
    accepts(component("c").disk("120").build(), node("n").disk("120"));
    accepts(component("c").disk("120").build(), node("n"));
    assertThat(reasonText(component("c").disk("120").build(), node("n").disk("100")))
        .isEqualTo("insufficient disk (need 120Gi)");
  }

  @Test
  void withoutATrustSourceEveryNodeIsTrusted() {
    Component c = component("c").build();
    Placement p =
        placer.place(
            PlacementRequest.of("app", c).withTrustThreshold(0.9),
            List.of(NodeCandidate.idle(node("n").build())));
    assertThat(p.isPlaced()).isTrue();
  }

  @Test
  void rejectsNodesBelowThePlacersTrustThreshold() {
    Placer trusting = Placer.builder().trust(n -> n.name().equals("good") ? 0.9 : 0.5, 0.8).build();
    List<NodeCandidate> nodes =
        List.of(NodeCandidate.idle(node("good").build()), NodeCandidate.idle(node("bad").build()));
    Placement p = trusting.place("app", component("c").build(), nodes);
    assertThat(p.node()).contains("good");
    assertThat(p.rejections()).containsExactly(Map.entry("bad", "untrusted (need trust >= 0.8)"));
  }

  @Test
  void aScorerAddedLaterKeepsTheTrustFilterAndTheOtherScorers() {
    Placer trusting = Placer.builder().trust(n -> n.name().equals("good") ? 0.9 : 0.5, 0.8).build();
    Scorer constant = new Scorer() {
      @Override
      public String name() {
        return "constant";
      }

      @Override
      public double score(eu.mlsysops.model.Component c, NodeCandidate n) {
        return 0.7;
      }
    };
    Placer more = trusting.withScorer(constant, 2);
    List<NodeCandidate> nodes =
        List.of(NodeCandidate.idle(node("good").build()), NodeCandidate.idle(node("bad").build()));

    Placement p = more.place("app", component("c").build(), nodes);

    assertThat(p.node()).contains("good");
    assertThat(p.rejections()).containsOnlyKeys("bad");
    assertThat(p.ranking().get(0).scores()).containsKeys("least_allocated", "constant")
        .containsEntry("constant", 0.7);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> more.withScorer(constant, 1))
        .hasMessageContaining("two scorers are named constant");
  }

  @Test
  void aRequestsTrustThresholdOverridesThePlacers() {
    Placer trusting = Placer.builder().trust(n -> 0.5, 0.8).build();
    List<NodeCandidate> nodes = List.of(NodeCandidate.idle(node("n").build()));
    PlacementRequest lenient =
        PlacementRequest.of("app", component("c").build()).withTrustThreshold(0.4);
    assertThat(trusting.place(lenient, nodes).isPlaced()).isTrue();
    PlacementRequest strict = lenient.withTrustThreshold(0.6);
    assertThat(trusting.place(strict, nodes).summary())
        .isEqualTo("0/1 nodes: 1 untrusted (need trust >= 0.6)");
  }

  @Test
  void aFailingOrNanTrustSourceMeansUntrusted() {
    List<NodeCandidate> nodes = List.of(NodeCandidate.idle(node("n").build()));
    Placer throwing =
        Placer.builder()
            .trust(
                n -> {
                  throw new IllegalStateException("reputation service down");
                },
                0.1)
            .build();
    assertThat(throwing.place("app", component("c").build(), nodes).isPlaced()).isFalse();
    Placer nan = Placer.builder().trust(n -> Double.NaN, 0.1).build();
    assertThat(nan.place("app", component("c").build(), nodes).isPlaced()).isFalse();
  }

  @Test
  void theTrustSourceIsAskedOnlyAboutOtherwiseFeasibleNodes() {
    List<String> asked = new java.util.ArrayList<>();
    Placer p =
        Placer.builder()
            .trust(
                n -> {
                  asked.add(n.name());
                  return 1;
                },
                0.5)
            .build();
    List<NodeCandidate> nodes =
        List.of(
            NodeCandidate.idle(node("cloud").layer(ContinuumLayer.CLOUD).build()),
            NodeCandidate.idle(node("edge").build()));
    p.place("app", component("c").layers(ContinuumLayer.EDGE).build(), nodes);
    assertThat(asked).containsExactly("edge");
  }

  @Test
  void aNamedNodeThatIsNotACandidateRejectsEveryNode() {
    assertThat(reasonText(component("c").node("ghost").build(), node("n")))
        .isEqualTo("not the named node ghost");
  }

  @Test
  void eachContainersArchitectureListMustHoldTheNodes() {
    assertThat(reasonText(component("c").arch("arm64", "amd64").build(), node("n").arch("riscv64")))
        .isEqualTo("wrong cpu architecture (need arm64/amd64)");
    assertThat(reasonText(component("c").arch("arm64").build(), node("n")))
        .isEqualTo("wrong cpu architecture (need arm64)");
  }

  @Test
  void anOverCommittedNodeIsFullEvenForAComponentWithoutRequests() {
    NodeCandidate over = new NodeCandidate(node("n").cores(1).build(), 1500, 0, 0, true);
    Placement p = placer.place("app", component("c").build(), List.of(over));
    assertThat(p.summary()).isEqualTo("0/1 nodes: 1 insufficient cpu (need 0m)");
  }
}
