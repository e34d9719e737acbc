package eu.mlsysops.telemetry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-memory time series store of one agent: a bounded ring buffer per series, an index from metric
 * name to its series, and listeners per metric that are told about new samples (this is what makes
 * analysis event-driven).
 *
 * <p>Bounded on two axes so that a misbehaving reporter cannot exhaust memory: samples per series
 * (oldest overwritten) and number of series (new series beyond the limit are rejected and
 * counted).
 */
public final class MetricStore implements TelemetryQuery, SampleSink {
  private final Clock clock;
  private final int samplesPerSeries;
  private final int maxSeries;
  private final Map<String, Map<Labels, SeriesBuffer>> byMetric = new ConcurrentHashMap<>();
  private final Map<String, List<SampleListener>> listeners = new ConcurrentHashMap<>();
  private final AtomicLong seriesCount = new AtomicLong();
  private final AtomicLong rejectedSamples = new AtomicLong();
  private final AtomicLong droppedNonFinite = new AtomicLong();
  private final Map<String, MetricMetadata> metadata = new ConcurrentHashMap<>();

  /**
   * @param clock time source for windowed queries
   * @param samplesPerSeries ring buffer size per series (e.g. 900 = 15 minutes at 1 s)
   * @param maxSeries cardinality limit; samples of new series beyond it are rejected and counted
   */
  public MetricStore(Clock clock, int samplesPerSeries, int maxSeries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (samplesPerSeries < 1 || maxSeries < 1) {
      throw new IllegalArgumentException("samplesPerSeries and maxSeries must be positive");
    }
    this.samplesPerSeries = samplesPerSeries;
    this.maxSeries = maxSeries;
  }

  /** A store with defaults: 900 samples per series, 100,000 series. */
  public static MetricStore withDefaults(Clock clock) {
    return new MetricStore(clock, 900, 100_000);
  }

  /**
   * Appends a sample and notifies the metric's listeners. Never throws for bad values: NaN and
   * infinities are dropped and counted, as is a sample of a new series beyond the cardinality
   * limit.
   *
   * @return true if stored
   */
  public boolean append(Sample sample) {
    if (!Double.isFinite(sample.value())) {
      droppedNonFinite.incrementAndGet();
      return false;
    }
    Map<Labels, SeriesBuffer> series =
        byMetric.computeIfAbsent(sample.metric(), k -> new ConcurrentHashMap<>());
    SeriesBuffer buffer = series.get(sample.labels());
    if (buffer == null) {
      if (seriesCount.get() >= maxSeries) {
        rejectedSamples.incrementAndGet();
        return false;
      }
      buffer =
          series.computeIfAbsent(
              sample.labels(),
              k -> {
                seriesCount.incrementAndGet();
                return new SeriesBuffer(samplesPerSeries);
              });
    }
    buffer.add(sample.timestampMillis(), sample.value());
    List<SampleListener> ls = listeners.get(sample.metric());
    if (ls != null) {
      for (SampleListener l : ls) {
        l.onSample(sample);
      }
    }
    return true;
  }

  @Override
  public boolean accept(Sample sample) {
    return append(sample);
  }

  @Override
  public void describe(String metric, MetricMetadata meta) {
    metadata.put(metric, meta);
  }

  @Override
  public java.util.Optional<MetricMetadata> metadata(String metric) {
    return java.util.Optional.ofNullable(metadata.get(metric));
  }

  /** Registers a listener for new samples of {@code metric}; returns a handle that removes it. */
  public AutoCloseable subscribe(String metric, SampleListener listener) {
    List<SampleListener> ls =
        listeners.computeIfAbsent(metric, k -> new CopyOnWriteArrayList<>());
    ls.add(listener);
    return () -> ls.remove(listener);
  }

  /** Number of series currently held. */
  public long seriesCount() {
    return seriesCount.get();
  }

  /** Samples rejected because the cardinality limit was reached. */
  public long rejectedSamples() {
    return rejectedSamples.get();
  }

