package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.LoadModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A load surge on an autoscaled component: telemetry → auto-scaling plan → more instances. */
class AutoScalingEndToEndTest {
  @TempDir Path dataDir;
  private final List<PlanRecord> plans = new CopyOnWriteArrayList<>();
  private EmbeddedContinuum continuum;

  @AfterEach
  void tearDown() {
    if (continuum != null) {
      continuum.close();
    }
  }

  private long running() {
    return continuum.continuum().app("surge").orElseThrow().components().get(0).instances()
        .stream().filter(r -> r.state().equals("RUNNING")).count();
  }

  @Test
  void aSurgeInRequestsAddsInstancesWithinSeconds() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
    continuum.clusters().get("cloud").scheduler().onTransition(plans::add);
    AppDescriptor app = Descriptors.parse("""
        MLSysOpsApp:
          name: surge
          cluster_placement: {cluster_id: [cloud]}
          components:
            - metadata: {name: api}
              node_placement:
                continuum_layer: [cloud]
                scaling: {scaling_mode: auto, scaling_criteria: max_request_per_sec, instances: 1}
              containers:
                - image: api
                  platform_requirements: {cpu: {requests: "200m"}, memory: {requests: "64Mi"}}
        """, "surge.yaml", ParseOptions.DEFAULT).ofType(AppDescriptor.class).get(0);
    continuum.simulation().setLoad("surge", "api", LoadModel.steady(20));
    continuum.continuum().deploy(app);
    await().atMost(20, TimeUnit.SECONDS).until(() -> running() == 1);

    // 240 requests/s on one instance against a target of 50 per instance: five instances.
    continuum.simulation().setLoad("surge", "api", LoadModel.steady(240));

    await().atMost(20, TimeUnit.SECONDS).until(() -> running() == 5);
    // The first decision may see a 3 s average that is half old load: it scales up at once and
    // again when the average catches up; never down, never past five.
    List<PlanRecord> scales = plans.stream()
        .filter(p -> p.policy().equals("auto-scaling") && p.status() == PlanStatus.COMPLETED)
        .toList();
    assertThat(scales).isNotEmpty();
    assertThat(scales.get(0).explanation()).startsWith("scale api 1 → ")
        .contains(": max_request_per_sec rps averages ").endsWith("on 1 running, target 50");
    List<Integer> targets = scales.stream()
        .map(p -> Integer.parseInt(p.commands().get(0).arg("instances", "0"))).toList();
    assertThat(targets).isSorted().allMatch(n -> n <= 5).last().isEqualTo(5);
    AppStatus s = continuum.continuum().app("surge").orElseThrow();
    assertThat(s.phase()).isEqualTo("Running");
    assertThat(s.components().get(0).instances()).extracting(r -> r.node())
        .allMatch(n -> n.startsWith("cloud-"));
  }
}
