package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.otlp.DirectIngest;
import eu.mlsysops.telemetry.otlp.OtlpMetricsEncoder;
import eu.mlsysops.telemetry.pipeline.UplinkAggregator;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * A child's telemetry batch as its samples: a parent in the same process stores them as they are
 * ({@link #into}); a link to another process encodes them as OTLP when it sends them ({@link
 * #otlp}). Either way the parent's store ends up the same.
 */
record UplinkSamples(UplinkAggregator.Batch batch, OtlpMetricsEncoder encoder)
    implements Message.MetricsPayload {
  UplinkSamples {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(encoder, "encoder");
  }

  /** A telemetry message from {@code from} carrying {@code batch}. */
  static Message.TelemetryBatch message(String from, UplinkAggregator.Batch batch,
      OtlpMetricsEncoder encoder) {
    return new Message.TelemetryBatch(from, new UplinkSamples(batch, encoder));
  }

  @Override
  public ExportMetricsServiceRequest otlp() {
    return encoder.encode(batch.samples(), m -> Optional.ofNullable(batch.metadata().get(m)));
  }

  void into(DirectIngest ingest) {
    ingest.deliver(batch.samples(), m -> Optional.ofNullable(batch.metadata().get(m)));
  }
}
