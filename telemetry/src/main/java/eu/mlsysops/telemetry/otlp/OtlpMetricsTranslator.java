package eu.mlsysops.telemetry.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleBatch;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.RequestTally.Reason;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns OTLP metrics into {@link Sample}s written to a {@link SampleSink}, and tells the sink what
 * each metric is ({@link SampleSink#describe}). Thread-safe; one instance per agent, shared by its
 * receivers.
 *
 * <ul>
 *   <li>Gauge: the value. Cumulative sum: the value, monotonic as {@link MetricType#COUNTER},
 *       otherwise {@link MetricType#UP_DOWN_COUNTER}. Delta sums are added up per series and stored
 *       as the cumulative value.
 *   <li>Histogram: {@code name_bucket{le="b"}} with cumulative counts including {@code le="+Inf"},
 *       {@code name_sum} (when sent), {@code name_count}. Delta histograms are accumulated.
 *   <li>Exponential histogram: the same, with bounds from scale and offset; negative buckets become
 *       negative {@code le} bounds and the zero bucket {@code le=zero_threshold}.
 *   <li>Summary: {@code name{quantile="q"}}, {@code name_sum}, {@code name_count}.
 * </ul>
 *
 * <p>Labels are the point's attributes, over the resource's promoted attributes ({@link
 * Builder#promotedResourceAttributes}), its {@code mlsysops.*} attributes without the prefix, the
 * agent's node name when no {@code node} is given, and {@code otel_scope_name}/{@code
 * otel_scope_version}. See {@code docs/telemetry.md}.
 *
 * <p>Never throws for bad input: NaN and infinite values, timestamps too far in the future,
 * malformed points and points the sink refuses are dropped, counted in {@link #counters()} and
 * reported in the returned {@link IngestOutcome}.
 */
public final class OtlpMetricsTranslator {
  private static final String IDENTITY_TEXT = "the series names another node, app, component or"
      + " instance than the sender's token, or is the node's own (node_*, mlsysops_*, mls_*, or"
      + " what the runtime measures of instances)";
  /** Resource attributes that become labels under their own name by default. */
  public static final List<String> DEFAULT_PROMOTED_RESOURCE_ATTRIBUTES =
      List.of("service.name", "service.namespace", "service.instance.id", "host.name");

  private static final Logger LOG = LoggerFactory.getLogger(OtlpMetricsTranslator.class);
  private static final int NO_RECORDED_VALUE =
      DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE;
  private static final long REJECT = Long.MIN_VALUE;
  private static final int MAX_DESCRIBED = 100_000;

  private final SampleSink sink;
  private final Clock clock;
  private final long maxFutureMillis;
  private final String futureText;
  private final String seriesLimitText;
  private final String deltaLimitText;
  private final int maxExponentialBuckets;
  private final LabelCache labels;
  private final MetricsWireDecoder wire;
  private final DeltaAccumulators deltas;
  private final OtlpIngestCounters counters;
  private final Map<String, MetricMetadata> described = new ConcurrentHashMap<>();
  private final AtomicBoolean sinkFailureLogged = new AtomicBoolean();

  private OtlpMetricsTranslator(Builder b) {
    this.sink = b.sink;
    this.clock = b.clock;
    this.maxFutureMillis = b.maxFutureSkew.toMillis();
    this.futureText = "timestamp more than " + human(b.maxFutureSkew) + " in the future";
    this.seriesLimitText = b.seriesLimitDescription;
    this.deltaLimitText = "delta accumulation limit of " + b.maxDeltaSeries + " series reached";
    this.maxExponentialBuckets = b.maxExponentialBuckets;
    this.labels = new LabelCache(b.promoted, b.nodeName, b.labelCacheSize);
    this.wire = new MetricsWireDecoder(labels);
    this.deltas = new DeltaAccumulators(b.maxDeltaSeries, b.deltaIdleExpiry.toMillis());
    this.counters = b.counters;
  }

  /**
   * A builder writing to {@code sink}. Defaults: no node name, the system clock, {@link
   * #DEFAULT_PROMOTED_RESOURCE_ATTRIBUTES}, 5 minutes of allowed future skew, 100,000 delta series
   * idle-expiring after 15 minutes, a label cache of 100,000 attribute sets, 160 exponential
   * buckets per sign, and fresh counters.
   */
  public static Builder builder(SampleSink sink) {
    return new Builder(sink);
  }

  /** The counters this translator and the receivers using it record into. */
  public OtlpIngestCounters counters() {
    return counters;
  }

  /**
   * Writes the samples of every data point of {@code request} to the sink.
   *
   * @return how many data points were accepted and rejected, and why; never throws for bad input
   */
  public IngestOutcome translate(ExportMetricsServiceRequest request) {
    return translate(request, OtlpCredentials.Source.ANYONE);
  }

  /**
   * As {@link #translate(ExportMetricsServiceRequest)}, from {@code source}: a point whose series
   * names another node, app, component or instance than the source's is rejected.
   */
  public IngestOutcome translate(ExportMetricsServiceRequest request,
      OtlpCredentials.Source source) {
    RequestTally t = new RequestTally(clock.millis(), maxFutureMillis, source);
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        LabelCache.Base base = labels.base(rm.getResource(), sm.getScope());
        for (Metric m : sm.getMetricsList()) {
          metric(t, base, m);
        }
      }
    }
    return t.finish(counters);
  }

  /**
   * Writes the samples of every data point of a serialised {@code ExportMetricsServiceRequest}: the
   * same as parsing it and calling {@link #translate(ExportMetricsServiceRequest)}, but gauge and
   * sum points are read straight from the bytes (see {@link MetricsWireDecoder}).
   *
   * @throws InvalidProtocolBufferException when the bytes are not a valid request (nothing is
   *     written then), with the generated parser's message
   */
  public IngestOutcome translate(byte[] request) throws InvalidProtocolBufferException {
    return translate(request, OtlpCredentials.Source.ANYONE);
  }

  /** As {@link #translate(byte[])}, from {@code source} (see {@link #translate(ExportMetricsServiceRequest, OtlpCredentials.Source)}). */
  public IngestOutcome translate(byte[] request, OtlpCredentials.Source source)
      throws InvalidProtocolBufferException {
    MetricsWireDecoder.Plan plan = wire.decode(request);
    if (plan == null) {
      return translate(ExportMetricsServiceRequest.parseFrom(request), source);
    }
    RequestTally t = new RequestTally(clock.millis(), maxFutureMillis, source);
    SampleBatch batch = null;
    for (int i = 0; i < plan.metrics; i++) {
      int kind = plan.kinds[i];
      if (kind == 0) {
        metric(t, plan.bases[i], plan.generated[i]);
        continue;
      }
      String name = plan.names[i];
      int first = plan.firstPoints[i];
      int end = plan.endPoints[i];
      if (name.isEmpty()) {
        for (int p = first; p < end; p++) {
          t.reject(Reason.MALFORMED, name, "metric without a name");
        }
        continue;
      }
      boolean sum = (kind & MetricsWireDecoder.Plan.SUM) != 0;
      MetricType type =
          !sum
              ? MetricType.GAUGE
              : (kind & MetricsWireDecoder.Plan.MONOTONIC) != 0
                  ? MetricType.COUNTER
                  : MetricType.UP_DOWN_COUNTER;
      describe(name, type, plan.units[i], plan.descriptions[i]);
      boolean delta = (kind & MetricsWireDecoder.Plan.DELTA_SUM) != 0;
      if (!delta) {
        if (batch == null) {
          batch = new SampleBatch(end - first);
        }
        batch.reset(name);
        for (int p = first; p < end; p++) {
          long ts =
              admit(t, name, plan.flags[p], plan.valueCases[p], plan.values[p], plan.times[p]);
          if (ts == REJECT) {
            continue;
          }
          Labels own = t.source.own(name, plan.labels[p].labels);
          if (own != null) {
            batch.add(own, ts, plan.values[p]);
          } else {
            t.reject(Reason.IDENTITY, name, IDENTITY_TEXT);
          }
        }
        writeBatch(t, batch);
        continue;
      }
      for (int p = first; p < end; p++) {
        number(
            t,
            null,
            null,
            plan.labels[p],
            name,
            plan.flags[p],
            plan.valueCases[p],
            plan.values[p],
            plan.times[p],
            delta);
      }
    }
    return t.finish(counters);
  }

  private void metric(RequestTally t, LabelCache.Base base, Metric m) {
    String name = m.getName();
    if (name.isEmpty()) {
      for (int i = pointCount(m); i > 0; i--) {
        t.reject(Reason.MALFORMED, name, "metric without a name");
      }
      return;
    }
    switch (m.getDataCase()) {
      case GAUGE:
        describe(name, MetricType.GAUGE, m);
        for (NumberDataPoint p : m.getGauge().getDataPointsList()) {
          number(t, base, name, p, false);
        }
        break;
      case SUM:
        boolean deltaSum = isDelta(m.getSum().getAggregationTemporality());
        describe(
            name, m.getSum().getIsMonotonic() ? MetricType.COUNTER : MetricType.UP_DOWN_COUNTER, m);
        for (NumberDataPoint p : m.getSum().getDataPointsList()) {
          number(t, base, name, p, deltaSum);
        }
        break;
      case HISTOGRAM:
        describe(name, MetricType.HISTOGRAM, m);
        Names hn = new Names(name);
        boolean deltaHist = isDelta(m.getHistogram().getAggregationTemporality());
        for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
          histogram(t, base, hn, p, deltaHist);
        }
        break;
      case EXPONENTIAL_HISTOGRAM:
        describe(name, MetricType.HISTOGRAM, m);
        Names en = new Names(name);
        boolean deltaExp = isDelta(m.getExponentialHistogram().getAggregationTemporality());
        for (ExponentialHistogramDataPoint p : m.getExponentialHistogram().getDataPointsList()) {
          exponential(t, base, en, p, deltaExp);
        }
        break;
      case SUMMARY:
        describe(name, MetricType.SUMMARY, m);
        Names sn = new Names(name);
        for (SummaryDataPoint p : m.getSummary().getDataPointsList()) {
          summary(t, base, sn, p);
        }
        break;
      default:
        break; // a metric without data has no points to account for
    }
  }

  private void number(
      RequestTally t, LabelCache.Base base, String name, NumberDataPoint p, boolean delta) {
    int valueCase;
    double v;
    switch (p.getValueCase()) {
      case AS_DOUBLE:
        valueCase = MetricsWireDecoder.Plan.AS_DOUBLE;
        v = p.getAsDouble();
        break;
      case AS_INT:
        valueCase = MetricsWireDecoder.Plan.AS_INT;
        v = p.getAsInt();
        break;
      default:
        valueCase = MetricsWireDecoder.Plan.NO_VALUE;
        v = 0;
    }
    number(
        t,
        base,
        p.getAttributesList(),
        null,
        name,
        p.getFlags(),
        valueCase,
        v,
        p.getTimeUnixNano(),
        delta);
  }

  /**
   * One number point, from a message ({@code attributes}) or from the wire ({@code sl}, already
   * resolved).
   */
  private void number(
      RequestTally t,
      LabelCache.Base base,
      List<KeyValue> attributes,
      SeriesLabels sl,
      String name,
      int flags,
      int valueCase,
      double v,
      long timeNanos,
      boolean delta) {
    long ts = admit(t, name, flags, valueCase, v, timeNanos);
    if (ts == REJECT) {
      return;
    }
    if (sl == null) {
      sl = labels.series(base, attributes);
    }
    if (!delta) {
      point(t, name, write(t, name, sl.labels, ts, v));
      return;
    }
    SeriesKey key = new SeriesKey(name, sl);
    DeltaAccumulators.Sum acc =
        deltas.get(key, DeltaAccumulators.Sum.class, DeltaAccumulators.Sum::new, t.nowMillis);
    if (acc == null) {
      t.reject(Reason.DELTA_LIMIT, name, deltaLimitText);
      return;
    }
    synchronized (acc) {
      if (!acc.advance(timeNanos, t.nowMillis)) {
        t.reject(Reason.OUT_OF_ORDER, name, "delta point not newer than the previous one");
        return;
      }
      acc.total += v;
      boolean ok = write(t, name, sl.labels, ts, acc.total);
      if (!ok && acc.updates == 1) {
        deltas.remove(key, acc);
      }
      point(t, name, ok);
    }
  }

  /**
   * The checks every number point passes before it is written: staleness markers are counted, a
   * point without a value, with a non-finite value or too far in the future is rejected.
   *
   * @return the point's timestamp in epoch millis, or REJECT
   */
  private long admit(
      RequestTally t, String name, int flags, int valueCase, double v, long timeNanos) {
    if ((flags & NO_RECORDED_VALUE) != 0) {
      t.staleness++;
      return REJECT;
    }
    if (valueCase == MetricsWireDecoder.Plan.NO_VALUE) {
      t.reject(Reason.MALFORMED, name, "point without a value");
      return REJECT;
    }
    if (!finite(t, name, v)) {
      return REJECT;
    }
    return timestamp(t, name, timeNanos);
  }

  /** Writes a batch of one metric's points and counts each as {@link #point} does. */
  private void writeBatch(RequestTally t, SampleBatch batch) {
    if (batch.size() == 0) {
      return;
    }
    try {
      sink.acceptBatch(batch);
    } catch (RuntimeException e) {
      if (sinkFailureLogged.compareAndSet(false, true)) {
        LOG.warn("the sample sink failed; its samples are counted as refused", e);
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      SampleBatch.Refusal refusal = batch.refusal(i);
      if (refusal == null) {
        t.samples++;
        t.accepted++;
      } else {
        refused(t, batch.metric(), refusal);
      }
    }
  }

  private void histogram(
      RequestTally t, LabelCache.Base base, Names n, HistogramDataPoint p, boolean delta) {
    if ((p.getFlags() & NO_RECORDED_VALUE) != 0) {
      t.staleness++;
      return;
    }
    int nb = p.getExplicitBoundsCount();
    int nc = p.getBucketCountsCount();
    if (nc != 0 && nc != nb + 1) {
      t.reject(
          Reason.MALFORMED,
          n.base,
          "histogram with " + nb + " bounds but " + nc + " bucket counts");
      return;
    }
    double[] bounds = new double[nc == 0 ? 0 : nb];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = p.getExplicitBounds(i);
      if (Double.isNaN(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
        t.reject(Reason.MALFORMED, n.base, "histogram bounds not strictly increasing");
        return;
      }
    }
    if (p.hasSum() && !finite(t, n.base, p.getSum())) {
      return;
    }
    long ts = timestamp(t, n.base, p.getTimeUnixNano());
    if (ts == REJECT) {
      return;
    }
    long[] counts = new long[bounds.length == 0 ? 0 : nc];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = p.getBucketCounts(i);
    }
    SeriesLabels sl = labels.series(base, p.getAttributesList());
    if (!delta) {
      point(
          t,
          n.base,
          writeHistogram(t, n, sl, ts, bounds, counts, p.getCount(), p.hasSum(), p.getSum()));
      return;
    }
    SeriesKey key = new SeriesKey(n.base, sl);
    DeltaAccumulators.Histogram acc =
        deltas.get(
            key, DeltaAccumulators.Histogram.class, DeltaAccumulators.Histogram::new, t.nowMillis);
    if (acc == null) {
      t.reject(Reason.DELTA_LIMIT, n.base, deltaLimitText);
      return;
    }
    synchronized (acc) {
      if (!acc.advance(p.getTimeUnixNano(), t.nowMillis)) {
        t.reject(Reason.OUT_OF_ORDER, n.base, "delta point not newer than the previous one");
        return;
      }
      if (acc.bounds == null || !java.util.Arrays.equals(acc.bounds, bounds)) {
        // New bucket layout: accumulation starts over, which reads as a reset downstream.
        acc.bounds = bounds;
        acc.counts = new long[counts.length];
        acc.count = 0;
        acc.sum = 0;
      }
      for (int i = 0; i < counts.length; i++) {
        acc.counts[i] += counts[i];
      }
      acc.count += p.getCount();
      acc.sum += p.getSum();
      acc.hasSum |= p.hasSum();
      boolean ok =
          writeHistogram(t, n, sl, ts, acc.bounds, acc.counts, acc.count, acc.hasSum, acc.sum);
      if (!ok && acc.updates == 1) {
        deltas.remove(key, acc);
      }
      point(t, n.base, ok);
    }
  }

  private boolean writeHistogram(
      RequestTally t,
      Names n,
      SeriesLabels sl,
      long ts,
      double[] bounds,
      long[] counts,
      long count,
      boolean hasSum,
      double sum) {
    boolean ok = true;
    long cumulative = 0;
    for (int i = 0; i < bounds.length; i++) {
      cumulative += counts[i];
      ok &= write(t, n.bucket, sl.withLe(bounds[i]), ts, cumulative);
    }
    ok &= write(t, n.bucket, sl.withLe(Double.POSITIVE_INFINITY), ts, count);
    if (hasSum) {
      ok &= write(t, n.sum, sl.labels, ts, sum);
    }
    ok &= write(t, n.count, sl.labels, ts, count);
    return ok;
  }

  private void exponential(
      RequestTally t,
      LabelCache.Base base,
      Names n,
      ExponentialHistogramDataPoint p,
      boolean delta) {
    if ((p.getFlags() & NO_RECORDED_VALUE) != 0) {
      t.staleness++;
      return;
    }
    if (p.getScale() < ExponentialBuckets.MIN_SCALE
        || p.getScale() > ExponentialBuckets.MAX_SCALE) {
      t.reject(
          Reason.MALFORMED,
          n.base,
          "exponential histogram scale " + p.getScale() + " outside [-10, 20]");
      return;
    }
    if (!(p.getZeroThreshold() >= 0) || Double.isInfinite(p.getZeroThreshold())) {
      t.reject(
          Reason.MALFORMED, n.base, "exponential histogram zero threshold not finite and >= 0");
      return;
    }
    if (p.hasSum() && !finite(t, n.base, p.getSum())) {
      return;
    }
    long ts = timestamp(t, n.base, p.getTimeUnixNano());
    if (ts == REJECT) {
      return;
    }
    ExponentialBuckets h = ExponentialBuckets.of(p, maxExponentialBuckets);
    SeriesLabels sl = labels.series(base, p.getAttributesList());
    if (!delta) {
      point(t, n.base, writeExponential(t, n, sl, ts, h));
      return;
    }
    SeriesKey key = new SeriesKey(n.base, sl);
    DeltaAccumulators.Exponential acc =
        deltas.get(
            key,
            DeltaAccumulators.Exponential.class,
            DeltaAccumulators.Exponential::new,
            t.nowMillis);
    if (acc == null) {
      t.reject(Reason.DELTA_LIMIT, n.base, deltaLimitText);
      return;
    }
    synchronized (acc) {
      if (!acc.advance(p.getTimeUnixNano(), t.nowMillis)) {
        t.reject(Reason.OUT_OF_ORDER, n.base, "delta point not newer than the previous one");
        return;
      }
      if (acc.buckets == null) {
        acc.buckets = h;
      } else {
        acc.buckets.merge(h, maxExponentialBuckets);
      }
      boolean ok = writeExponential(t, n, sl, ts, acc.buckets);
      if (!ok && acc.updates == 1) {
        deltas.remove(key, acc);
      }
      point(t, n.base, ok);
    }
  }

  /**
   * Cumulative {@code le} buckets from the most negative bound up: negative buckets (upper bound
   * {@code -base^i}), the zero bucket ({@code le=zero_threshold}), positive buckets ({@code
   * base^(i+1)}), {@code +Inf}. A bound that does not exceed the previous one (or is infinite) is
   * not written; its counts go to the next bound.
   */
  private boolean writeExponential(
      RequestTally t, Names n, SeriesLabels sl, long ts, ExponentialBuckets h) {
    boolean ok = true;
    long cumulative = 0;
    double last = Double.NEGATIVE_INFINITY;
    ExponentialBuckets.Range neg = h.negative;
    for (int k = neg.counts.length - 1; k >= 0; k--) {
      cumulative += neg.counts[k];
      double le = h.negativeUpper(neg.offset + k);
      if (le > last) {
        ok &= write(t, n.bucket, sl.withLe(le), ts, cumulative);
        last = le;
      }
    }
    cumulative += h.zeroCount;
    if (h.zeroThreshold > last) {
      ok &= write(t, n.bucket, sl.withLe(h.zeroThreshold), ts, cumulative);
      last = h.zeroThreshold;
    }
    ExponentialBuckets.Range pos = h.positive;
    for (int k = 0; k < pos.counts.length; k++) {
      cumulative += pos.counts[k];
      double le = h.positiveUpper(pos.offset + k);
      if (le == Double.POSITIVE_INFINITY) {
        break;
      }
      if (le > last) {
        ok &= write(t, n.bucket, sl.withLe(le), ts, cumulative);
        last = le;
      }
    }
    ok &= write(t, n.bucket, sl.withLe(Double.POSITIVE_INFINITY), ts, h.count);
    if (h.hasSum) {
      ok &= write(t, n.sum, sl.labels, ts, h.sum);
    }
    ok &= write(t, n.count, sl.labels, ts, h.count);
    return ok;
  }

  private void summary(RequestTally t, LabelCache.Base base, Names n, SummaryDataPoint p) {
    if ((p.getFlags() & NO_RECORDED_VALUE) != 0) {
      t.staleness++;
      return;
    }
    if (!finite(t, n.base, p.getSum())) {
      return;
    }
    for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
      if (!(q.getQuantile() >= 0 && q.getQuantile() <= 1)) {
        t.reject(Reason.MALFORMED, n.base, "quantile " + q.getQuantile() + " outside [0, 1]");
        return;
      }
      if (!finite(t, n.base, q.getValue())) {
        return;
      }
    }
    long ts = timestamp(t, n.base, p.getTimeUnixNano());
    if (ts == REJECT) {
      return;
    }
    SeriesLabels sl = labels.series(base, p.getAttributesList());
    boolean ok = true;
    for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
      ok &= write(t, n.base, sl.withQuantile(q.getQuantile()), ts, q.getValue());
    }
    ok &= write(t, n.sum, sl.labels, ts, p.getSum());
    ok &= write(t, n.count, sl.labels, ts, p.getCount());
    point(t, n.base, ok);
  }

  private void point(RequestTally t, String name, boolean ok) {
    if (ok) {
      t.accepted++;
      return;
    }
    if (t.identityRefused) {
      t.identityRefused = false;
      t.reject(Reason.IDENTITY, name, IDENTITY_TEXT);
      return;
    }
    SampleBatch.Refusal why = t.lastRefusal;
    t.lastRefusal = null;
    refused(t, name, why == null ? SampleBatch.Refusal.UNSPECIFIED : why);
  }

  /** Counts a point the sink refused, in the words of its reason. */
  private void refused(RequestTally t, String name, SampleBatch.Refusal why) {
    switch (why) {
      case OUT_OF_ORDER ->
          t.reject(Reason.OUT_OF_ORDER, name, "older than the newest point of its series");
      case NON_FINITE -> t.reject(Reason.NAN, name, "value not finite");
      case NO_DESTINATION -> t.reject(Reason.NO_NODE, name, "the series names no node of this"
          + " receiver (set the resource attribute mlsysops.node)");
      default -> t.reject(Reason.SERIES_LIMIT, name, seriesLimitText);
    }
  }

  private boolean finite(RequestTally t, String name, double v) {
    if (Double.isNaN(v)) {
      t.reject(Reason.NAN, name, "value NaN");
      return false;
    }
    if (Double.isInfinite(v)) {
      t.reject(Reason.INFINITE, name, v > 0 ? "value +Inf" : "value -Inf");
      return false;
    }
    return true;
  }

  /** Epoch millis of a point; 0 means "now"; REJECT (counted) when too far in the future. */
  private long timestamp(RequestTally t, String name, long nanos) {
    if (nanos == 0) {
      return t.nowMillis;
    }
    long millis = nanos / 1_000_000;
    if (nanos < 0 || millis > t.maxMillis) { // fixed64 beyond 2^63 is far in the future too
      t.reject(Reason.FUTURE, name, futureText);
      return REJECT;
    }
    return millis;
  }

  private boolean write(RequestTally t, String metric, Labels sent, long ts, double v) {
    Labels l = t.source.own(metric, sent);
    if (l == null) {
      t.identityRefused = true;
      return false;
    }
    SampleBatch.Refusal refusal;
    try {
      refusal = sink.offer(new Sample(metric, l, ts, v));
    } catch (RuntimeException e) {
      if (sinkFailureLogged.compareAndSet(false, true)) {
        LOG.warn("the sample sink failed; its samples are counted as refused", e);
      }
      refusal = SampleBatch.Refusal.UNSPECIFIED;
    }
    if (refusal == null) {
      t.samples++;
      return true;
    }
    // Remembered for the point's verdict (a histogram or summary point writes several samples).
    t.lastRefusal = refusal;
    return false;
  }

  private void describe(String name, MetricType type, Metric m) {
    describe(name, type, m.getUnit(), m.getDescription());
  }

  private void describe(String name, MetricType type, String unit, String description) {
    MetricMetadata md = new MetricMetadata(type, unit, description);
    if (md.equals(described.get(name))) {
      return;
    }
    if (described.size() >= MAX_DESCRIBED) {
      described.clear();
    }
    described.put(name, md);
    try {
      sink.describe(name, md);
    } catch (RuntimeException e) {
      if (sinkFailureLogged.compareAndSet(false, true)) {
        LOG.warn("the sample sink failed to take metadata", e);
      }
    }
  }

  private static boolean isDelta(AggregationTemporality a) {
    return a == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
  }

  private static int pointCount(Metric m) {
    switch (m.getDataCase()) {
      case GAUGE:
        return m.getGauge().getDataPointsCount();
      case SUM:
        return m.getSum().getDataPointsCount();
      case HISTOGRAM:
        return m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM:
        return m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY:
        return m.getSummary().getDataPointsCount();
      default:
        return 0;
    }
  }

  private static String human(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0) {
      return ms / 60_000 + " min";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + " s";
    }
    return ms + " ms";
  }

  /** The flattened series names of a histogram or summary, built once per metric. */
  private static final class Names {
    final String base;
    final String bucket;
    final String sum;
    final String count;

    Names(String base) {
      this.base = base;
      this.bucket = base + "_bucket";
      this.sum = base + "_sum";
      this.count = base + "_count";
    }
  }

  /** Configures an {@link OtlpMetricsTranslator}; see {@link #builder} for the defaults. */
  public static final class Builder {
    private final SampleSink sink;
    private String nodeName;
    private Clock clock = Clock.systemUTC();
    private Set<String> promoted = Set.copyOf(DEFAULT_PROMOTED_RESOURCE_ATTRIBUTES);
    private Duration maxFutureSkew = Duration.ofMinutes(5);
    private int maxDeltaSeries = 100_000;
    private Duration deltaIdleExpiry = Duration.ofMinutes(15);
    private int labelCacheSize = 100_000;
    private int maxExponentialBuckets = 160;
    private String seriesLimitDescription = "series limit reached";
    private OtlpIngestCounters counters = new OtlpIngestCounters();

    private Builder(SampleSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * The receiving agent's node, added as label {@code node} when a point names none; null for
     * none.
     */
    public Builder nodeName(String nodeName) {
      this.nodeName = nodeName;
      return this;
    }

    /** Time source for receive time (points without a timestamp) and the future-skew check. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Resource attributes that become labels under their own name (replaces the default list). */
    public Builder promotedResourceAttributes(Collection<String> names) {
      this.promoted = Set.copyOf(new LinkedHashSet<>(Objects.requireNonNull(names, "names")));
      return this;
    }

    /** How far in the future a point's timestamp may be before it is dropped. */
    public Builder maxFutureSkew(Duration skew) {
      if (Objects.requireNonNull(skew, "skew").isNegative()) {
        throw new IllegalArgumentException("maxFutureSkew must not be negative");
      }
      this.maxFutureSkew = skew;
      return this;
    }

    /** Most delta series accumulated at once; points of new delta series beyond it are rejected. */
    public Builder maxDeltaSeries(int max) {
      this.maxDeltaSeries = positive(max, "maxDeltaSeries");
      return this;
    }

    /** After how long without points a delta series' running total may be evicted. */
    public Builder deltaIdleExpiry(Duration expiry) {
      if (Objects.requireNonNull(expiry, "expiry").isNegative() || expiry.isZero()) {
        throw new IllegalArgumentException("deltaIdleExpiry must be positive");
      }
      this.deltaIdleExpiry = expiry;
      return this;
    }

    /** Attribute sets whose labels are cached (cleared when full). */
    public Builder labelCacheSize(int size) {
      this.labelCacheSize = positive(size, "labelCacheSize");
      return this;
    }

    /** Buckets per sign an exponential histogram keeps; wider ones are downscaled to fit. */
    public Builder maxExponentialBuckets(int max) {
      this.maxExponentialBuckets = positive(max, "maxExponentialBuckets");
      return this;
    }

    /**
     * How refusals by the sink are described to clients, e.g. {@code "series limit 20000 reached"}
     * (the agent knows its store's limit; the default says {@code "series limit reached"}).
     */
    public Builder seriesLimitDescription(String description) {
      this.seriesLimitDescription = Objects.requireNonNull(description, "description");
      return this;
    }

    /** Counters to record into (share one set per agent). */
    public Builder counters(OtlpIngestCounters counters) {
      this.counters = Objects.requireNonNull(counters, "counters");
      return this;
    }

    /** A translator with this configuration. */
    public OtlpMetricsTranslator build() {
      return new OtlpMetricsTranslator(this);
    }

    private static int positive(int v, String what) {
      if (v < 1) {
        throw new IllegalArgumentException(what + " must be positive, got " + v);
      }
      return v;
    }
  }
}
