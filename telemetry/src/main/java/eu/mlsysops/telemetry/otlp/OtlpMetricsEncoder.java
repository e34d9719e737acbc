package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Encodes samples as an OTLP metrics export request, for agent-to-agent uplinks and for exporting
 * an agent's store to an external OTLP endpoint. The opposite of {@link OtlpMetricsTranslator}:
 * translating an encoded request gives back the same samples.
 *
 * <ul>
 *   <li>Each sample is a number data point whose attributes are the sample's labels.
 *   <li>{@link MetricType#COUNTER} becomes a monotonic cumulative sum, {@link
 *       MetricType#UP_DOWN_COUNTER} a non-monotonic cumulative sum, everything else a gauge.
 *   <li>Flattened histogram and summary series ({@code _bucket}, {@code _sum}, {@code _count} of a
 *       metric described as a histogram or summary) become monotonic cumulative sums; quantile
 *       series stay gauges. Histograms are not re-assembled.
 *   <li>The resource carries {@value #SENDER_ATTRIBUTE} = the sending agent, which the translator
 *       does not turn into a label (a series keeps its identity whichever way it travelled).
 * </ul>
 */
public final class OtlpMetricsEncoder {
  /** Resource attribute naming the agent that sent a request. */
  public static final String SENDER_ATTRIBUTE = "mlsysops.sender";

  private final Resource resource;

  /** An encoder for requests sent by agent {@code senderAgent}. */
  public OtlpMetricsEncoder(String senderAgent) {
    Objects.requireNonNull(senderAgent, "senderAgent");
    this.resource =
        Resource.newBuilder().addAttributes(attribute(SENDER_ATTRIBUTE, senderAgent)).build();
  }

  /**
   * One request holding every sample, grouped into one OTLP metric per metric name (in order of
   * first appearance).
   *
   * @param metadata what each metric is; {@code TelemetryQuery::metadata} fits. Unknown metrics
   *     become gauges.
   */
  public ExportMetricsServiceRequest encode(
      Collection<Sample> samples, Function<String, Optional<MetricMetadata>> metadata) {
    Map<String, List<Sample>> byMetric = new LinkedHashMap<>();
    for (Sample s : samples) {
      byMetric.computeIfAbsent(s.metric(), k -> new ArrayList<>()).add(s);
    }
    // No scope name: the translator would add it as otel_scope_name to every series.
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
    Map<Map<String, String>, List<KeyValue>> attributes = new LinkedHashMap<>();
    for (Map.Entry<String, List<Sample>> e : byMetric.entrySet()) {
      String name = e.getKey();
      MetricMetadata md = metadata(name, metadata);
      Metric.Builder m = Metric.newBuilder().setName(name);
      if (md != null) {
        m.setUnit(md.unit()).setDescription(md.help());
      }
      List<NumberDataPoint> points = new ArrayList<>(e.getValue().size());
      for (Sample s : e.getValue()) {
        points.add(
            NumberDataPoint.newBuilder()
                .addAllAttributes(
                    attributes.computeIfAbsent(s.labels().map(), OtlpMetricsEncoder::attributes))
                .setTimeUnixNano(s.timestampMillis() * 1_000_000L)
                .setAsDouble(s.value())
                .build());
      }
      MetricType type = md == null ? MetricType.GAUGE : md.type();
      if (type == MetricType.COUNTER || type == MetricType.UP_DOWN_COUNTER) {
        m.setSum(
            Sum.newBuilder()
                .setAggregationTemporality(
                    AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .setIsMonotonic(type == MetricType.COUNTER)
                .addAllDataPoints(points));
      } else {
        m.setGauge(Gauge.newBuilder().addAllDataPoints(points));
      }
      scope.addMetrics(m);
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder().setResource(resource).addScopeMetrics(scope))
        .build();
  }

  /**
   * What {@link OtlpMetricsTranslator} records about metric {@code name} (its {@code describe}) when
   * it translates a request this encoder made: counters stay counters, everything else arrives as a
   * gauge, and a metric without metadata is a gauge without unit or help.
   */
  public static MetricMetadata wireMetadata(
      String name, Function<String, Optional<MetricMetadata>> metadata) {
    MetricMetadata md = metadata(name, metadata);
    if (md == null) {
      return new MetricMetadata(MetricType.GAUGE, "", "");
    }
    MetricType type = md.type();
    return type == MetricType.COUNTER || type == MetricType.UP_DOWN_COUNTER
        ? md
        : new MetricMetadata(MetricType.GAUGE, md.unit(), md.help());
  }

  /**
   * The metric's own metadata; for a flattened series of a histogram or summary, a counter carrying
   * the base metric's unit and help.
   */
  private static MetricMetadata metadata(
      String name, Function<String, Optional<MetricMetadata>> metadata) {
    Optional<MetricMetadata> own = metadata.apply(name);
    if (own != null && own.isPresent()) {
      return own.get();
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        Optional<MetricMetadata> base =
            metadata.apply(name.substring(0, name.length() - suffix.length()));
        if (base != null
            && base.isPresent()
            && (base.get().type() == MetricType.HISTOGRAM
                || base.get().type() == MetricType.SUMMARY)) {
          return new MetricMetadata(MetricType.COUNTER, base.get().unit(), base.get().help());
        }
      }
    }
    return null;
  }

  private static List<KeyValue> attributes(Map<String, String> labels) {
    List<KeyValue> out = new ArrayList<>(labels.size());
    labels.forEach((k, v) -> out.add(attribute(k, v)));
    return out;
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
