package eu.mlsysops.telemetry.otlp;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;

/** Small builders of OTLP messages for tests. */
final class Otlp {
  static final long T0_MILLIS = 1_700_000_000_000L;
  static final long T0 = T0_MILLIS * 1_000_000L;

  private Otlp() {}

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static KeyValue attr(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static List<KeyValue> attrs(String... kv) {
    KeyValue[] out = new KeyValue[kv.length / 2];
    for (int i = 0; i < kv.length; i += 2) {
      out[i / 2] = attr(kv[i], kv[i + 1]);
    }
    return List.of(out);
  }

  static NumberDataPoint point(long timeNanos, double value, String... attributes) {
    return NumberDataPoint.newBuilder()
        .setTimeUnixNano(timeNanos)
        .setAsDouble(value)
        .addAllAttributes(attrs(attributes))
        .build();
  }

  static Metric gauge(String name, NumberDataPoint... points) {
    return Metric.newBuilder()
        .setName(name)
        .setGauge(Gauge.newBuilder().addAllDataPoints(List.of(points)))
        .build();
  }

  static Metric sum(String name, boolean monotonic, boolean delta, NumberDataPoint... points) {
    return Metric.newBuilder()
        .setName(name)
        .setSum(
            Sum.newBuilder()
                .setIsMonotonic(monotonic)
                .setAggregationTemporality(
                    delta
                        ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                        : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addAllDataPoints(List.of(points)))
        .build();
  }

  /** A request with one resource (attributes as name/value pairs) and one unnamed scope. */
  static ExportMetricsServiceRequest request(List<KeyValue> resource, Metric... metrics) {
    return request(resource, InstrumentationScope.getDefaultInstance(), metrics);
  }

  static ExportMetricsServiceRequest request(
      List<KeyValue> resource, InstrumentationScope scope, Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(resource))
                .addScopeMetrics(
                    ScopeMetrics.newBuilder().setScope(scope).addAllMetrics(List.of(metrics))))
        .build();
  }

  static ExportMetricsServiceRequest request(Metric... metrics) {
    return request(List.of(), metrics);
  }
}
