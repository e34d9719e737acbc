package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanRequest;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.orchestration.InstanceStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's {@code placement change_spec}: a component's image or resources change for good,
 * its instances are replaced on their own nodes one at a time without dropping below the count,
 * and a restarted cluster agent still deploys the changed spec.
 */
class ChangeSpecTest {
  @TempDir Path dataDir;
  private TierFixture f;

  @BeforeEach
  void setUp() {
    f = new TierFixture(dataDir, TierFixture.FAST).start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> f.continuum.clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
    f.continuum.deploy(TierFixture.web("web", null));
    await().atMost(30, TimeUnit.SECONDS).until(() -> f.phase("web").equals("Running")
        && f.running("web").size() == 2);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private PlanRecord run(ClusterAgent cluster, String id, String action, String... args) {
    String[] kv = new String[args.length + 4];
    kv[0] = "app";
    kv[1] = "web";
    kv[2] = "component";
    kv[3] = "web";
    System.arraycopy(args, 0, kv, 4, args.length);
    cluster.scheduler().submit(new PlanRequest(id, "test", "web", false,
        Plan.of(Command.of("placement", action, kv), "test", Map.of())));
    await().atMost(30, TimeUnit.SECONDS).until(
        () -> cluster.scheduler().get(id).map(r -> r.status().isTerminal()).orElse(false));
    return cluster.scheduler().get(id).orElseThrow();
  }

  private String image(InstanceStatus s) {
    return f.started.get(s.instanceId()).component().containers().get(0).image();
  }

  private Map<String, String> nodeBySlot() {
    return f.running("web").stream().collect(Collectors.toMap(
        s -> s.instanceId().replaceAll("\\.\\d+$", ""), InstanceStatus::node));
  }

  @Test
  void replacesEachInstanceOnItsNodeWithoutDroppingBelowTheCount() throws Exception {
    Map<String, String> before = nodeBySlot();
    PlanRecord r;
    int fewest;
    try (TierFixture.FewestRunning floor = f.new FewestRunning("web", "web")) {
      r = run(f.clusters.get("cloud"), "respec", "change_spec", "image", "registry.local/web:2",
          "cpu_requests", "250m");
      fewest = floor.fewest();
    }

    assertThat(r.status()).as(r.reason()).isEqualTo(PlanStatus.COMPLETED);
    assertThat(r.reason()).contains("image=registry.local/web:2", "cpu_requests=250m");
    await().atMost(10, TimeUnit.SECONDS).until(() -> f.live("web").size() == 2);
    List<InstanceStatus> running = f.running("web");
    assertThat(running).hasSize(2).allSatisfy(s -> {
      assertThat(image(s)).isEqualTo("registry.local/web:2");
      assertThat(f.started.get(s.instanceId()).component().containers().get(0)
          .platformRequirements().cpu().requests().toString()).isEqualTo("250m");
      assertThat(s.instanceId()).endsWith(".1");
    });
    assertThat(nodeBySlot()).isEqualTo(before);
    assertThat(fewest).as("running instances during the change").isEqualTo(2);
  }

  @Test
  void aRestartedClusterStillDeploysTheChangedSpec() {
    assertThat(run(f.clusters.get("cloud"), "respec", "change_spec", "image",
        "registry.local/web:2").status()).isEqualTo(PlanStatus.COMPLETED);

    ClusterAgent restarted = f.crashAndRestartCluster("cloud");
    PlanRecord scaled = run(restarted, "scale", "scale", "instances", "3");

    assertThat(scaled.status()).as(scaled.reason()).isEqualTo(PlanStatus.COMPLETED);
    await().atMost(30, TimeUnit.SECONDS).until(() -> f.running("web").size() == 3);
    assertThat(f.running("web")).allSatisfy(
        s -> assertThat(image(s)).isEqualTo("registry.local/web:2"));
  }

  @Test
  void aChangeThatDoesNotFitIsRefusedNamingTheArgumentAndChangesNothing() {
    List<String> before = f.running("web").stream().map(InstanceStatus::instanceId).sorted()
        .toList();

    PlanRecord r = run(f.clusters.get("cloud"), "bad", "change_spec", "cpu_requests", "2",
        "cpu_limits", "1");
    PlanRecord unknown = run(f.clusters.get("cloud"), "bad2", "change_spec", "memory_requests",
        "lots");

    assertThat(r.status()).isEqualTo(PlanStatus.FAILED);
    assertThat(r.reason()).contains("change_spec: cpu_requests: 2 is above cpu_limits 1");
    assertThat(unknown.status()).isEqualTo(PlanStatus.FAILED);
    assertThat(unknown.reason()).contains("change_spec: memory_requests:", "lots");
    assertThat(f.running("web").stream().map(InstanceStatus::instanceId).sorted().toList())
        .isEqualTo(before);
  }
}
