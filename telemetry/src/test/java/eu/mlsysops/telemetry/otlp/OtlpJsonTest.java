package eu.mlsysops.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class OtlpJsonTest {

  @Test
  void traceAndSpanIdsAreReadAsHex() throws Exception {
    String json =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
            + "\"traceId\":\"5b8efff798038103d269b633813fc60c\", \"spanId\" : \"eee19b7ec3c1b174\","
            + "\"parentSpanId\":\"\",\"name\":\"op\",\"kind\":2,\"unknownField\":1}]}]}]}";
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();

    OtlpJson.merge(json, b);

    Span s = b.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(HexFormat.of().formatHex(s.getTraceId().toByteArray()))
        .isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(HexFormat.of().formatHex(s.getSpanId().toByteArray())).isEqualTo("eee19b7ec3c1b174");
    assertThat(s.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
  }

  @Test
  void stringsThatOnlyLookLikeIdKeysAreLeftAlone() {
    String json = "{\"a\":\"traceId\",\"b\":\"x\\\"traceId\\\":\\\"00\"}";

    assertThat(OtlpJson.hexIdsToBase64(json)).isSameAs(json);
  }

  @Test
  void metricsWithStringEncodedIntegersParse() throws Exception {
    String json =
        "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"g\","
            + "\"gauge\":{\"dataPoints\":[{\"timeUnixNano\":\"1700000000000000000\","
            + "\"asInt\":\"5\",\"exemplars\":[{\"traceId\":"
            + "\"5b8efff798038103d269b633813fc60c\",\"asDouble\":1}]}]}}]}]}]}";
    ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();

    OtlpJson.merge(json, b);

    assertThat(
            b.getResourceMetrics(0)
                .getScopeMetrics(0)
                .getMetrics(0)
                .getGauge()
                .getDataPoints(0)
                .getAsInt())
        .isEqualTo(5);
  }

  @Test
  void malformedJsonIsAnInvalidProtocolBufferException() {
    assertThatThrownBy(
            () ->
                OtlpJson.merge("{\"resourceMetrics\":[{", ExportMetricsServiceRequest.newBuilder()))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }
}
