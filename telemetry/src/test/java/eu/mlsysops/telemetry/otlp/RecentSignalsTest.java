package eu.mlsysops.telemetry.otlp;

import static eu.mlsysops.telemetry.otlp.Signals.logs;
import static eu.mlsysops.telemetry.otlp.Signals.spans;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import org.junit.jupiter.api.Test;

class RecentSignalsTest {

  @Test
  void keepsTheLastEntriesAndCountsTheOnesPushedOut() {
    RecentSignals r = new RecentSignals(2);

    r.forward(logs("a", "b", "c"));
    r.forward(spans("x"));

    assertThat(r.logs())
        .extracting(e -> e.item().getBody().getStringValue())
        .containsExactly("b", "c");
    assertThat(r.logRecordsReceived()).isEqualTo(3);
    assertThat(r.logRecordsDropped()).isEqualTo(1);
    assertThat(r.spans()).extracting(e -> e.item().getName()).containsExactly("x");
    assertThat(r.spansDropped()).isZero();
  }

  @Test
  void fanOutSucceedsWhenAnyTargetTookTheRequest() {
    RecentSignals kept = new RecentSignals(10);
    SignalForwarder refusing = new Refusing();

    assertThat(SignalForwarder.fanOut(refusing, kept).forward(logs("a"))).isTrue();
    assertThat(SignalForwarder.fanOut(refusing).forward(spans("s"))).isFalse();
    assertThat(kept.logs()).hasSize(1);
  }

  @Test
  void recordsAForwarderRefusesAreReportedAsRejectedAndCounted() {
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(s -> true).build();
    SignalIngest ingest = new SignalIngest(t, new Refusing());

    ExportLogsServiceResponse l = ingest.logs(logs("a", "b"));
    ExportTraceServiceResponse s = ingest.traces(spans("x"));

    assertThat(l.getPartialSuccess().getRejectedLogRecords()).isEqualTo(2);
    assertThat(l.getPartialSuccess().getErrorMessage())
        .isEqualTo("2 log records rejected: the agent's forwarding queue is full");
    assertThat(s.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    OtlpIngestStats stats = t.counters().snapshot();
    assertThat(stats.logRecordsRejected()).isEqualTo(2);
    assertThat(stats.spansRejected()).isEqualTo(1);
  }

  @Test
  void aForwarderThatThrowsCountsAsRefusing() {
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(s -> true).build();
    SignalIngest ingest =
        new SignalIngest(
            t,
            new SignalForwarder() {
              @Override
              public boolean forward(ExportLogsServiceRequest request) {
                throw new IllegalStateException("boom");
              }

              @Override
              public boolean forward(ExportTraceServiceRequest request) {
                throw new IllegalStateException("boom");
              }
            });

    assertThat(ingest.logs(logs("a")).getPartialSuccess().getRejectedLogRecords()).isEqualTo(1);
  }

  private static final class Refusing implements SignalForwarder {
    @Override
    public boolean forward(ExportLogsServiceRequest request) {
      return false;
    }

    @Override
    public boolean forward(ExportTraceServiceRequest request) {
      return false;
    }
  }
}
