package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.orchestration.InstanceStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure handling across the tiers, each agent on its own link: a killed node, a cluster agent
 * killed and restarted on its data directory, a node cut off and healed under each disconnect
 * policy, a node rebooted while its cluster is unreachable, and a lost cluster. Fast detection
 * (100 ms heartbeats, 3 missed, 300 ms grace); the assertions are about outcomes, not timings.
 */
class FailureRecoveryIT {
  @TempDir Path dataDir;
  private TierFixture f;

  @BeforeEach
  void setUp() {
    f = new TierFixture(dataDir, TierFixture.FAST).start();
    await().atMost(10, TimeUnit.SECONDS).until(() -> f.continuum.clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void deployAndWait(String app, String disconnect) {
    f.continuum.deploy(TierFixture.web(app, disconnect));
    await().atMost(20, TimeUnit.SECONDS).until(() -> f.phase(app).equals("Running")
        && f.running(app).size() == 2);
  }

  private static Set<String> ids(List<InstanceStatus> instances) {
    return instances.stream().map(InstanceStatus::instanceId).collect(Collectors.toSet());
  }

  private static List<InstanceStatus> on(List<InstanceStatus> instances, String node, boolean is) {
    return instances.stream().filter(s -> s.node().equals(node) == is).toList();
  }

  @Test
  void killedNodesInstancesRunElsewhere() {
    deployAndWait("web", null);
    String victim = f.running("web").get(0).node();

    f.nodes.get(victim).close();
    f.cut(victim);
    f.simulation.failNode(victim);

    await().atMost(20, TimeUnit.SECONDS).until(() -> f.running("web").size() == 2
        && on(f.running("web"), victim, true).isEmpty() && f.phase("web").equals("Running"));
    assertThat(f.saw("node " + victim + " is unreachable")).isTrue();
    assertThat(f.saw("node " + victim + " lost for app web")).isTrue();
    assertThat(f.continuum.clusters()).filteredOn(c -> c.id().equals("cloud")).singleElement()
        .satisfies(c -> assertThat(c.nodes()).filteredOn(n -> n.name().equals(victim))
            .singleElement().satisfies(n -> assertThat(n.healthy()).isFalse()));
  }

  @Test
  void restartedClusterAgentRecoversItsStateAndDuplicatesNothing() {
    deployAndWait("web", null);
    Set<String> before = ids(f.running("web"));

    ClusterAgent restarted = f.crashAndRestartCluster("cloud");

    // Recovered from disk before any node spoke to the new agent.
    assertThat(restarted.placementCount()).isEqualTo(2);
    await().atMost(10, TimeUnit.SECONDS).until(() -> f.saw("node cloud-1 reattached")
        && f.saw("node cloud-2 reattached") && f.saw("node cloud-3 reattached"));
    await().during(1, TimeUnit.SECONDS).atMost(5, TimeUnit.SECONDS)
        .until(() -> ids(f.live("web")).equals(before));
    await().atMost(10, TimeUnit.SECONDS).until(() -> f.phase("web").equals("Running"));
    assertThat(ids(f.running("web"))).isEqualTo(before);
    assertThat(restarted.placementCount()).isEqualTo(2);
  }

  @Test
  void continuumKilledRightAfterAcceptingAnAppLosesNothingAndDuplicatesNothing() {
    f.continuum.deploy(TierFixture.web("web", null));
    // Killed while the placement is still under way.
    f.crashAndRestartContinuum();

    assertThat(f.continuum.app("web")).isPresent();
    await().atMost(20, TimeUnit.SECONDS).until(() -> f.phase("web").equals("Running"));
    await().during(1, TimeUnit.SECONDS).atMost(5, TimeUnit.SECONDS)
        .until(() -> f.live("web").size() == 2);
    assertThat(f.continuum.app("web").orElseThrow().components().get(0).cluster())
        .isEqualTo("cloud");
  }

  @Test
  void nodeCutOffKeepsRunningBuffersAndConvergesWhenHealed() {
    deployAndWait("web", null);
    String victim = f.running("web").get(0).node();
    String original = on(f.running("web"), victim, true).get(0).instanceId();

    f.cut(victim);

    // The cluster replaces it; the node, cut off, keeps running its instance and buffers.
    await().atMost(20, TimeUnit.SECONDS).until(() -> on(f.running("web"), victim, false).size()
        == 2);
    assertThat(ids(on(f.running("web"), victim, true))).containsExactly(original);
    await().atMost(15, TimeUnit.SECONDS).until(() -> f.nodes.get(victim).uplinkBacklog()[0] > 0);

    f.heal(victim);

    await().atMost(20, TimeUnit.SECONDS).until(() -> f.live("web").size() == 2
        && f.running("web").size() == 2 && f.phase("web").equals("Running"));
    await().atMost(5, TimeUnit.SECONDS).until(() -> f.nodes.get(victim).uplinkBacklog()[0] == 0);
    assertThat(f.saw("node " + victim + " healed: kept the")).isTrue();
    await().during(500, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS)
        .until(() -> f.live("web").size() == 2);
  }

  @Test
  void keepOriginalStopsTheReplacementWhenTheNodeHeals() {
    deployAndWait("web", "{reconcile: keep_original}");
    String victim = f.running("web").get(0).node();
    String original = on(f.running("web"), victim, true).get(0).instanceId();
    f.cut(victim);
    await().atMost(20, TimeUnit.SECONDS).until(() -> on(f.running("web"), victim, false).size()
        == 2);
    Set<String> others = ids(on(f.running("web"), victim, false));

    f.heal(victim);

    await().atMost(20, TimeUnit.SECONDS).until(() -> f.live("web").size() == 2);
    assertThat(ids(f.running("web"))).contains(original);
    assertThat(f.saw("node " + victim + " healed: kept the original of web/web")).isTrue();
    // Exactly one of the two instances that ran elsewhere was the replacement, and it stopped.
    assertThat(others.stream().filter(ids(f.live("web"))::contains).count()).isEqualTo(1);
  }

  @Test
  void replaceFalseWaitsForTheNodeInsteadOfReplacing() {
    deployAndWait("web", "{lost_after: 300ms, replace: false}");
    Set<String> before = ids(f.running("web"));
    String victim = f.running("web").get(0).node();

    f.cut(victim);

    await().atMost(10, TimeUnit.SECONDS).until(() -> f.saw("node " + victim
        + " lost for app web after 300 ms: waiting for it"));
    await().atMost(10, TimeUnit.SECONDS).until(() -> f.continuum.app("web").orElseThrow()
        .components().get(0).instances().stream().anyMatch(r -> r.state().equals("UNKNOWN")));
    assertThat(f.phase("web")).isEqualTo("Degraded");
    await().during(1, TimeUnit.SECONDS).atMost(5, TimeUnit.SECONDS)
        .until(() -> ids(f.live("web")).equals(before));

    f.heal(victim);

    await().atMost(10, TimeUnit.SECONDS).until(() -> f.phase("web").equals("Running"));
    assertThat(ids(f.running("web"))).isEqualTo(before);
  }

  @Test
  void nodeRebootedWhileItsClusterIsUnreachableRunsItsInstancesFromTheJournal() {
    deployAndWait("web", "{replace: false, lost_after: 1m}");
    String victim = f.running("web").get(0).node();
    String mine = on(f.running("web"), victim, true).get(0).instanceId();

    f.rebootNodeOffline(victim);

    await().atMost(10, TimeUnit.SECONDS).until(() -> ids(on(f.running("web"), victim, true))
        .equals(Set.of(mine)));
    assertThat(f.nodeLinks.get(victim).childSide().isConnected()).isFalse();
    assertThat(f.saw("cluster unreachable at start: running 1 instance(s) from the local journal"))
        .isTrue();

    f.heal(victim);

    await().atMost(10, TimeUnit.SECONDS).until(() -> f.phase("web").equals("Running"));
    assertThat(f.live("web")).hasSize(2);
    assertThat(ids(on(f.running("web"), victim, true))).containsExactly(mine);
  }

  @Test
  void lostClustersComponentsAreAssignedToAnotherCluster() {
    f.continuum.deploy(TierFixture.app("""
        MLSysOpsApp:
          name: roam
          cluster_placement: {cluster_id: [cloud, edge]}
          components:
            - metadata: {name: svc}
              containers:
                - image: registry.local/svc:1
                  platform_requirements:
                    cpu: {requests: "100m"}
                    memory: {requests: "64Mi"}
        """));
    await().atMost(20, TimeUnit.SECONDS).until(() -> f.phase("roam").equals("Running"));
    String first = f.continuum.app("roam").orElseThrow().components().get(0).cluster();
    String other = first.equals("cloud") ? "edge" : "cloud";

    f.clusterLinks.get(first).cut();

    await().atMost(20, TimeUnit.SECONDS).until(() -> f.continuum.app("roam").orElseThrow()
        .components().get(0).cluster().equals(other) && f.phase("roam").equals("Running"));
    assertThat(f.saw("cluster " + first + " is unreachable")).isTrue();
    assertThat(f.saw("cluster " + first + " lost after")).isTrue();

    f.clusterLinks.get(first).restore();

    // The returning cluster learns the component is no longer its own and stops it.
    await().atMost(20, TimeUnit.SECONDS).until(() -> f.live("roam").size() == 1
        && f.clusterOfNode.get(f.live("roam").get(0).node()).equals(other));
    assertThat(f.continuum.clusters()).allSatisfy(c -> assertThat(c.healthy()).isTrue());
  }
}
