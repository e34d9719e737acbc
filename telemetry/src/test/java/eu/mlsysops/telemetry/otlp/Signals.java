package eu.mlsysops.telemetry.otlp;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/** Logs and trace requests for tests. */
final class Signals {
  private Signals() {}

  static ExportLogsServiceRequest logs(String... bodies) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (String b : bodies) {
      scope.addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue(b)));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope))
        .build();
  }

  static ExportTraceServiceRequest spans(String... names) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (String n : names) {
      scope.addSpans(Span.newBuilder().setName(n));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
        .build();
  }
}
