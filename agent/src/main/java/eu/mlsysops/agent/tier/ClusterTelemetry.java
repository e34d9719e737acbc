package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.OtlpMetricsEncoder;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import eu.mlsysops.telemetry.pipeline.NegotiatedInterval;
import eu.mlsysops.telemetry.pipeline.UplinkAggregator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A cluster agent's telemetry: what its nodes send is stored, shown to node observers (trust) and
 * aggregated for the continuum, sent up every negotiated interval; how often its nodes export is
 * negotiated between its policies and its parent. Thread-safe and off the agent's loop on purpose:
 * ingest must never wait behind a placement.
 */
final class ClusterTelemetry implements AutoCloseable {
  /** How often telemetry goes up when nobody asks for it more often. */
  static final Duration DEFAULT_EXPORT_INTERVAL = Duration.ofSeconds(5);
  /** The shortest export interval granted, whatever a policy asks. */
  static final Duration MIN_EXPORT_INTERVAL = Duration.ofMillis(100);

  private final String cluster;
  private final Link uplink;
  private final Clock clock;
  private final MetricStore store;
  private final TierStores.SilenceSweep silence;
  private final List<NodeObserver> observers;
  private final OtlpMetricsEncoder encoder;
  private volatile UplinkAggregator aggregator =
      UplinkAggregator.builder().rules(UplinkAggregator.CLUSTER_DEFAULTS).build();
  /** How often this cluster's nodes export: what its policies and the continuum ask for. */
  private final NegotiatedInterval childDemand =
      new NegotiatedInterval(DEFAULT_EXPORT_INTERVAL, MIN_EXPORT_INTERVAL);
  private volatile Duration exportInterval = DEFAULT_EXPORT_INTERVAL;
  private volatile IntervalTask exportTask;
  /** Adds the node's name to series that lack one. */
  private final ChildTelemetry fromNodes;
  private final SampleSink childSink = new SampleSink() {
    @Override
    public boolean accept(Sample s) {
      if (!store.append(s)) {
        return false;
      }
      aggregator.accept(s);
      for (NodeObserver o : observers) {
        o.telemetry(s);
      }
      return true;
    }

    @Override
    public void describe(String metric, MetricMetadata metadata) {
      store.describe(metric, metadata);
      aggregator.describe(metric, metadata);
    }
  };

  /**
   * @param observers told of every sample a node sends (a live list: observers added later count)
   * @param staleAfterIntervals when a node's series that stopped arriving ends
   */
  ClusterTelemetry(String cluster, Link uplink, Clock clock, List<NodeObserver> observers,
      int staleAfterIntervals) {
    this.cluster = Objects.requireNonNull(cluster);
    this.uplink = Objects.requireNonNull(uplink);
    this.clock = Objects.requireNonNull(clock);
    this.observers = Objects.requireNonNull(observers);
    this.store = TierStores.cluster(clock);
    this.silence = new TierStores.SilenceSweep(store, TierStores.SWEEP_EVERY_MILLIS,
        staleAfterIntervals);
    this.encoder = new OtlpMetricsEncoder(cluster);
    this.fromNodes = ChildTelemetry.ofNodes(childSink, clock);
  }

  MetricStore store() {
    return store;
  }

  /** Samples the uplink aggregation dropped to stay in its bounds. */
  long dropped() {
    return aggregator.dropped();
  }

  /** How the nodes' export interval is negotiated (policies, the parent). */
  NegotiatedInterval childDemand() {
    return childDemand;
  }

  Duration exportInterval() {
    return exportInterval;
  }

  /** A node's batch: translated, stored, observed and aggregated for the uplink. */
  void fromNode(Message.TelemetryBatch batch) {
    fromNodes.take(batch);
  }

  /** The cluster's own figure about a node (e.g. its trust): stored and sent up like theirs. */
  void recordOwn(Sample s) {
    if (store.append(s)) {
      aggregator.accept(s);
    }
  }

  void describeOwn(String metric, MetricMetadata metadata) {
    store.describe(metric, metadata);
    aggregator.describe(metric, metadata);
  }

  /** The continuum asks for telemetry every {@code wanted}; the nodes are asked as often. */
  void parentDemand(Duration wanted) {
    exportInterval = wanted;
    IntervalTask t = exportTask;
    if (t != null) {
      t.setPeriod(wanted);
    }
    childDemand.request("parent", wanted);
  }

  /** New uplink rules (empty: the defaults); what the old ones aggregated goes up at once. */
  void setUplinkRules(List<AggregationRule> rules) {
    UplinkAggregator old = aggregator;
    aggregator = UplinkAggregator.builder()
        .rules(rules.isEmpty() ? UplinkAggregator.CLUSTER_DEFAULTS : rules).build();
    send(old.drain());
  }

  /** Starts sending aggregated telemetry up every export interval. */
  void start(ScheduledExecutorService timers) {
    exportTask = new IntervalTask(timers, cluster + " telemetry export", exportInterval, () -> {
      silence.run(clock.millis());
      send(aggregator.drain());
    });
  }

  @Override
  public void close() {
    IntervalTask t = exportTask;
    exportTask = null;
    if (t != null) {
      t.close();
    }
  }

  private void send(UplinkAggregator.Batch batch) {
    if (!batch.isEmpty()) {
      uplink.send(UplinkSamples.message(cluster, batch, encoder));
    }
  }
}
