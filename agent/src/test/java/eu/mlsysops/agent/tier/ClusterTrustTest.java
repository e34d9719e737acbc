package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.security.TrustEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster's trust in its nodes reaches the continuum as per-node telemetry. */
class ClusterTrustTest {
  @TempDir Path dataDir;
  private TierFixture f;
  private ClusterTrust trust;

  @AfterEach
  void tearDown() {
    if (trust != null) {
      trust.close();
    }
    f.close();
  }

  @Test
  void scoresOfRegisteredNodesGoUpPerNodeAndFacet() {
    f = new TierFixture(dataDir, TierFixture.FAST);
    TrustEngine engine = TrustEngine.builder().heartbeatInterval(Duration.ofMillis(100)).build();
    trust = new ClusterTrust(f.clusters.get("cloud"), engine, 0.6, f.env, Duration.ofMillis(100));
    f.start();

    await().atMost(20, TimeUnit.SECONDS).until(() -> f.continuum.telemetry()
        .latest(ClusterTrust.METRIC, Map.of("node", "cloud-1", "facet", "score")).isPresent());
    double score = f.continuum.telemetry()
        .latest(ClusterTrust.METRIC, Map.of("node", "cloud-1", "facet", "score")).getAsDouble();
    assertThat(score).isBetween(0.0, 1.0)
        .isCloseTo(engine.trust("cloud-1").orElseThrow().score(), org.assertj.core.data.Offset.offset(0.2));
    assertThat(f.continuum.telemetry().latest(ClusterTrust.METRIC,
        Map.of("node", "cloud-1", "facet", "threshold"))).hasValue(0.6);
    assertThat(f.clusters.get("cloud").telemetry().latest(ClusterTrust.METRIC,
        Map.of("node", "cloud-2", "facet", "identity"))).isPresent();
    // Only the cloud cluster's nodes: the edge cluster has no trust engine here.
    assertThat(f.continuum.telemetry().latest(ClusterTrust.METRIC,
        Map.of("node", "edge-1", "facet", "score"))).isEmpty();
  }
}
