package eu.mlsysops.orchestration;

import static eu.mlsysops.orchestration.TestComponents.component;
import static eu.mlsysops.orchestration.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.ContinuumLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Plans computed against a version, committed only while that version holds. */
class OptimisticPlacementTest {

  private static AppDescriptor app(String name, Component... cs) {
    return new AppDescriptor(name, null, List.of(), List.of(cs), List.of(), List.of(), null);
  }

  private static NodeCandidate idle(TestNodes n) {
    return NodeCandidate.idle(n.build());
  }

  @Test
  void planChangesNothingAndCommitsWhileTheVersionHolds() {
    PlacementSnapshot s =
        Placer.withDefaults().snapshot(List.of(idle(node("a").cores(2)), idle(node("b").cores(2))));
    AppDescriptor shop = app("shop", component("web").cpu("1").instances(2).build());
    long before = s.version();

    PlacementPlan plan = s.plan(shop);

    assertThat(plan.version()).isEqualTo(before);
    assertThat(s.version()).isEqualTo(before);
    assertThat(s.instancesOf("shop", "web")).isEmpty();
    assertThat(s.commit(plan)).isTrue();
    assertThat(s.instancesOf("shop", "web")).containsExactlyInAnyOrder("a", "b");
    assertThat(s.node("a").orElseThrow().cpuAllocatedMillis()).isEqualTo(1000);
    assertThat(s.version()).isGreaterThan(before);
  }

  @Test
  void aPlanMadeBeforeAnEventIsRefusedWholeAndLeavesNoTrace() {
    PlacementSnapshot s =
        Placer.withDefaults().snapshot(List.of(idle(node("a").cores(2)), idle(node("b").cores(2))));
    AppDescriptor shop = app("shop", component("web").cpu("1").instances(2).build());
    PlacementPlan plan = s.plan(shop);

    s.setHealthy("b", false); // the event lands between planning and committing

    assertThat(s.commit(plan)).isFalse();
    assertThat(s.instancesOf("shop", "web")).isEmpty();
    assertThat(s.node("a").orElseThrow().cpuAllocatedMillis()).isZero();
    assertThat(s.node("b").orElseThrow().cpuAllocatedMillis()).isZero();
    // Planned again from the new state: b is out.
    PlacementPlan again = s.plan(shop);
    assertThat(s.commit(again)).isTrue();
    assertThat(s.instancesOf("shop", "web")).containsExactly("a", "a");
  }

  @Test
  void aStalePlanIsRecomputedAndTheEventIsHonoured() {
    // The scorer stands in for a slow planner: while the first plan is being scored on its copy,
    // node b becomes unreachable on the live snapshot.
    AtomicReference<PlacementSnapshot> live = new AtomicReference<>();
    AtomicBoolean fired = new AtomicBoolean();
    Scorer slow =
        new Scorer() {
          @Override
          public String name() {
            return "slow";
          }

          @Override
          public double score(Component c, NodeCandidate n) {
            if (fired.compareAndSet(false, true)) {
              live.get().setHealthy("b", false);
            }
            return n.name().equals("b") ? 1 : 0.5; // b looks best, so the first plan wants it
          }
        };
    PlacementSnapshot s =
        Placer.builder()
            .scorer(slow, 1)
            .build()
            .snapshot(List.of(idle(node("a").cores(4)), idle(node("b").cores(4))));
    live.set(s);

    OptimisticPlacement.Result r =
        OptimisticPlacement.placeApp(s, app("shop", component("web").cpu("1").build()), 3);

    assertThat(r.committed()).isTrue();
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(s.instancesOf("shop", "web")).containsExactly("a");
    assertThat(s.node("b").orElseThrow().cpuAllocatedMillis()).isZero();
  }

