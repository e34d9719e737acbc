package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The receiving end of an agent uplink that never leaves the process: stores what an {@link
 * OtlpMetricsTranslator} (built with the same node name) would store from the request {@link
 * OtlpMetricsEncoder#encode} makes of the same samples, without making or reading the request.
 * Encoding and decoding cost about a fifth of an embedded continuum's CPU at 10,000 nodes; agents
 * in one process have nothing to gain from them.
 *
 * <p>The same: metrics are described as the translator describes them ({@link
 * OtlpMetricsEncoder#wireMetadata}), once per change, even when none of their values is kept; a series without a {@code node} label gets
 * the node's name; values that are not finite (a staleness marker, which OTLP cannot carry) are
 * dropped. Not repeated: the checks the translator makes of untrusted senders (timestamps far in
 * the future, identities), since the sender is an agent of this process. One per sender.
 */
public final class DirectIngest {
  private final String nodeName;
  private final SampleSink sink;
  private final Map<String, MetricMetadata> described = new ConcurrentHashMap<>();

  /**
   * @param nodeName added as {@code node} to series that lack one (null: nothing added), as
   *     {@link OtlpMetricsTranslator.Builder#nodeName} does
   */
  public DirectIngest(String nodeName, SampleSink sink) {
    this.nodeName = nodeName;
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /**
   * Stores {@code samples}.
   *
   * @param metadata what the sender knows of each metric, as given to {@link
   *     OtlpMetricsEncoder#encode}
   * @return how many samples the sink kept
   */
  public int deliver(List<Sample> samples, Function<String, Optional<MetricMetadata>> metadata) {
    int kept = 0;
    String lastMetric = null;
    for (Sample s : samples) {
      String metric = s.metric();
      if (!metric.equals(lastMetric)) {
        describe(metric, OtlpMetricsEncoder.wireMetadata(metric, metadata));
        lastMetric = metric;
      }
      if (!Double.isFinite(s.value())) {
        continue;
      }
      Sample out = nodeName == null || s.labels().get("node") != null
          ? s
          : new Sample(metric, s.labels().with("node", nodeName), s.timestampMillis(), s.value());
      if (sink.accept(out)) {
        kept++;
      }
    }
    return kept;
  }

  private void describe(String metric, MetricMetadata md) {
    if (md.equals(described.get(metric))) {
      return;
    }
    if (described.size() >= 4096) {
      described.clear();
    }
    described.put(metric, md);
    sink.describe(metric, md);
  }
}
