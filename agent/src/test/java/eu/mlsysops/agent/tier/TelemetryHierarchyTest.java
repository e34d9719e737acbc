package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.TelemetryQuery;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node → cluster → continuum telemetry: what each level holds and how often it is sent. */
class TelemetryHierarchyTest {
  @TempDir Path dataDir;
  private EmbeddedContinuum continuum;

  @AfterEach
  void tearDown() {
    if (continuum != null) {
      continuum.close();
    }
  }

  private void start() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
  }

  private static List<Labels> seriesLabels(TelemetryQuery q, String metric) {
    return q.range(metric, Map.of(), Duration.ofMinutes(5)).stream()
        .map(TelemetryQuery.Series::labels).toList();
  }

  @Test
  void clusterHoldsPerNodeSummariesAndContinuumPerClusterSummaries() {
    start();
    NodeAgent edge1 = continuum.nodes().get("edge-1");
    edge1.sink().describe("requests_total", MetricMetadata.of(MetricType.COUNTER));
    long now = System.currentTimeMillis();
    edge1.ingest(new Sample("requests_total", Labels.of("node", "edge-1", "cpu", "0"), now, 10));
    edge1.ingest(new Sample("requests_total", Labels.of("node", "edge-1", "cpu", "1"), now, 30));
    NodeAgent edge2 = continuum.nodes().get("edge-2");
    edge2.sink().describe("requests_total", MetricMetadata.of(MetricType.COUNTER));
    edge2.ingest(new Sample("requests_total", Labels.of("node", "edge-2", "cpu", "0"), now, 2));

    TelemetryQuery cluster = continuum.clusters().get("edge").telemetry();
    await().atMost(10, TimeUnit.SECONDS).until(
        () -> cluster.latest("requests_total", Map.of("node", "edge-1")).orElse(0) == 40.0);
    assertThat(seriesLabels(cluster, "requests_total")).containsExactlyInAnyOrder(
        Labels.of("node", "edge-1"), Labels.of("node", "edge-2"));

    TelemetryQuery top = continuum.continuum().telemetry();
    await().atMost(15, TimeUnit.SECONDS).until(
        () -> top.latest("requests_total", Map.of()).orElse(0) == 42.0);
    assertThat(seriesLabels(top, "requests_total")).containsExactly(Labels.of("cluster", "edge"));
    // Except the three node figures the continuum's views show per node.
    assertThat(seriesLabels(top, "node_cpu_utilization"))
        .allSatisfy(l -> assertThat(l.get("node")).isNotNull())
        .contains(Labels.of("cluster", "edge", "node", "edge-1"));
    assertThat(seriesLabels(top, "node_memory_MemAvailable_bytes")).isNotEmpty()
        .allSatisfy(l -> assertThat(l.get("node")).isNull());
    assertThat(continuum.telemetry("node").latest("requests_total",
        Map.of("node", "edge-1", "cpu", "1")).getAsDouble()).isEqualTo(30.0);
  }

  @Test
  void nodesExportAsOftenAsTheClusterPoliciesAskAndFollowChangesLive() {
    start();
    ClusterAgent edge = continuum.clusters().get("edge");
    // qos-relocation and auto-scaling analyse every second and subscribe to metrics.
    await().atMost(5, TimeUnit.SECONDS).until(
        () -> continuum.nodes().get("edge-1").exportInterval().equals(Duration.ofSeconds(1)));
    assertThat(edge.nodeExportInterval()).isEqualTo(Duration.ofSeconds(1));

    continuum.configure("cluster", new AgentConfig(Set.of("qos-relocation", "auto-scaling")));

    // Nobody at the cluster subscribes now: the nodes fall back to what the continuum asks (5 s).
    await().atMost(5, TimeUnit.SECONDS).until(
        () -> continuum.nodes().get("edge-1").exportInterval().equals(Duration.ofSeconds(5)));
    assertThat(continuum.nodes().values())
        .allSatisfy(n -> assertThat(n.exportInterval()).isEqualTo(Duration.ofSeconds(5)));
  }

  @Test
  void configuredExportRulesChangeWhatReachesTheClusterAndSurviveARestart() {
    start();
    continuum.configure("node", new AgentConfig(Set.of(),
        List.of(AggregationRule.parse("node_cpu_utilization: max by (node)"))));
    NodeAgent edge1 = continuum.nodes().get("edge-1");
    edge1.ingest(new Sample("node_cpu_utilization", Labels.of("node", "edge-1"),
        System.currentTimeMillis() + 1, 0.99));
    TelemetryQuery cluster = continuum.clusters().get("edge").telemetry();
    await().atMost(10, TimeUnit.SECONDS).until(
        () -> cluster.maxOverWindow("node_cpu_utilization", Map.of("node", "edge-1"),
            Duration.ofMinutes(1)).orElse(0) == 0.99);
    // Only the covered metric goes up now.
    long before = cluster.range("node_load1", Map.of("node", "edge-1"), Duration.ofMinutes(1))
        .stream().mapToLong(s -> s.samples().size()).sum();
    await().pollDelay(Duration.ofMillis(1500)).atMost(5, TimeUnit.SECONDS).until(() -> true);
    long after = cluster.range("node_load1", Map.of("node", "edge-1"), Duration.ofMinutes(1))
        .stream().mapToLong(s -> s.samples().size()).sum();
    assertThat(after).isEqualTo(before);
    continuum.close();

    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    assertThat(continuum.configuration("node").telemetryExportText())
        .containsExactly("node_cpu_utilization: max by (node)");
  }

  @Test
  void everyAgentRecordsItsOwnHealthAndKeepsItLocal() {
    start();
    TelemetryQuery node = continuum.nodes().get("edge-1").telemetry();
    TelemetryQuery cluster = continuum.clusters().get("edge").telemetry();
    TelemetryQuery top = continuum.continuum().telemetry();
    await().atMost(10, TimeUnit.SECONDS).until(() -> node.latest("mls_policy_analyses_total",
        Map.of("agent", "edge-1", "policy", "cpu-frequency")).orElse(0) > 0);
    await().atMost(10, TimeUnit.SECONDS).until(() -> top.latest("mls_telemetry_series",
        Map.of("agent", "demo-continuum", "tier", "continuum")).orElse(0) > 0);
    assertThat(cluster.latest("mls_plans_active", Map.of("agent", "edge"))).isPresent();
    assertThat(top.metadata("mls_policy_analysis_seconds_total").orElseThrow().type())
        .isEqualTo(MetricType.COUNTER);
    assertThat(cluster.latest("mls_policy_analyses_total", Map.of("agent", "edge-1"))).isEmpty();
  }
}