  @Test
  void givesUpWithoutApplyingAnythingWhenEveryPlanGoesStale() {
    AtomicReference<PlacementSnapshot> live = new AtomicReference<>();
    AtomicInteger flips = new AtomicInteger();
    Scorer meddling =
        new Scorer() {
          @Override
          public String name() {
            return "meddling";
          }

          @Override
          public double score(Component c, NodeCandidate n) {
            live.get().setUtilization("a", (flips.incrementAndGet() % 10) / 10.0);
            return 1;
          }
        };
    PlacementSnapshot s =
        Placer.builder().scorer(meddling, 1).build().snapshot(List.of(idle(node("a").cores(4))));
    live.set(s);

    OptimisticPlacement.Result r =
        OptimisticPlacement.placeApp(s, app("shop", component("web").cpu("1").build()), 3);

    assertThat(r.committed()).isFalse();
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(s.instancesOf("shop", "web")).isEmpty();
    assertThat(s.node("a").orElseThrow().cpuAllocatedMillis()).isZero();
    assertThatThrownBy(() -> OptimisticPlacement.placeApp(s, app("x"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
  }

  @Test
  void concurrentAppsAndNodeEventsNeverOverCommitAndEveryCommitWasCurrent() throws Exception {
    List<NodeCandidate> nodes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      nodes.add(idle(node("n" + i).cores(4).layer(ContinuumLayer.EDGE)));
    }
    PlacementSnapshot s = Placer.withDefaults().snapshot(nodes);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger stale = new AtomicInteger();
    try {
      Future<?> events =
          pool.submit(
              () -> {
                go.await();
                int k = 0;
                while (!done.get()) {
                  String n = "n" + (k++ % 8);
                  s.setUtilization(n, (k % 7) / 7.0);
                  s.setHealthy(n, true);
                }
                return null;
              });
      List<Future<OptimisticPlacement.Result>> placers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int thread = t;
        placers.add(
            pool.submit(
                () -> {
                  go.await();
                  OptimisticPlacement.Result last = null;
                  for (int a = 0; a < 20; a++) {
                    last =
                        OptimisticPlacement.placeApp(
                            s,
                            app(
                                "app" + thread + "-" + a,
                                component("w").cpu("500m").instances(2).build()),
                            1_000);
                    stale.addAndGet(last.attempts() - 1);
                  }
                  return last;
                }));
      }
      go.countDown();
      for (Future<OptimisticPlacement.Result> f : placers) {
        assertThat(f.get(60, TimeUnit.SECONDS).committed()).isTrue();
      }
      done.set(true);
      events.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    long allocated = 0;
    int recorded = 0;
    for (NodeCandidate n : s.nodes()) {
      assertThat(n.cpuAllocatedMillis()).isLessThanOrEqualTo(n.cpuCapacityMillis());
      allocated += n.cpuAllocatedMillis();
    }
    for (int t = 0; t < 3; t++) {
      for (int a = 0; a < 20; a++) {
        recorded += s.instancesOf("app" + t + "-" + a, "w").size();
      }
    }
    // 60 apps × 2 instances × 500m = 60 cores wanted, 32 exist: what was recorded is exactly
    // what is allocated, and nothing beyond capacity.
    assertThat(allocated).isEqualTo(recorded * 500L);
    assertThat(allocated).isLessThanOrEqualTo(32_000);
    assertThat(recorded).isEqualTo(64);
  }

  @Test
  void explainListsEveryFailedFilterOrTheScoreBreakdown() {
    PlacementSnapshot s =
        Placer.withDefaults()
            .snapshot(
                List.of(
                    idle(node("cloud").cores(1).layer(ContinuumLayer.CLOUD)),
                    idle(node("edge").cores(8).layer(ContinuumLayer.EDGE))));
    PlacementRequest r =
        PlacementRequest.of(
            "shop",
            component("cam").cpu("2").layers(ContinuumLayer.EDGE).sensor("camera", "d455").build());

    NodeVerdict cloud = s.explain(r, "cloud");
    NodeVerdict edge = s.explain(r, "edge");
    NodeVerdict none = s.explain(r, "nowhere");

    assertThat(cloud.feasible()).isFalse();
    assertThat(cloud.failed())
        .extracting(Rejection::text)
        .containsExactly(
            "wrong continuum_layer", "missing sensor camera/d455", "insufficient cpu (need 2)");
    assertThat(cloud.text())
        .isEqualTo(
            "cloud: wrong continuum_layer, missing sensor camera/d455, insufficient cpu (need 2)");
    assertThat(edge.failed()).extracting(Rejection::text).containsExactly(
        "missing sensor camera/d455");
    assertThat(none.known()).isFalse();
    assertThat(none.text()).isEqualTo("nowhere: no such node");

    PlacementRequest fits = PlacementRequest.of("shop", component("w").cpu("1").build());
    NodeVerdict ok = s.explain(fits, "edge");
    assertThat(ok.feasible()).isTrue();
    assertThat(ok.score().orElseThrow().scores()).containsKeys("least_allocated", "low_utilization");
    assertThat(ok.score().orElseThrow().score())
        .isCloseTo(s.place(fits).ranking().get(0).score(), org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aWiderRankingLimitShowsEveryFeasibleNode() {
    List<NodeCandidate> nodes = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      nodes.add(idle(node("n" + i).cores(2)));
    }
    Placer p = Placer.withDefaults();
    PlacementRequest r = PlacementRequest.of("shop", component("w").cpu("1").build());
    assertThat(p.place(r, nodes).ranking()).hasSize(Placer.DEFAULT_RANKING_LIMIT);
    assertThat(p.withRankingLimit(Integer.MAX_VALUE).place(r, nodes).ranking()).hasSize(15);
    assertThat(p.withRankingLimit(Placer.DEFAULT_RANKING_LIMIT)).isSameAs(p);
  }
}
