package eu.mlsysops.agent.tier;

import eu.mlsysops.security.NodeTrust;
import eu.mlsysops.security.TrustEngine;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Node trust where a cluster agent runs in its own process ({@code mls agent cluster}): the
 * cluster's observations (registrations, heartbeats, failed instances, telemetry anomalies) feed
 * a {@link TrustEngine}, the cluster's placer filters on it (give the same engine to {@code
 * Placer.builder().trust(...)}), level changes become {@code trust} events, and the scores go up
 * to the continuum as telemetry, {@value #METRIC}{@code {node, facet}} with facets {@code score},
 * {@code identity}, {@code behaviour}, {@code capability} and {@code threshold}, so that the
 * continuum's API and dashboard show them and PromQL can ask for them.
 */
public final class ClusterTrust implements AutoCloseable {
  /** The metric that carries node trust from a cluster to the continuum. */
  public static final String METRIC = "mlsysops_node_trust";

  private final ClusterAgent cluster;
  private final TrustEngine engine;
  private final double threshold;
  private final Clock clock;
  private final ScheduledFuture<?> export;

  /**
   * Starts feeding {@code engine} from {@code cluster} and exporting its scores every {@code
   * every}.
   *
   * @param threshold the placement threshold the cluster's placer uses, reported with the scores
   */
  public ClusterTrust(ClusterAgent cluster, TrustEngine engine, double threshold,
      AgentEnvironment env, Duration every) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.threshold = threshold;
    this.clock = env.clock();
    cluster.observeNodes(new TrustFeed(engine));
    engine.onLevelChange(c -> env.events().publish(TrustFeed.event(c)));
    cluster.pipeline().describeOwn(METRIC, MetricMetadata.of(MetricType.GAUGE));
    export = env.timers().scheduleAtFixedRate(this::export, every.toMillis(), every.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Records every node's trust in the cluster's telemetry, from where it goes up. */
  void export() {
    long now = clock.millis();
    for (Map.Entry<String, NodeTrust> e : engine.all().entrySet()) {
      NodeTrust t = e.getValue();
      record(e.getKey(), "score", t.score(), now);
      record(e.getKey(), "identity", t.identity(), now);
      record(e.getKey(), "behaviour", t.behaviour(), now);
      record(e.getKey(), "capability", t.capability(), now);
      record(e.getKey(), "threshold", threshold, now);
    }
  }

  private void record(String node, String facet, double value, long now) {
    cluster.pipeline().recordOwn(
        new Sample(METRIC, Labels.of("node", node, "facet", facet), now, value));
  }

  @Override
  public void close() {
    export.cancel(false);
  }
}
