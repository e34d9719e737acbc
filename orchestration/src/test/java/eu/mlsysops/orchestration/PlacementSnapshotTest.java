package eu.mlsysops.orchestration;

import static eu.mlsysops.orchestration.TestComponents.component;
import static eu.mlsysops.orchestration.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.ComponentInteraction;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.Scaling;
import eu.mlsysops.model.SingleNodeGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Placing many instances in a row, committing, releasing, and whole apps. */
class PlacementSnapshotTest {
  private final Placer placer = Placer.withDefaults();

  private static AppDescriptor app(
      List<Component> components,
      List<SingleNodeGroup> groups,
      List<ComponentInteraction> interactions) {
    return new AppDescriptor("shop", null, groups, components, interactions, List.of(), null);
  }

  private static NodeCandidate idle(TestNodes n) {
    return NodeCandidate.idle(n.build());
  }

  @Test
  void eachCommittedPlacementUsesUpWhatTheNextOneSees() {
    PlacementSnapshot s =
        placer.snapshot(List.of(idle(node("a").cores(2)), idle(node("b").cores(1))));
    Component c = component("w").cpu("1").build();
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      chosen.add(s.placeAndCommit(PlacementRequest.of("app", c)).node().orElse("-"));
    }
    assertThat(chosen).containsExactly("a", "b", "a", "-");
    assertThat(s.node("a").orElseThrow().cpuAllocatedMillis()).isEqualTo(2000);
    assertThat(s.placeAndCommit(PlacementRequest.of("app", c)).summary())
        .isEqualTo("0/2 nodes: 2 insufficient cpu (need 1)");
    assertThat(s.instancesOf("app", "w")).containsExactly("a", "b", "a");
  }

  @Test
  void placeAloneChangesNothing() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a").cores(1))));
    long before = s.version();
    Component c = component("w").cpu("1").build();
    assertThat(s.place(PlacementRequest.of("app", c)).node()).contains("a");
    assertThat(s.place(PlacementRequest.of("app", c)).node()).contains("a");
    assertThat(s.version()).isEqualTo(before);
    assertThat(s.node("a").orElseThrow().cpuAllocatedMillis()).isZero();
  }

  @Test
  void aStaleDecisionIsNotCommitted() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a").cores(1))));
    PlacementRequest r = PlacementRequest.of("app", component("w").cpu("1").build());
    String decided = s.place(r).node().orElseThrow();
    // Meanwhile another instance took the CPU, and the node became unreachable.
    assertThat(s.commit(r, decided)).isTrue();
    assertThat(s.commit(r, decided)).isFalse();
    s.update(new NodeCandidate(node("a").cores(4).build(), 1000, 0, 0, false));
    assertThat(s.commit(r, "a")).isFalse();
    assertThat(s.commit(r, "gone")).isFalse();
  }

  @Test
  void releaseFreesTheRequestsAndForgetsTheInstance() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a").cores(1))));
    Component c = component("w").cpu("1").memory("1Gi").build();
    assertThat(s.placeAndCommit(PlacementRequest.of("app", c)).isPlaced()).isTrue();
    assertThat(s.release("app", c, "a")).isTrue();
    assertThat(s.node("a").orElseThrow().cpuAllocatedMillis()).isZero();
    assertThat(s.node("a").orElseThrow().memoryAllocatedBytes()).isZero();
    assertThat(s.instancesOf("app", "w")).isEmpty();
    assertThat(s.placeAndCommit(PlacementRequest.of("app", c)).isPlaced()).isTrue();
  }

  @Test
  void nodesComeGoAndChange() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a"))));
    Component gpu = component("g").gpu("k80", 2).build();
    assertThat(s.place(PlacementRequest.of("app", gpu)).isPlaced()).isFalse();
    s.update(idle(node("b").gpu("k80", 12)));
    assertThat(s.place(PlacementRequest.of("app", gpu)).node()).contains("b");
    s.update(idle(node("a").gpu("k80", 24)));
    s.update(new NodeCandidate(node("b").gpu("k80", 12).build(), 0, 0, 0, false));
    assertThat(s.place(PlacementRequest.of("app", gpu)).node()).contains("a");
    assertThat(s.remove("a")).isTrue();
    assertThat(s.remove("a")).isFalse();
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.place(PlacementRequest.of("app", gpu)).summary())
        .isEqualTo("0/1 nodes: 1 unreachable");
  }

  @Test
  void anEarlierPlacementStillExplainsItselfAfterTheSnapshotMovedOn() {
    PlacementSnapshot s =
        placer.snapshot(List.of(idle(node("a")), idle(node("b").layer(ContinuumLayer.CLOUD))));
    Placement before =
        s.place(PlacementRequest.of("app", component("w").layers(ContinuumLayer.EDGE).build()));
    s.remove("b");
    s.update(idle(node("c")));
    assertThat(before.rejections())
        .containsExactly(java.util.Map.entry("b", "wrong continuum_layer"));
    assertThat(before.summary()).isEqualTo("1/2 nodes: 1 wrong continuum_layer");
  }

  @Test
  void aCopyIsIndependent() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a").cores(1))));
    PlacementSnapshot dryRun = s.copy();
    Component c = component("w").cpu("1").build();
    assertThat(dryRun.placeAndCommit(PlacementRequest.of("app", c)).isPlaced()).isTrue();
    assertThat(dryRun.placeAndCommit(PlacementRequest.of("app", c)).isPlaced()).isFalse();
    assertThat(s.node("a").orElseThrow().cpuAllocatedMillis()).isZero();
    assertThat(s.placeAndCommit(PlacementRequest.of("app", c)).isPlaced()).isTrue();
  }

  @Test
  void rejectsTwoCandidatesOfTheSameName() {
    assertThatThrownBy(() -> placer.snapshot(List.of(idle(node("a")), idle(node("a")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("two candidate nodes are named a");
  }

  @Test
  void instancesSpreadOverNodesWhenTheyCan() {
    // b is far better by score (bigger), yet the second instance goes to a.
    PlacementSnapshot s =
        placer.snapshot(
            List.of(idle(node("a").cores(2)), idle(node("b").cores(16).memory("64Gi"))));
    Component c = component("w").cpu("500m").instances(3).build();
    AppPlacement result = s.placeApp(app(List.of(c), List.of(), List.of()));
    assertThat(result.nodeOf("w", 0)).contains("b");
    assertThat(result.nodeOf("w", 1)).contains("a");
    // Every node has one; the third goes by score again.
    assertThat(result.nodeOf("w", 2)).contains("b");
  }

  @Test
  void instancesShareANodeWhenNoOtherFits() {
    PlacementSnapshot s =
        placer.snapshot(
            List.of(idle(node("a").cores(2)), idle(node("b").layer(ContinuumLayer.CLOUD))));
    Component c = component("w").layers(ContinuumLayer.EDGE).cpu("500m").instances(2).build();
    AppPlacement result = s.placeApp(app(List.of(c), List.of(), List.of()));
    assertThat(result.isComplete()).isTrue();
    assertThat(result.nodeOf("w", 0)).contains("a");
    assertThat(result.nodeOf("w", 1)).contains("a");
  }

  @Test
  void placeAppPlacesOnlyWhatIsNotRunningYet() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a")), idle(node("b"))));
    s.recordRunning("shop", "w", "a");
    Component c = component("w").instances(2).build();
    AppPlacement result = s.placeApp(app(List.of(c), List.of(), List.of()));
    assertThat(result.instances()).hasSize(1);
    assertThat(result.instances().get(0).slot()).isEqualTo(1);
    assertThat(result.nodeOf("w", 1)).contains("b");
  }

  @Test
  void componentsArePlacedAfterWhatTheyDependOnAndNearIt() {
    PlacementSnapshot s =
        placer.snapshot(
            List.of(
                idle(node("cam").cluster("c1").sensor("camera", "d455").cores(4)),
                idle(node("big").cluster("c2").cores(8).memory("32Gi"))));
    Component detector = component("detector").dependsOn("ingest").cpu("1").build();
    Component ingest = component("ingest").sensor("camera", "d455").cpu("1").build();
    AppPlacement result =
        s.placeApp(
            app(
                List.of(detector, ingest),
                List.of(),
                List.of(
                    new ComponentInteraction("ingest", "egress", "detector", "high", List.of()))));
    assertThat(result.instances())
        .extracting(AppPlacement.InstancePlacement::component)
        .containsExactly("ingest", "detector");
    // Without locality the bigger node would win; next to the camera feed is better.
    assertThat(result.nodeOf("detector", 0)).contains("cam");
    assertThat(Placer.withDefaults().place("shop", detector, s.nodes()).node()).contains("big");
  }

  @Test
  void singleNodeGroupMembersShareOneNodeWithSummedRequests() {
    PlacementSnapshot s =
        placer.snapshot(
            List.of(
                idle(node("small").cores(1)),
                idle(node("roomy").cores(2)),
                idle(node("cloud").layer(ContinuumLayer.CLOUD).cores(64))));
    Component web = component("web").cpu("1").layers(ContinuumLayer.CLOUD).build();
    Component cache = component("cache").cpu("1").build();
    SingleNodeGroup group =
        new SingleNodeGroup(
            List.of("web", "cache"), List.of(ContinuumLayer.EDGE), null, null, List.of(), null);
    AppPlacement result = s.placeApp(app(List.of(web, cache), List.of(group), List.of()));
    // The group's edge layer overrides web's cloud; only roomy has 2 cores for both.
    assertThat(result.nodeOf("web", 0)).contains("roomy");
    assertThat(result.nodeOf("cache", 0)).contains("roomy");
    assertThat(s.node("roomy").orElseThrow().cpuAllocatedMillis()).isEqualTo(2000);
    assertThat(result.instances().get(0).placement().summary())
        .isEqualTo("1/3 nodes: 1 insufficient cpu (need 2), 1 wrong continuum_layer");
  }

  @Test
  void singleNodeGroupReplicasFollowTheGroupsScalingAndSpread() {
    PlacementSnapshot s =
        placer.snapshot(List.of(idle(node("a")), idle(node("b")), idle(node("c"))));
    SingleNodeGroup group =
        new SingleNodeGroup(
            List.of("web", "cache"),
            List.of(),
            new Scaling("manual", 2, null),
            null,
            List.of(),
            null);
    AppPlacement result =
        s.placeApp(
            app(
                List.of(component("web").cpu("1").build(), component("cache").build()),
                List.of(group),
                List.of()));
    assertThat(result.instances()).hasSize(4);
    assertThat(result.nodeOf("web", 0)).isEqualTo(result.nodeOf("cache", 0));
    assertThat(result.nodeOf("web", 1)).isEqualTo(result.nodeOf("cache", 1));
    assertThat(result.nodeOf("web", 0)).isNotEqualTo(result.nodeOf("web", 1));
  }

  @Test
  void aMissingGroupMemberJoinsTheOneAlreadyRunning() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a")), idle(node("b").cores(16))));
    s.recordRunning("shop", "web", "a");
    SingleNodeGroup group =
        new SingleNodeGroup(List.of("web", "cache"), List.of(), null, null, List.of(), null);
    AppPlacement result =
        s.placeApp(
            app(
                List.of(component("web").build(), component("cache").build()),
                List.of(group),
                List.of()));
    assertThat(result.instances()).hasSize(1);
    assertThat(result.nodeOf("cache", 0)).contains("a");
  }

  @Test
  void anUnschedulableGroupExplainsItselfForEachMember() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a"))));
    SingleNodeGroup group =
        new SingleNodeGroup(List.of("web", "cache"), List.of(), null, true, List.of(), null);
    AppPlacement result =
        s.placeApp(
            app(
                List.of(component("web").build(), component("cache").build()),
                List.of(group),
                List.of()));
    assertThat(result.isComplete()).isFalse();
    assertThat(result.unschedulable())
        .extracting(Object::toString)
        .containsExactly("web#0: 0/1 nodes: 1 not mobile", "cache#0: 0/1 nodes: 1 not mobile");
  }

  @Test
  void mobileComponentsGoToMobileNodes() {
    PlacementSnapshot s =
        placer.snapshot(List.of(idle(node("fixed").cores(16)), idle(node("drone").mobile())));
    AppPlacement result =
        s.placeApp(app(List.of(component("tracker").mobile(true).build()), List.of(), List.of()));
    assertThat(result.nodeOf("tracker", 0)).contains("drone");
  }

  @Test
  void concurrentPlacementsReleasesAndNodeEventsNeverOverCommit() throws Exception {
    List<NodeCandidate> nodes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      nodes.add(idle(node(String.format("n%02d", i)).cores(2)));
    }
    PlacementSnapshot s = placer.snapshot(nodes);
    Component c = component("w").cpu("500m").build();
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger committed = new AtomicInteger();
    AtomicInteger released = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      futures.add(
          pool.submit(
              () -> {
                java.util.Random rnd = new java.util.Random(seed);
                start.await();
                for (int i = 0; i < 2000; i++) {
                  int op = rnd.nextInt(10);
                  if (op < 6) {
                    Placement p = s.placeAndCommit(PlacementRequest.of("app", c));
                    if (p.isPlaced()) {
                      committed.incrementAndGet();
                    }
                  } else if (op < 8) {
                    List<String> where = s.instancesOf("app", "w");
                    if (!where.isEmpty()
                        && s.release("app", c, where.get(rnd.nextInt(where.size())))) {
                      released.incrementAndGet();
                    }
                  } else {
                    // A node's health flips as heartbeats come and go; its load changes.
                    String name = String.format("n%02d", rnd.nextInt(20));
                    s.setHealthy(name, rnd.nextBoolean());
                    s.setUtilization(name, rnd.nextDouble());
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(20, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long allocated = 0;
    for (NodeCandidate n : s.nodes()) {
      assertThat(n.cpuAllocatedMillis()).isBetween(0L, n.cpuCapacityMillis());
      allocated += n.cpuAllocatedMillis();
    }
    int running = committed.get() - released.get();
    assertThat(s.instancesOf("app", "w")).hasSize(running);
    assertThat(allocated).isEqualTo(500L * running);
    assertThat(committed.get()).isGreaterThan(40);
  }

  @Test
  void healthAndUtilisationEventsKeepAllocations() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a").cores(2))));
    Component c = component("w").cpu("1").build();
    s.placeAndCommit(PlacementRequest.of("app", c));
    assertThat(s.setHealthy("a", false)).isTrue();
    assertThat(s.place(PlacementRequest.of("app", c)).summary())
        .isEqualTo("0/1 nodes: 1 unreachable");
    assertThat(s.setHealthy("a", true)).isTrue();
    assertThat(s.setUtilization("a", 0.25)).isTrue();
    NodeCandidate a = s.node("a").orElseThrow();
    assertThat(a.cpuAllocatedMillis()).isEqualTo(1000);
    assertThat(a.cpuUtilization()).isEqualTo(0.25);
    assertThat(s.place(PlacementRequest.of("app", c)).ranking().get(0).scores())
        .containsEntry("low_utilization", 0.75);
    assertThat(s.setHealthy("ghost", true)).isFalse();
  }

  @Test
  void excludedNodesAreNeverChosen() {
    PlacementSnapshot s = placer.snapshot(List.of(idle(node("a")), idle(node("b"))));
    Placement p =
        s.place(PlacementRequest.of("app", component("w").build()).excluding(Set.of("a")));
    assertThat(p.node()).contains("b");
    assertThat(p.rejections()).containsExactly(java.util.Map.entry("a", "excluded (current node)"));
  }
}
