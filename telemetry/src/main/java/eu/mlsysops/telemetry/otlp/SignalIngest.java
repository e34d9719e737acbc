package eu.mlsysops.telemetry.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both receivers do with a parsed request: metrics to the translator, logs and traces to the
 * forwarder, with counting and the OTLP response (partial success when anything was rejected).
 */
final class SignalIngest {
  private static final Logger LOG = LoggerFactory.getLogger(SignalIngest.class);

  final OtlpMetricsTranslator translator;
  final SignalForwarder forwarder;
  final OtlpIngestCounters counters;
  private final AtomicBoolean forwarderFailureLogged = new AtomicBoolean();

  SignalIngest(OtlpMetricsTranslator translator, SignalForwarder forwarder) {
    this.translator = translator;
    this.forwarder = forwarder;
    this.counters = translator.counters();
  }

  ExportMetricsServiceResponse metrics(ExportMetricsServiceRequest request,
      OtlpCredentials.Source source) {
    return response(translator.translate(request, source));
  }

  private static ExportMetricsServiceResponse response(IngestOutcome o) {
    if (o.complete()) {
      return ExportMetricsServiceResponse.getDefaultInstance();
    }
    return ExportMetricsServiceResponse.newBuilder()
        .setPartialSuccess(o.toPartialSuccess())
        .build();
  }

  /** A serialised request, read by the translator's wire decoder. */
  ExportMetricsServiceResponse metrics(byte[] request, OtlpCredentials.Source source)
      throws InvalidProtocolBufferException {
    return response(translator.translate(request, source));
  }

  /** What a request without the credentials asked for is told (HTTP 401, gRPC UNAUTHENTICATED). */
  static final String UNAUTHENTICATED = "OTLP here needs a bearer token (Authorization: Bearer …,"
      + " which the SDKs send from OTEL_EXPORTER_OTLP_HEADERS); the node's runtime gives each"
      + " instance it starts its own";

  ExportLogsServiceResponse logs(ExportLogsServiceRequest request) {
    long n = 0;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        n += sl.getLogRecordsCount();
      }
    }
    if (n == 0 || forwardLogs(request)) {
      counters.logRecordsAccepted.add(n);
      return ExportLogsServiceResponse.getDefaultInstance();
    }
    counters.logRecordsRejected.add(n);
    return ExportLogsServiceResponse.newBuilder()
        .setPartialSuccess(
            ExportLogsPartialSuccess.newBuilder()
                .setRejectedLogRecords(n)
                .setErrorMessage(
                    n
                        + (n == 1 ? " log record" : " log records")
                        + " rejected: the agent's forwarding queue is full"))
        .build();
  }

  ExportTraceServiceResponse traces(ExportTraceServiceRequest request) {
    long n = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    if (n == 0 || forwardTraces(request)) {
      counters.spansAccepted.add(n);
      return ExportTraceServiceResponse.getDefaultInstance();
    }
    counters.spansRejected.add(n);
    return ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(
            ExportTracePartialSuccess.newBuilder()
                .setRejectedSpans(n)
                .setErrorMessage(
                    n
                        + (n == 1 ? " span" : " spans")
                        + " rejected: the agent's forwarding queue is full"))
        .build();
  }

  private boolean forwardLogs(ExportLogsServiceRequest request) {
    try {
      return forwarder.forward(request);
    } catch (RuntimeException e) {
      forwarderFailed(e);
      return false;
    }
  }

  private boolean forwardTraces(ExportTraceServiceRequest request) {
    try {
      return forwarder.forward(request);
    } catch (RuntimeException e) {
      forwarderFailed(e);
      return false;
    }
  }

  private void forwarderFailed(RuntimeException e) {
    if (forwarderFailureLogged.compareAndSet(false, true)) {
      LOG.warn("the signal forwarder failed; its requests are reported as rejected", e);
    }
  }
}
