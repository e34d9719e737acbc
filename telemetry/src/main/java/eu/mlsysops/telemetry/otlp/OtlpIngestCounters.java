package eu.mlsysops.telemetry.otlp;

import java.util.concurrent.atomic.LongAdder;

/**
 * The thread-safe counters behind {@link OtlpIngestStats}. One instance per agent is shared by its
 * {@link OtlpMetricsTranslator} and its receivers (the receivers use their translator's), so one
 * {@link #snapshot()} describes the agent's whole OTLP ingest.
 */
public final class OtlpIngestCounters {
  final LongAdder metricsRequests = new LongAdder();
  final LongAdder logsRequests = new LongAdder();
  final LongAdder traceRequests = new LongAdder();
  final LongAdder badRequests = new LongAdder();
  final LongAdder oversizedRequests = new LongAdder();
  final LongAdder pointsAccepted = new LongAdder();
  final LongAdder samplesWritten = new LongAdder();
  final LongAdder rejectedNonFinite = new LongAdder();
  final LongAdder rejectedFutureTimestamp = new LongAdder();
  final LongAdder rejectedSeriesLimit = new LongAdder();
  final LongAdder rejectedOutOfOrder = new LongAdder();
  final LongAdder rejectedMalformed = new LongAdder();
  final LongAdder rejectedIdentity = new LongAdder();
  final LongAdder rejectedNoNode = new LongAdder();
  final LongAdder unauthenticatedRequests = new LongAdder();
  final LongAdder stalenessMarkers = new LongAdder();
  final LongAdder logRecordsAccepted = new LongAdder();
  final LongAdder logRecordsRejected = new LongAdder();
  final LongAdder spansAccepted = new LongAdder();
  final LongAdder spansRejected = new LongAdder();

  /** The current counts (each read atomically, the set not as one transaction). */
  public OtlpIngestStats snapshot() {
    return new OtlpIngestStats(
        metricsRequests.sum(),
        logsRequests.sum(),
        traceRequests.sum(),
        badRequests.sum(),
        oversizedRequests.sum(),
        pointsAccepted.sum(),
        samplesWritten.sum(),
        rejectedNonFinite.sum(),
        rejectedFutureTimestamp.sum(),
        rejectedSeriesLimit.sum(),
        rejectedOutOfOrder.sum(),
        rejectedMalformed.sum(),
        stalenessMarkers.sum(),
        logRecordsAccepted.sum(),
        logRecordsRejected.sum(),
        spansAccepted.sum(),
        spansRejected.sum(),
        rejectedIdentity.sum(),
        unauthenticatedRequests.sum(),
        rejectedNoNode.sum());
  }
}
