package eu.mlsysops.telemetry.otlp;

/**
 * Counts of one metrics export request, kept in plain fields while the request is translated and
 * added to the shared counters once at the end; also composes the partial-success message.
 */
final class RequestTally {
  /** Why a data point was rejected; {@code text} begins the message, the metric name follows. */
  enum Reason {
    NAN,
    INFINITE,
    FUTURE,
    SERIES_LIMIT,
    DELTA_LIMIT,
    OUT_OF_ORDER,
    MALFORMED,
    /** The series names another node, app, component or instance than the sender's token. */
    IDENTITY,
    /** The series names no node the receiver delivers to. */
    NO_NODE
  }

  private static final Reason[] REASONS = Reason.values();

  final long nowMillis;
  final long maxMillis;
  long accepted;
  long samples;
  long staleness;
  /** Why the sink refused the last sample it refused, until the point's verdict is counted. */
  eu.mlsysops.telemetry.SampleBatch.Refusal lastRefusal;
  /** The last sample was refused for naming another source; counted at the point's verdict. */
  boolean identityRefused;
  /** Who sent the request: its series must be its own. */
  final OtlpCredentials.Source source;
  private final long[] rejected = new long[REASONS.length];
  private final String[] text = new String[REASONS.length];
  private final String[] metric = new String[REASONS.length];
  private final boolean[] otherMetrics = new boolean[REASONS.length];

  RequestTally(long nowMillis, long maxFutureMillis, OtlpCredentials.Source source) {
    this.source = source;
    this.nowMillis = nowMillis;
    this.maxMillis = nowMillis + maxFutureMillis;
  }

  /** Counts a rejected point; {@code why} is kept from the first rejection of each reason. */
  void reject(Reason reason, String metricName, String why) {
    int i = reason.ordinal();
    rejected[i]++;
    if (text[i] == null) {
      text[i] = why;
      metric[i] = metricName;
    } else if (!otherMetrics[i] && !metric[i].equals(metricName)) {
      otherMetrics[i] = true;
    }
  }

  long rejected() {
    long n = 0;
    for (long r : rejected) {
      n += r;
    }
    return n;
  }

  IngestOutcome finish(OtlpIngestCounters c) {
    c.pointsAccepted.add(accepted);
    c.samplesWritten.add(samples);
    c.stalenessMarkers.add(staleness);
    c.rejectedNonFinite.add(rejected[Reason.NAN.ordinal()] + rejected[Reason.INFINITE.ordinal()]);
    c.rejectedFutureTimestamp.add(rejected[Reason.FUTURE.ordinal()]);
    c.rejectedSeriesLimit.add(
        rejected[Reason.SERIES_LIMIT.ordinal()] + rejected[Reason.DELTA_LIMIT.ordinal()]);
    c.rejectedOutOfOrder.add(rejected[Reason.OUT_OF_ORDER.ordinal()]);
    c.rejectedMalformed.add(rejected[Reason.MALFORMED.ordinal()]);
    c.rejectedIdentity.add(rejected[Reason.IDENTITY.ordinal()]);
    c.rejectedNoNode.add(rejected[Reason.NO_NODE.ordinal()]);
    long total = rejected();
    if (total == 0) {
      return new IngestOutcome(accepted, 0, "");
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < REASONS.length; i++) {
      if (rejected[i] == 0) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(rejected[i]).append(rejected[i] == 1 ? " data point" : " data points");
      sb.append(" rejected: ").append(text[i]);
      if (!metric[i].isEmpty()) {
        sb.append(" for metric \"").append(metric[i]).append('"');
        if (otherMetrics[i]) {
          sb.append(" and others");
        }
      }
    }
    return new IngestOutcome(accepted, total, sb.toString());
  }
}