  /** Samples dropped because their value was NaN or infinite. */
  public long droppedNonFinite() {
    return droppedNonFinite.get();
  }

  /** Removes every series whose labels match (e.g. all series of a node that left). */
  public void removeSeries(Map<String, String> matchers) {
    for (Map<Labels, SeriesBuffer> series : byMetric.values()) {
      series.keySet().removeIf(l -> {
        boolean m = l.matches(matchers);
        if (m) {
          seriesCount.decrementAndGet();
        }
        return m;
      });
    }
  }

  @Override
  public OptionalDouble latest(String metric, Map<String, String> matchers) {
    Map<Labels, SeriesBuffer> series = byMetric.get(metric);
    if (series == null) {
      return OptionalDouble.empty();
    }
    long bestTs = Long.MIN_VALUE;
    double best = Double.NaN;
    for (Map.Entry<Labels, SeriesBuffer> e : series.entrySet()) {
      if (!e.getKey().matches(matchers)) {
        continue;
      }
      long[] ts = new long[1];
      double v = e.getValue().latest(ts);
      if (!Double.isNaN(v) && ts[0] > bestTs) {
        bestTs = ts[0];
        best = v;
      }
    }
    return bestTs == Long.MIN_VALUE ? OptionalDouble.empty() : OptionalDouble.of(best);
  }

  @Override
  public List<Series> range(String metric, Map<String, String> matchers, Duration window) {
    Map<Labels, SeriesBuffer> series = byMetric.get(metric);
    if (series == null) {
      return List.of();
    }
    long from = clock.millis() - window.toMillis();
    List<Series> out = new ArrayList<>();
    for (Map.Entry<Labels, SeriesBuffer> e : series.entrySet()) {
      if (e.getKey().matches(matchers)) {
        out.add(new Series(metric, e.getKey(), e.getValue().since(metric, e.getKey(), from)));
      }
    }
    return out;
  }

  @Override
  public OptionalDouble avgOverWindow(String metric, Map<String, String> matchers, Duration w) {
    double sum = 0;
    long n = 0;
    for (Series s : range(metric, matchers, w)) {
      for (Sample p : s.samples()) {
        sum += p.value();
        n++;
      }
    }
    return n == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / n);
  }

  @Override
  public OptionalDouble maxOverWindow(String metric, Map<String, String> matchers, Duration w) {
    double max = Double.NEGATIVE_INFINITY;
    boolean any = false;
    for (Series s : range(metric, matchers, w)) {
      for (Sample p : s.samples()) {
        max = Math.max(max, p.value());
        any = true;
      }
    }
    return any ? OptionalDouble.of(max) : OptionalDouble.empty();
  }

  @Override
  public List<String> metricNames() {
    List<String> names = new ArrayList<>();
    byMetric.forEach((k, v) -> {
      if (!v.isEmpty()) {
        names.add(k);
      }
    });
    names.sort(null);
    return names;
  }

  /** Fixed-size ring of (timestamp, value); synchronized because writers and readers differ. */
  private static final class SeriesBuffer {
    private final long[] ts;
    private final double[] values;
    private int next;
    private int size;

    SeriesBuffer(int capacity) {
      ts = new long[capacity];
      values = new double[capacity];
    }

    synchronized void add(long t, double v) {
      ts[next] = t;
      values[next] = v;
      next = (next + 1) % ts.length;
      if (size < ts.length) {
        size++;
      }
    }

    synchronized double latest(long[] tsOut) {
      if (size == 0) {
        return Double.NaN;
      }
      int i = (next - 1 + ts.length) % ts.length;
      tsOut[0] = ts[i];
      return values[i];
    }

    synchronized List<Sample> since(String metric, Labels labels, long from) {
      List<Sample> out = new ArrayList<>();
      int start = (next - size + ts.length) % ts.length;
      for (int k = 0; k < size; k++) {
        int i = (start + k) % ts.length;
        if (ts[i] >= from) {
          out.add(new Sample(metric, labels, ts[i], values[i]));
        }
      }
      return out;
    }
  }
}
