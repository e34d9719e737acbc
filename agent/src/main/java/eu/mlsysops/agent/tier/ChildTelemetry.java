package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.DirectIngest;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Where the telemetry batches of a tier's children land: samples of agents in this process are
 * stored as they are, OTLP requests from other processes are translated (one translator per
 * child: it keeps the child's delta state). Thread-safe: ingest runs off the agent's loop.
 */
final class ChildTelemetry {
  private final Function<String, SampleSink> sinks;
  private final boolean childIsNode;
  private final Clock clock;
  private final Map<String, OtlpMetricsTranslator> translators = new ConcurrentHashMap<>();
  private final Map<String, DirectIngest> direct = new ConcurrentHashMap<>();

  private ChildTelemetry(Function<String, SampleSink> sinks, boolean childIsNode, Clock clock) {
    this.sinks = Objects.requireNonNull(sinks);
    this.childIsNode = childIsNode;
    this.clock = Objects.requireNonNull(clock);
  }

  /** A cluster's nodes: series without a {@code node} label get the sending node's name. */
  static ChildTelemetry ofNodes(SampleSink sink, Clock clock) {
    return new ChildTelemetry(n -> sink, true, clock);
  }

  /** The continuum's clusters: series without a {@code cluster} label get the cluster's id. */
  static ChildTelemetry ofClusters(MetricStore store, Clock clock) {
    return new ChildTelemetry(c -> TierStores.fromCluster(store, c), false, clock);
  }

  void take(Message.TelemetryBatch batch) {
    String from = batch.from();
    if (batch.payload() instanceof UplinkSamples local) {
      local.into(direct.computeIfAbsent(from,
          c -> new DirectIngest(childIsNode ? c : null, sinks.apply(c))));
    } else {
      translators.computeIfAbsent(from, c -> OtlpMetricsTranslator.builder(sinks.apply(c))
          .nodeName(childIsNode ? c : null).clock(clock).build()).translate(batch.metrics());
    }
  }
}
