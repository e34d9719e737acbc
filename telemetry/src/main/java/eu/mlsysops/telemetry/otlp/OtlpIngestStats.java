package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot of what the OTLP ingest of one agent has done since it started. All values are
 * monotonic counts. Metric points are counted as OTLP data points (one histogram point is one data
 * point, however many samples it becomes).
 *
 * @param metricsRequests metrics export requests a receiver handled, good or bad (gRPC messages
 *     over the size limit are refused by the transport and only counted as oversized)
 * @param logsRequests logs export requests a receiver handled
 * @param traceRequests trace export requests a receiver handled
 * @param badRequests requests refused as a whole: malformed protobuf or JSON, truncated or
 *     undecodable bodies, unsupported content type or encoding
 * @param oversizedRequests requests refused as a whole because the body or the decompressed message
 *     was over the size limit (HTTP 413, gRPC {@code RESOURCE_EXHAUSTED})
 * @param pointsAccepted metric data points written to the sink
 * @param samplesWritten samples written to the sink (a histogram point writes several)
 * @param rejectedNonFinite points dropped because a value was NaN or infinite
 * @param rejectedFutureTimestamp points dropped because their timestamp was too far in the future
 * @param rejectedSeriesLimit points refused because a series limit was reached (the sink's, or the
 *     translator's limit on delta accumulators)
 * @param rejectedOutOfOrder delta points not newer than the last one of their series
 * @param rejectedMalformed points that were structurally invalid (no value, bucket counts not
 *     matching bounds, no metric name, an invalid scale)
 * @param stalenessMarkers points flagged "no recorded value"; skipped, not an error
 * @param logRecordsAccepted log records handed to the signal forwarder
 * @param logRecordsRejected log records the forwarder refused (reported to the client)
 * @param spansAccepted spans handed to the signal forwarder
 * @param spansRejected spans the forwarder refused (reported to the client)
 * @param rejectedIdentity points whose series named another node, app, component or instance
 *     than the sender's token
 * @param unauthenticatedRequests requests refused for a missing, malformed or forged token
 * @param rejectedNoNode points whose series named no node the receiver delivers to (an export
 *     without the {@code mlsysops.node} resource attribute, to a receiver of several nodes)
 */
public record OtlpIngestStats(
    long metricsRequests,
    long logsRequests,
    long traceRequests,
    long badRequests,
    long oversizedRequests,
    long pointsAccepted,
    long samplesWritten,
    long rejectedNonFinite,
    long rejectedFutureTimestamp,
    long rejectedSeriesLimit,
    long rejectedOutOfOrder,
    long rejectedMalformed,
    long stalenessMarkers,
    long logRecordsAccepted,
    long logRecordsRejected,
    long spansAccepted,
    long spansRejected,
    long rejectedIdentity,
    long unauthenticatedRequests,
    long rejectedNoNode) {

  /** All rejected metric data points, whatever the reason. */
  public long pointsRejected() {
    return rejectedNonFinite
        + rejectedFutureTimestamp
        + rejectedSeriesLimit
        + rejectedOutOfOrder
        + rejectedMalformed
        + rejectedIdentity
        + rejectedNoNode;
  }

  /**
   * These counts as samples an agent can store or export as its own health metrics: {@code
   * otlp_requests_total{signal}}, {@code otlp_bad_requests_total{reason}}, {@code
   * otlp_points_accepted_total}, {@code otlp_points_rejected_total{reason}}, {@code
   * otlp_samples_written_total}, {@code otlp_staleness_markers_total}, {@code
   * otlp_log_records_total{outcome}} and {@code otlp_spans_total{outcome}}.
   *
   * @param labels labels every sample carries (e.g. the agent's node)
   * @param timestampMillis the samples' timestamp
   */
  public List<Sample> toSamples(Labels labels, long timestampMillis) {
    List<Sample> out = new ArrayList<>();
    Emitter e =
        (name, extra, value) -> {
          Labels l = labels;
          for (int i = 0; i < extra.length; i += 2) {
            l = l.with(extra[i], extra[i + 1]);
          }
          out.add(new Sample(name, l, timestampMillis, value));
        };
    e.emit("otlp_requests_total", new String[] {"signal", "metrics"}, metricsRequests);
    e.emit("otlp_requests_total", new String[] {"signal", "logs"}, logsRequests);
    e.emit("otlp_requests_total", new String[] {"signal", "traces"}, traceRequests);
    e.emit("otlp_bad_requests_total", new String[] {"reason", "malformed"}, badRequests);
    e.emit("otlp_bad_requests_total", new String[] {"reason", "too_large"}, oversizedRequests);
    e.emit("otlp_points_accepted_total", new String[0], pointsAccepted);
    e.emit("otlp_samples_written_total", new String[0], samplesWritten);
    e.emit("otlp_points_rejected_total", new String[] {"reason", "non_finite"}, rejectedNonFinite);
    e.emit(
        "otlp_points_rejected_total",
        new String[] {"reason", "future_timestamp"},
        rejectedFutureTimestamp);
    e.emit(
        "otlp_points_rejected_total", new String[] {"reason", "series_limit"}, rejectedSeriesLimit);
    e.emit(
        "otlp_points_rejected_total", new String[] {"reason", "out_of_order"}, rejectedOutOfOrder);
    e.emit("otlp_points_rejected_total", new String[] {"reason", "malformed"}, rejectedMalformed);
    e.emit("otlp_points_rejected_total", new String[] {"reason", "identity"}, rejectedIdentity);
    e.emit("otlp_points_rejected_total", new String[] {"reason", "no_node"}, rejectedNoNode);
    e.emit("otlp_bad_requests_total", new String[] {"reason", "unauthenticated"},
        unauthenticatedRequests);
    e.emit("otlp_staleness_markers_total", new String[0], stalenessMarkers);
    e.emit("otlp_log_records_total", new String[] {"outcome", "accepted"}, logRecordsAccepted);
    e.emit("otlp_log_records_total", new String[] {"outcome", "rejected"}, logRecordsRejected);
    e.emit("otlp_spans_total", new String[] {"outcome", "accepted"}, spansAccepted);
    e.emit("otlp_spans_total", new String[] {"outcome", "rejected"}, spansRejected);
    return out;
  }

  @FunctionalInterface
  private interface Emitter {
    void emit(String name, String[] extraLabels, long value);
  }
}
