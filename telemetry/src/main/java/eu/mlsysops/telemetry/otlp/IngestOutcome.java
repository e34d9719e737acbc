package eu.mlsysops.telemetry.otlp;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;

/**
 * What became of one metrics export request. Receivers put {@link #rejectedPoints()} and {@link
 * #errorMessage()} into the response's OTLP {@code partial_success}.
 *
 * @param acceptedPoints data points written to the sink
 * @param rejectedPoints data points dropped or refused (staleness markers are neither)
 * @param errorMessage why points were rejected, e.g. {@code 3 data points rejected: series limit
 *     20000 reached for metric "x"}; empty when none were
 */
public record IngestOutcome(long acceptedPoints, long rejectedPoints, String errorMessage) {
  public IngestOutcome {
    errorMessage = errorMessage == null ? "" : errorMessage;
  }

  /** True when every data point was accepted. */
  public boolean complete() {
    return rejectedPoints == 0 && errorMessage.isEmpty();
  }

  /** The OTLP {@code partial_success} for this outcome (the default instance when complete). */
  public ExportMetricsPartialSuccess toPartialSuccess() {
    if (complete()) {
      return ExportMetricsPartialSuccess.getDefaultInstance();
    }
    return ExportMetricsPartialSuccess.newBuilder()
        .setRejectedDataPoints(rejectedPoints)
        .setErrorMessage(errorMessage)
        .build();
  }
}
