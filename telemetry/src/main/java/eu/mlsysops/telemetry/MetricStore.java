package eu.mlsysops.telemetry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-memory time series store of one agent: compact chunks per series, an index from metric name
 * and label values to series, and listeners per metric that are told about new samples (this is
 * what makes analysis event-driven).
 *
 * <p><b>Storage.</b> A series keeps its samples in chunks of up to 128: a base timestamp, int
 * millisecond offsets and double values, 12 bytes a sample plus the chunk's and the series' share
 * of overhead (under 16 bytes a sample for series of a few hundred samples; see {@link
 * #bytesUsed()}). Appending is amortised O(1) and locks only the series appended to.
 *
 * <p><b>Bounds.</b> So that a misbehaving reporter cannot exhaust memory, the store is bounded on
 * four axes, and every sample it does not keep is counted:
 *
 * <ul>
 *   <li>time: samples older than the retention (relative to the newest timestamp the series, or for
 *       idle series the store, has seen; not to the wall clock, so replayed or simulated time
 *       behaves the same) are dropped a chunk at a time, see {@link #evictedSamples()};
 *   <li>samples per series: beyond the cap, the oldest are dropped one by one;
 *   <li>memory: when {@link #bytesUsed()} exceeds the budget, the oldest chunks of the whole store
 *       are dropped until it is under 90% of the budget;
 *   <li>series: samples of new series beyond the limit are rejected, see {@link
 *       #rejectedSamples()}.
 * </ul>
 *
 * <p><b>Order.</b> A series only takes samples in timestamp order. A sample older than the series'
 * newest is dropped and counted ({@link #droppedOutOfOrder()}); one with the same timestamp as the
 * newest replaces its value (last write wins). NaN and infinite values are dropped and counted.
 *
 * <p>Thread-safe. Never throws on {@link #append}.
 */
public final class MetricStore implements SampleSink, TelemetryQuery, SeriesSource {
  /** Default retention: 15 minutes of raw samples, as node agents keep them. */
  public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(15);

  /** Default cap of samples per series: 900, i.e. 15 minutes at one sample a second. */
  public static final int DEFAULT_SAMPLES_PER_SERIES = 900;

  /** Default cardinality limit: 100,000 series. */
  public static final int DEFAULT_MAX_SERIES = 100_000;

  /** Default memory budget: 256 MiB (about 20 million samples). */
  public static final long DEFAULT_MEMORY_BUDGET_BYTES = 256L << 20;

  /** Largest chunk, in samples. */
  static final int MAX_CHUNK = 128;

  /** Capacity of a new head chunk; it doubles up to the chunk size. */
  static final int INITIAL_CHUNK = 8;

  /** Estimated fixed bytes of a series: its object, chunk deque, index entry and label set. */
  static final long SERIES_BYTES = 256;

  /** Estimated bytes per label of a series: label map entry and label index entry. */
  static final long LABEL_BYTES = 120;

  private final Clock clock;
  private final int samplesPerSeries;
  private final int maxSeries;
  private final long retentionMillis;
  private final long budgetBytes;
  private final long sweepIntervalMillis;
  private final int chunkSize;
  private final int initialChunk;

  private final ConcurrentHashMap<String, MetricEntry> byMetric = new ConcurrentHashMap<>();
  private final AtomicLong seriesCount = new AtomicLong();
  private final AtomicLong bytesUsed = new AtomicLong();
  private final LongAdder samplesStored = new LongAdder();
  private final LongAdder rejectedSamples = new LongAdder();
  /**
   * Series per value of the {@code app} label: no app may hold more than {@link #maxSeriesPerApp},
   * so one app's flood (or a flood in its name) leaves room for the others' new series.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger>
      appSeries = new java.util.concurrent.ConcurrentHashMap<>();
  private final int maxSeriesPerApp;
  private final LongAdder rejectedOverAppBudget = new LongAdder();
  /**
   * Series per value of the {@code instance} label, the source of what an instance sends (with
   * OTLP tokens every series of an instance names it): once its app is three quarters full, no
   * instance past {@link #maxSeriesPerInstance} gets new series, so one instance's flood leaves
   * room for its own app's other instances.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger>
      instanceSeries = new java.util.concurrent.ConcurrentHashMap<>();
  private final int maxSeriesPerInstance;
  private final LongAdder rejectedOverInstanceBudget = new LongAdder();
  /**
   * Budget refusals by source: the app (app budget) or the instance (instance budget) whose new
   * series were refused. Only apps and instances at their budget are refused, so there are at most
   * as many keys as the store has room for such sources.
   */
  private final ConcurrentHashMap<BudgetSource, LongAdder> refusedBySource =
      new ConcurrentHashMap<>();
  private final LongAdder droppedNonFinite = new LongAdder();
  private final LongAdder droppedOutOfOrder = new LongAdder();
  private final LongAdder evictedSamples = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();

  /** Newest sample timestamp the store has seen: the reference of retention sweeps. */
  private final AtomicLong newestTimestamp = new AtomicLong(Long.MIN_VALUE);

  private volatile long nextSweepAt = Long.MIN_VALUE;
  private volatile long evictAbove;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final AtomicBoolean evicting = new AtomicBoolean();

  /**
   * A store that keeps up to {@code samplesPerSeries} samples per series with no time limit and the
   * default memory budget ({@link #DEFAULT_MEMORY_BUDGET_BYTES}); {@link #builder()} configures the
   * rest.
   *
   * @param clock time source for windowed queries
   * @param samplesPerSeries samples kept per series, oldest dropped first (e.g. 900 = 15 minutes at
   *     1 s)
   * @param maxSeries cardinality limit; samples of new series beyond it are rejected and counted
   */
  public MetricStore(Clock clock, int samplesPerSeries, int maxSeries) {
    this(
        builder()
            .clock(clock)
            .samplesPerSeries(samplesPerSeries)
            .maxSeries(maxSeries)
            .unlimitedRetention());
  }

  private MetricStore(Builder b) {
    this.clock = b.clock;
    this.samplesPerSeries = b.samplesPerSeries;
    this.maxSeries = b.maxSeries;
    this.maxSeriesPerApp = b.maxSeriesPerApp > 0 ? b.maxSeriesPerApp
        : Math.max(1, b.maxSeries / 4);
    this.maxSeriesPerInstance = b.maxSeriesPerInstance > 0 ? b.maxSeriesPerInstance
        : Math.max(1, maxSeriesPerApp / 4);
    this.retentionMillis = b.retentionMillis;
    this.budgetBytes = b.memoryBudgetBytes;
    this.evictAbove = b.memoryBudgetBytes;
    this.sweepIntervalMillis =
        retentionMillis == Long.MAX_VALUE
            ? 60_000
            : Math.max(1_000, Math.min(60_000, retentionMillis / 8));
    int c = Integer.highestOneBit(Math.max(1, samplesPerSeries - 1)) << 1;
    this.chunkSize = Math.max(1, Math.min(MAX_CHUNK, c));
    this.initialChunk = Math.min(INITIAL_CHUNK, chunkSize);
  }

  /**
   * A store with the defaults of {@link #builder()}: 15 minutes retention, 900 samples per series,
   * 100,000 series, 256 MiB.
   */
  public static MetricStore withDefaults(Clock clock) {
    return builder().clock(clock).build();
  }

  /** A builder; its defaults are documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link MetricStore}. Not thread-safe; {@link #build()} validates nothing more. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private long retentionMillis = DEFAULT_RETENTION.toMillis();
    private int samplesPerSeries = DEFAULT_SAMPLES_PER_SERIES;
    private int maxSeries = DEFAULT_MAX_SERIES;
    private int maxSeriesPerApp;
    private int maxSeriesPerInstance;
    private long memoryBudgetBytes = DEFAULT_MEMORY_BUDGET_BYTES;

    private Builder() {}

    /**
     * Series one value of the {@code instance} label may hold once its app is three quarters
     * full (default: a quarter of {@link #maxSeriesPerApp}).
     */
    public Builder maxSeriesPerInstance(int maxSeriesPerInstance) {
      if (maxSeriesPerInstance < 1) {
        throw new IllegalArgumentException("maxSeriesPerInstance must be positive");
      }
      this.maxSeriesPerInstance = maxSeriesPerInstance;
      return this;
    }

    /**
     * The most series with one value of the {@code app} label (default: a quarter of {@link
     * #maxSeries}): new series of an app at its budget are rejected while other apps' are not.
     */
    public Builder maxSeriesPerApp(int maxSeriesPerApp) {
      if (maxSeriesPerApp < 1) {
        throw new IllegalArgumentException("maxSeriesPerApp must be positive");
      }
      this.maxSeriesPerApp = maxSeriesPerApp;
      return this;
    }

    /**
     * Time source of windowed queries ({@link #range} and friends); default the UTC system clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long samples are kept, measured back from the newest timestamp seen; default 15 minutes.
     * Data is dropped a chunk at a time, so up to one chunk more may be kept.
     */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException("retention must be positive, got " + retention);
      }
      this.retentionMillis = retention.toMillis();
      return this;
    }

    /** No time limit: samples are dropped only by the per-series cap and the memory budget. */
    public Builder unlimitedRetention() {
      this.retentionMillis = Long.MAX_VALUE;
      return this;
    }

    /** Samples kept per series, oldest dropped first; default 900. */
    public Builder samplesPerSeries(int samplesPerSeries) {
      if (samplesPerSeries < 1) {
        throw new IllegalArgumentException("samplesPerSeries must be positive");
      }
      this.samplesPerSeries = samplesPerSeries;
      return this;
    }

    /** Cardinality limit; samples of new series beyond it are rejected. Default 100,000. */
    public Builder maxSeries(int maxSeries) {
      if (maxSeries < 1) {
        throw new IllegalArgumentException("maxSeries must be positive");
      }
      this.maxSeries = maxSeries;
      return this;
    }

    /**
     * Memory budget in bytes as {@link MetricStore#bytesUsed()} estimates it; above it, the oldest
     * chunks are dropped until 90% is used. Default 256 MiB.
     */
    public Builder memoryBudgetBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("memoryBudgetBytes must be positive");
      }
      this.memoryBudgetBytes = bytes;
      return this;
    }

    /** The store. */
    public MetricStore build() {
      return new MetricStore(this);
    }
  }

  // ---------------------------------------------------------------- ingest

  /**
   * Appends a sample and notifies the metric's listeners. Never throws: NaN and infinities, samples
   * older than their series' newest and samples of new series beyond the cardinality limit are
   * dropped and counted; a listener that throws is counted ({@link #listenerFailures()}).
   *
   * @return true if stored
   */
  public boolean append(Sample sample) {
    return offer(sample) == null;
  }

  /** Appends as {@link #append} does, and says why not when it does not: null when stored. */
  @Override
  public SampleBatch.Refusal offer(Sample sample) {
    double v = sample.value();
    if (!Double.isFinite(v)) {
      droppedNonFinite.increment();
      return SampleBatch.Refusal.NON_FINITE;
    }
    MetricEntry e = entry(sample.metric());
    long[] stored = new long[2];
    SampleBatch.Refusal refusal = append(e, sample.labels(), sample.timestampMillis(), v, stored);
    if (refusal == null) {
      count(stored);
      advanceNewest(sample.timestampMillis());
      notifyListeners(e, sample);
    }
    return refusal;
  }

  /**
   * Appends every sample of the batch as {@link #append} would, in order, looking the metric up
   * once; the store's shared counters are updated once per batch.
   */
  @Override
  public void acceptBatch(SampleBatch batch) {
    MetricEntry e = entry(batch.metric());
    long[] stored = new long[2];
    int nonFinite = 0;
    try {
      for (int i = 0; i < batch.size(); i++) {
        double v = batch.value(i);
        if (!Double.isFinite(v)) {
          nonFinite++;
          batch.refused(i, SampleBatch.Refusal.NON_FINITE);
          continue;
        }
        long ts = batch.timestampMillis(i);
        SampleBatch.Refusal refusal = append(e, batch.labels(i), ts, v, stored);
        if (refusal != null) {
          batch.refused(i, refusal);
        } else {
          batch.accepted(i, true);
          // Per sample, as append does: a retention sweep it starts may free series for the next.
          advanceNewest(ts);
          if (e.listeners.length != 0) {
            notifyListeners(e, batch.sample(i));
          }
        }
      }
    } finally {
      if (nonFinite != 0) {
        droppedNonFinite.add(nonFinite);
      }
      count(stored);
    }
  }

  private void count(long[] stored) {
    if (stored[0] != 0) {
      samplesStored.add(stored[0]);
    }
    if (stored[1] != 0) {
      evictedSamples.add(stored[1]);
    }
  }

  /**
   * Appends one finite value to its series; adds the change of stored samples to {@code stored[0]}
   * and the samples evicted to {@code stored[1]} (the caller adds them to the shared counters, once
   * per batch: at full series every append evicts one).
   *
   * @return null when stored, else why not
   */
  private SampleBatch.Refusal append(MetricEntry e, Labels labels, long ts, double v,
      long[] stored) {
    for (int attempt = 0; attempt < 3; attempt++) {
      StoredSeries s = hint(labels, e);
      if (s == null) {
        s = e.series.get(labels);
        if (s == null) {
          s = createSeries(e, labels);
          if (s == null) {
            rejectedSamples.increment();
            return SampleBatch.Refusal.SERIES_LIMIT;
          }
        }
        remember(labels, s);
      }
      long bytesDelta = 0;
      int evicted = 0;
      int added;
      synchronized (s) {
        if (s.removed) {
          forget(labels, s);
          continue;
        }
        if (ts < s.newest) {
          droppedOutOfOrder.increment();
          return SampleBatch.Refusal.OUT_OF_ORDER;
        }
        Chunk head = s.head();
        if (ts == s.newest && head != null) {
          head.values[head.count - 1] = v;
          added = 0;
        } else {
          if (head == null || head.count == chunkSize || ts - head.base > Integer.MAX_VALUE) {
            if (head != null) {
              bytesDelta += head.seal();
              if (retentionMillis != Long.MAX_VALUE) {
                long horizon = ts - retentionMillis;
                Chunk first;
                while ((first = s.first()) != null && first.lastTs() < horizon) {
                  s.removeFirst();
                  evicted += first.live();
                  bytesDelta -= first.bytes();
                }
              }
            }
            head = new Chunk(ts, initialChunk);
            s.add(head);
            bytesDelta += head.bytes();
          } else if (head.count == head.capacity()) {
            bytesDelta += head.grow(chunkSize);
          }
          head.add(ts, v);
          s.newest = ts;
          added = 1;
          s.samples += 1 - evicted;
          while (s.samples > samplesPerSeries) {
            Chunk first = s.first();
            first.start++;
            s.samples--;
            evicted++;
            if (first.start == first.count) {
              s.removeFirst();
              bytesDelta -= first.bytes();
            }
          }
        }
      }
      stored[0] += added - evicted;
      stored[1] += evicted;
      if (bytesDelta != 0 && bytesUsed.addAndGet(bytesDelta) > evictAbove) {
        enforceBudget();
      }
      return null;
    }
    // Removed concurrently three times in a row: give up quietly.
    return SampleBatch.Refusal.UNSPECIFIED;
  }

  /** Same as {@link #append}. */
  @Override
  public boolean accept(Sample sample) {
    return append(sample);
  }

  /** Records the metric's metadata, returned by {@link #metadata}. */
  @Override
  public void describe(String metric, MetricMetadata metadata) {
    entry(Objects.requireNonNull(metric, "metric")).metadata =
        Objects.requireNonNull(metadata, "metadata");
  }

  @Override
  public Optional<MetricMetadata> metadata(String metric) {
    MetricEntry e = byMetric.get(metric);
    return e == null ? Optional.empty() : Optional.ofNullable(e.metadata);
  }

  /** Registers a listener for new samples of {@code metric}; returns a handle that removes it. */
  public AutoCloseable subscribe(String metric, SampleListener listener) {
    Objects.requireNonNull(listener, "listener");
    MetricEntry e = entry(metric);
    e.addListener(listener);
    return () -> e.removeListener(listener);
  }

  private MetricEntry entry(String metric) {
    MetricEntry e = byMetric.get(metric);
    return e != null ? e : byMetric.computeIfAbsent(metric, MetricEntry::new);
  }

  /** The series of {@code e} these labels remember, or null. */
  private static StoredSeries hint(Labels labels, MetricEntry e) {
    StoredSeries[] hints = labels.seriesHints;
    if (hints != null) {
      for (StoredSeries s : hints) {
        if (s != null && s.entry == e) {
          return s;
        }
      }
    }
    return null;
  }

  /** Remembers {@code s} on its labels, in a free slot if there is one. */
  private static void remember(Labels labels, StoredSeries s) {
    StoredSeries[] hints = labels.seriesHints;
    if (hints == null) {
      hints = new StoredSeries[Labels.HINTS];
      labels.seriesHints = hints; // a racing writer's array may win: a lost hint costs a lookup
    }
    for (int i = 0; i < hints.length; i++) {
      if (hints[i] == null) {
        hints[i] = s;
        return;
      }
    }
  }

  private static void forget(Labels labels, StoredSeries s) {
    StoredSeries[] hints = labels.seriesHints;
    if (hints != null) {
      for (int i = 0; i < hints.length; i++) {
        if (hints[i] == s) {
          hints[i] = null;
        }
      }
    }
  }

  /**
   * The app whose budget a series counts against, or null. The agents' own series (mls_*, which no
   * tokened source may write) belong to no app's budget: they count that budget's refusals under
   * the app's name, when it is full.
   */
  private static String budgetApp(String metric, Labels labels) {
    return metric.startsWith("mls_") ? null : labels.get("app");
  }

  private StoredSeries createSeries(MetricEntry e, Labels labels) {
    if (seriesCount.get() >= maxSeries) {
      return null;
    }
    String app = budgetApp(e.name, labels);
    java.util.concurrent.atomic.AtomicInteger ofApp = app == null ? null
        : appSeries.computeIfAbsent(app, k -> new java.util.concurrent.atomic.AtomicInteger());
    if (ofApp != null && ofApp.get() >= maxSeriesPerApp) {
      refusedOverAppBudget(app);
      return null;
    }
    String instance = labels.get("instance");
    if (instance != null && ofApp != null && instanceOverBudget(instance, ofApp)) {
      rejectedOverInstanceBudget.increment();
      refusedBySource.computeIfAbsent(new BudgetSource(app, instance), k -> new LongAdder())
          .increment();
      return null;
    }
    return e.series.computeIfAbsent(
        labels,
        l -> {
          if (seriesCount.incrementAndGet() > maxSeries) {
            seriesCount.decrementAndGet();
            return null;
          }
          if (ofApp != null && ofApp.incrementAndGet() > maxSeriesPerApp) {
            ofApp.decrementAndGet();
            seriesCount.decrementAndGet();
            refusedOverAppBudget(app);
            return null;
          }
          if (instance != null) {
            instanceSeries.compute(instance, (k, n) -> {
              java.util.concurrent.atomic.AtomicInteger c =
                  n == null ? new java.util.concurrent.atomic.AtomicInteger() : n;
              c.incrementAndGet();
              return c;
            });
          }
          long overhead = SERIES_BYTES;
          for (Map.Entry<String, String> x : l.map().entrySet()) {
            overhead += LABEL_BYTES + x.getValue().length();
          }
          StoredSeries s = new StoredSeries(e, l, overhead);
          e.index(s);
          bytesUsed.addAndGet(overhead);
          return s;
        });
  }

  private void notifyListeners(MetricEntry e, Sample sample) {
    for (SampleListener l : e.listeners) {
      try {
        l.onSample(sample);
      } catch (RuntimeException ex) {
        listenerFailures.increment();
      }
    }
  }

  private void advanceNewest(long ts) {
    long cur = newestTimestamp.get();
    while (ts > cur) {
      if (newestTimestamp.compareAndSet(cur, ts)) {
        if (ts >= nextSweepAt) {
          nextSweepAt = ts + sweepIntervalMillis;
          evictExpired();
        }
        return;
      }
      cur = newestTimestamp.get();
    }
  }

  // ---------------------------------------------------------------- eviction

  /**
   * Drops every chunk whose samples are all older than the retention horizon (the newest timestamp
   * the store has seen minus the retention) and removes series left without samples (they no longer
   * count towards the cardinality limit). Appends run this by themselves about every eighth of the
   * retention (at most every minute); calling it is only needed to force it.
   *
   * @return the number of samples dropped
   */
  public long evictExpired() {
    if (!sweeping.compareAndSet(false, true)) {
      return 0;
    }
    try {
      long newest = newestTimestamp.get();
      long horizon =
          retentionMillis == Long.MAX_VALUE || newest == Long.MIN_VALUE
              ? Long.MIN_VALUE
              : newest - retentionMillis;
      long dropped = 0;
      for (MetricEntry e : byMetric.values()) {
        for (StoredSeries s : e.series.values()) {
          dropped += dropChunksEndingBefore(s, horizon, true, Long.MAX_VALUE, null);
        }
      }
      return dropped;
    } finally {
      sweeping.set(false);
    }
  }

  /**
   * Drops the series' oldest chunks while they end before {@code horizon} and fewer than {@code
   * maxBytes} have been freed; with {@code removeEmpty}, removes the series if it is then empty.
   * Adds the bytes freed to {@code freedOut[0]} when given; returns the samples dropped.
   */
  private long dropChunksEndingBefore(
      StoredSeries s, long horizon, boolean removeEmpty, long maxBytes, long[] freedOut) {
    int dropped = 0;
    long freed = 0;
    boolean remove = false;
    synchronized (s) {
      if (s.removed) {
        return 0;
      }
      Chunk first;
      while (freed < maxBytes && (first = s.first()) != null && first.lastTs() < horizon) {
        s.removeFirst();
        dropped += first.live();
        freed += first.bytes();
      }
      s.samples -= dropped;
      if (removeEmpty && s.isEmpty()) {
        s.removed = true;
        freed += s.overheadBytes;
        remove = true;
      }
    }
    account(dropped, freed);
    if (remove) {
      unlink(s);
    }
    if (freedOut != null) {
      freedOut[0] += freed;
    }
    return dropped;
  }

  private void account(int dropped, long freed) {
    if (dropped != 0) {
      samplesStored.add(-dropped);
      evictedSamples.add(dropped);
    }
    if (freed != 0) {
      bytesUsed.addAndGet(-freed);
    }
  }

  private void unlink(StoredSeries s) {
    forget(s.labels, s); // let the labels point at a live series, and this one be freed
    MetricEntry e = byMetric.get(s.metric);
    if (e != null && e.series.remove(s.labels, s)) {
      e.unindex(s);
      seriesCount.decrementAndGet();
      String app = budgetApp(s.metric, s.labels);
      java.util.concurrent.atomic.AtomicInteger ofApp = app == null ? null : appSeries.get(app);
      if (ofApp != null) {
        ofApp.decrementAndGet();
      }
      String instance = s.labels.get("instance");
      if (instance != null) { // instances come and go: forget the gone
        instanceSeries.computeIfPresent(instance, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
      }
    }
  }

  /**
   * Drops the oldest chunks of the whole store until under 90% of the budget: finds the time T such
   * that chunks ending at or before T hold about the excess, then drops them from every series.
   * Runs on the appending thread that crossed the budget, at most one at a time; it is O(chunks),
   * and the next run waits until a further tenth of the budget has been used.
   */
  private void enforceBudget() {
    if (!evicting.compareAndSet(false, true)) {
      return;
    }
    try {
      long lowWater = budgetBytes - budgetBytes / 10;
      for (int round = 0; round < 8 && bytesUsed.get() > lowWater; round++) {
        long excess = bytesUsed.get() - lowWater;
        long[] ends = new long[1024];
        int n = 0;
        long chunkBytes = 0;
        for (MetricEntry e : byMetric.values()) {
          for (StoredSeries s : e.series.values()) {
            synchronized (s) {
              for (int i = 0; i < s.chunkCount(); i++) {
                Chunk c = s.chunk(i);
                if (n == ends.length) {
                  ends = Arrays.copyOf(ends, n * 2);
                }
                ends[n++] = c.lastTs();
                chunkBytes += c.bytes();
              }
            }
          }
        }
        if (n == 0) {
          break;
        }
        Arrays.sort(ends, 0, n);
        long perChunk = Math.max(1, chunkBytes / n);
        int k = (int) Math.min(n - 1, Math.max(0, (excess + perChunk - 1) / perChunk - 1));
        long cutoff = ends[k];
        // Chunks older than the cutoff go; of those ending exactly at it (series fed in lockstep
        // end their chunks together), only as many as the excess needs.
        for (MetricEntry e : byMetric.values()) {
          for (StoredSeries s : e.series.values()) {
            dropChunksEndingBefore(s, cutoff, false, Long.MAX_VALUE, null);
          }
        }
        long left = bytesUsed.get() - lowWater;
        long[] freed = {0};
        long horizon = cutoff == Long.MAX_VALUE ? cutoff : cutoff + 1;
        for (Iterator<MetricEntry> it = byMetric.values().iterator();
            it.hasNext() && freed[0] < left; ) {
          for (Iterator<StoredSeries> si = it.next().series.values().iterator();
              si.hasNext() && freed[0] < left; ) {
            dropChunksEndingBefore(si.next(), horizon, false, left - freed[0], freed);
          }
        }
      }
      evictAbove = Math.max(budgetBytes, bytesUsed.get() + budgetBytes / 10);
    } finally {
      evicting.set(false);
    }
  }

  /**
   * The value of a staleness marker, Prometheus's stale NaN: a series whose newest sample at a
   * time is a marker has ended there (an instance stopped, moved or was lost). Real samples are
   * never NaN (non-finite values are refused), so readers take any NaN for a marker.
   */
  public static final double STALE_MARKER = Double.longBitsToDouble(0x7ff0000000000002L);

  /** Whether a stored value is a staleness marker rather than a sample. */
  public static boolean isStale(double value) {
    return Double.isNaN(value);
  }

  /**
   * Ends every series (of any metric) whose labels match {@code matchers} at {@code atMillis}
   * (or just after its newest sample, if that is later) with a staleness marker: instant queries
   * and {@code /metrics} leave it out from then on, range queries end there. A later sample
   * revives it. Series already ended are left alone; listeners are not told.
   *
   * @return how many series were ended
   */
  public int markStale(Map<String, String> matchers, long atMillis) {
    int ended = 0;
    MatcherSet ms = MatcherSet.of(matchers);
    long[] stored = new long[2];
    for (MetricEntry e : byMetric.values()) {
      for (StoredSeries s : ms.candidates(e)) {
        if (!ms.matches(s.labels)) {
          continue;
        }
        long ts;
        synchronized (s) {
          Chunk head = s.head();
          if (s.removed || head == null || isStale(head.values[head.count - 1])) {
            continue;
          }
          ts = Math.max(atMillis, s.newest + 1);
        }
        if (append(e, s.labels, ts, STALE_MARKER, stored) == null) {
          ended++;
        }
      }
    }
    count(stored);
    return ended;
  }

  /**
   * Ends, with a staleness marker, every series whose samples stopped arriving: its newest sample
   * is older than {@code intervals} times the gap between its last two samples (its reporting
   * interval), and at least {@code minSilenceMillis}. The marker goes where the next report was
   * due last. A series with a single sample is left to the lookback.
   *
   * @return how many series were ended
   */
  public int markSilentStale(long nowMillis, int intervals, long minSilenceMillis) {
    int ended = 0;
    long[] stored = new long[2];
    for (MetricEntry e : byMetric.values()) {
      for (StoredSeries s : e.series.values()) {
        long at;
        synchronized (s) {
          Chunk head = s.head();
          if (s.removed || head == null || isStale(head.values[head.count - 1])) {
            continue;
          }
          long previous = previousTimestamp(s);
          if (previous == Long.MIN_VALUE) {
            continue;
          }
          long silence = Math.max((long) intervals * (s.newest - previous), minSilenceMillis);
          if (nowMillis - s.newest <= silence) {
            continue;
          }
          at = s.newest + silence;
        }
        if (append(e, s.labels, at, STALE_MARKER, stored) == null) {
          ended++;
        }
      }
    }
    count(stored);
    return ended;
  }

  /** The timestamp of the series' sample before its newest; MIN_VALUE without one. */
  private static long previousTimestamp(StoredSeries s) {
    Chunk head = s.head();
    if (head.count - head.start >= 2) {
      return head.base + head.offsets[head.count - 2];
    }
    int k = s.chunkCount() - 2;
    if (k >= 0 && s.chunk(k).count > s.chunk(k).start) {
      return s.chunk(k).lastTs();
    }
    return Long.MIN_VALUE;
  }

  /** Removes every series whose labels match (e.g. all series of a node that left). */
  public void removeSeries(Map<String, String> matchers) {
    for (MetricEntry e : byMetric.values()) {
      for (StoredSeries s : e.series.values()) {
        if (!s.labels.matches(matchers)) {
          continue;
        }
        int dropped;
        long freed;
        synchronized (s) {
          if (s.removed) {
            continue;
          }
          s.removed = true;
          dropped = s.samples;
          freed = s.chunkBytes() + s.overheadBytes;
          s.samples = 0;
          s.clear();
        }
        samplesStored.add(-dropped);
        bytesUsed.addAndGet(-freed);
        unlink(s);
      }
    }
  }

  // ---------------------------------------------------------------- counters

  /** Number of series currently held. */
  public long seriesCount() {
    return seriesCount.get();
  }

  /** Samples rejected because the cardinality limit was reached. */
  public long rejectedSamples() {
    return rejectedSamples.sum();
  }

  /** Samples dropped because their value was NaN or infinite. */
  public long droppedNonFinite() {
    return droppedNonFinite.sum();
  }

  /** Samples dropped because they were older than their series' newest sample. */
  public long droppedOutOfOrder() {
    return droppedOutOfOrder.sum();
  }

  /**
   * Samples that were stored and later dropped to keep the bounds: retention, the per-series cap or
   * the memory budget (removed series are not counted).
   */
  public long evictedSamples() {
    return evictedSamples.sum();
  }

  /** Exceptions thrown by listeners (caught so that ingest goes on). */
  public long listenerFailures() {
    return listenerFailures.sum();
  }

  /** Samples currently stored. */
  public long samplesStored() {
    return samplesStored.sum();
  }

  /**
   * Estimated bytes held: chunk arrays exactly as the JVM lays them out with compressed oops (12
   * bytes a sample plus 80 bytes a chunk), plus an estimate of each series' fixed cost (series
   * object, index entries, label set). The memory budget is checked against this figure.
   */
  public long bytesUsed() {
    return bytesUsed.get();
  }

  /** Samples of new series refused because their app had its budget of series. */
  public long rejectedOverAppBudget() {
    return rejectedOverAppBudget.sum();
  }

  private void refusedOverAppBudget(String app) {
    rejectedOverAppBudget.increment();
    refusedBySource.computeIfAbsent(new BudgetSource(app, null), k -> new LongAdder())
        .increment();
  }

  /**
   * Who was refused new series for a budget: an app at its budget ({@code instance} null) or an
   * instance at its share of its app's.
   */
  public record BudgetSource(String app, String instance) {}

  /** Samples of new series refused for a budget, by whose budget it was (see BudgetSource). */
  public Map<BudgetSource, Long> refusedBySource() {
    Map<BudgetSource, Long> out = new java.util.HashMap<>();
    refusedBySource.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /**
   * Whether one more series of {@code instance} would take more than its share: an instance may
   * hold more than {@link #maxSeriesPerInstance} while its app has room (an app of one instance
   * uses all of its budget), but not once its app is three quarters full, so a flooding instance
   * leaves its app's last quarter to the others.
   */
  private boolean instanceOverBudget(String instance,
      java.util.concurrent.atomic.AtomicInteger ofApp) {
    java.util.concurrent.atomic.AtomicInteger n = instanceSeries.get(instance);
    return n != null && n.get() >= maxSeriesPerInstance
        && ofApp.get() >= maxSeriesPerApp - maxSeriesPerApp / 4;
  }

  /** Samples of new series refused because their instance had its budget of series. */
  public long rejectedOverInstanceBudget() {
    return rejectedOverInstanceBudget.sum();
  }

  /** Series held per value of the {@code app} label (apps that hold none may be missing). */
  public Map<String, Integer> seriesPerApp() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    appSeries.forEach((app, n) -> {
      if (n.get() > 0) {
        out.put(app, n.get());
      }
    });
    return out;
  }

  /** All counters at once. */
  public Stats stats() {
    return new Stats(
        seriesCount(),
        samplesStored(),
        bytesUsed(),
        droppedNonFinite(),
        rejectedSamples(),
        droppedOutOfOrder(),
        evictedSamples(),
        listenerFailures());
  }

  /**
   * A snapshot of the store's counters.
   *
   * @param series series held
   * @param samples samples stored
   * @param bytesUsed estimated bytes held
   * @param droppedNonFinite samples dropped for a NaN or infinite value
   * @param rejected samples rejected by the cardinality limit
   * @param droppedOutOfOrder samples dropped for being older than their series' newest
   * @param evicted samples dropped by retention, per-series cap or memory budget
   * @param listenerFailures exceptions thrown by listeners
   */
  public record Stats(
      long series,
      long samples,
      long bytesUsed,
      long droppedNonFinite,
      long rejected,
      long droppedOutOfOrder,
      long evicted,
      long listenerFailures) {

    /** Estimated bytes per stored sample, NaN when empty. */
    public double bytesPerSample() {
      return samples == 0 ? Double.NaN : (double) bytesUsed / samples;
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public List<String> metricNames() {
    List<String> names = new ArrayList<>();
    byMetric.forEach(
        (k, v) -> {
          if (!v.series.isEmpty()) {
            names.add(k);
          }
        });
    names.sort(null);
    return names;
  }

  @Override
  public void scan(
      String metric,
      List<LabelMatcher> matchers,
      long fromMillis,
      long toMillis,
      SeriesVisitor visitor) {
    if (fromMillis > toMillis) {
      return;
    }
    MetricEntry e = byMetric.get(metric);
    ScanBuffer buf = new ScanBuffer();
    if (e != null) {
      scan(e, matchers, fromMillis, toMillis, buf, visitor);
      return;
    }
    // A query engine's read: a name no metric has may be the Prometheus spelling of stored ones.
    if (metric.indexOf('_') >= 0) {
      for (Map.Entry<String, MetricEntry> other : byMetric.entrySet()) {
        if (PromNames.spells(metric, other.getKey(), true)) {
          scan(other.getValue(), matchers, fromMillis, toMillis, buf, visitor);
        }
      }
    }
  }

  private static void scan(MetricEntry e, List<LabelMatcher> matchers, long fromMillis,
      long toMillis, ScanBuffer buf, SeriesVisitor visitor) {
    MatcherSet ms = new MatcherSet(e.spelledAsStored(matchers));
    for (StoredSeries s : ms.candidates(e)) {
      if (!ms.matches(s.labels)) {
        continue;
      }
      int n = copy(s, fromMillis, toMillis, buf);
      if (n > 0) {
        visitor.visit(s.metric, s.labels, buf.ts, buf.values, n);
      }
    }
  }

  /** Copies the series' samples in [from, to] into the buffer; returns how many. */
  private static int copy(StoredSeries s, long from, long to, ScanBuffer buf) {
    int n = 0;
    synchronized (s) {
      buf.ensure(s.samples);
      long[] ts = buf.ts;
      double[] vs = buf.values;
      int k = s.chunkCount() - 1;
      // Walk back from the newest chunk to the first that reaches into the interval.
      while (k > 0 && s.chunk(k - 1).lastTs() >= from) {
        k--;
      }
      for (; k >= 0 && k < s.chunkCount(); k++) {
        Chunk c = s.chunk(k);
        if (c.lastTs() < from) {
          continue;
        }
        int begin = c.firstTs() >= from ? c.start : c.indexOf(from);
        boolean last = c.lastTs() > to;
        int end = last ? (to == Long.MAX_VALUE ? c.count : c.indexOf(to + 1)) : c.count;
        int len = end - begin;
        if (len > 0) {
          long base = c.base;
          int[] off = c.offsets;
          for (int j = 0; j < len; j++) {
            ts[n + j] = base + off[begin + j];
          }
          System.arraycopy(c.values, begin, vs, n, len);
          n += len;
        }
        if (last) {
          break;
        }
      }
    }
    return n;
  }

  @Override
  public OptionalDouble latest(String metric, Map<String, String> matchers) {
    MetricEntry e = byMetric.get(metric);
    if (e == null) {
      return OptionalDouble.empty();
    }
    long bestTs = Long.MIN_VALUE;
    double best = Double.NaN;
    boolean any = false;
    MatcherSet ms = MatcherSet.of(matchers);
    for (StoredSeries s : ms.candidates(e)) {
      if (!ms.matches(s.labels)) {
        continue;
      }
      synchronized (s) {
        Chunk head = s.head();
        if (head != null && (!any || s.newest > bestTs)
            && !isStale(head.values[head.count - 1])) {
          bestTs = s.newest;
          best = head.values[head.count - 1];
          any = true;
        }
      }
    }
    return any ? OptionalDouble.of(best) : OptionalDouble.empty();
  }

  @Override
  public List<Sample> lastValues(String metric, Map<String, String> matchers, Duration lookback) {
    MetricEntry e = byMetric.get(metric);
    if (e == null) {
      return List.of();
    }
    long from = clock.millis() - lookback.toMillis();
    List<Sample> out = new ArrayList<>();
    MatcherSet ms = MatcherSet.of(matchers);
    for (StoredSeries s : ms.candidates(e)) {
      if (!ms.matches(s.labels)) {
        continue;
      }
      double v;
      long ts;
      synchronized (s) {
        Chunk head = s.head();
        if (head == null || s.newest < from) {
          continue;
        }
        ts = s.newest;
        v = head.values[head.count - 1];
      }
      if (!isStale(v)) { // the series ended
        out.add(new Sample(metric, s.labels, ts, v));
      }
    }
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Every matching series is listed, with an empty sample list when it has nothing in the
   * window; samples newer than now are included.
   */
  @Override
  public List<Series> range(String metric, Map<String, String> matchers, Duration window) {
    MetricEntry e = byMetric.get(metric);
    if (e == null) {
      return List.of();
    }
    long from = clock.millis() - window.toMillis();
    List<Series> out = new ArrayList<>();
    ScanBuffer buf = new ScanBuffer();
    MatcherSet ms = MatcherSet.of(matchers);
    for (StoredSeries s : ms.candidates(e)) {
      if (!ms.matches(s.labels)) {
        continue;
      }
      int n = copy(s, from, Long.MAX_VALUE, buf);
      List<Sample> samples = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        if (!isStale(buf.values[i])) {
          samples.add(new Sample(metric, s.labels, buf.ts[i], buf.values[i]));
        }
      }
      out.add(new Series(metric, s.labels, samples));
    }
    return out;
  }

  @Override
  public OptionalDouble avgOverWindow(String metric, Map<String, String> matchers, Duration w) {
    double[] acc = new double[2];
    foldValues(metric, matchers, clock.millis() - w.toMillis(), (vs, begin, end) -> {
      for (int i = begin; i < end; i++) {
        if (!isStale(vs[i])) {
          acc[0] += vs[i];
          acc[1]++;
        }
      }
    });
    return acc[1] == 0 ? OptionalDouble.empty() : OptionalDouble.of(acc[0] / acc[1]);
  }

  @Override
  public OptionalDouble maxOverWindow(String metric, Map<String, String> matchers, Duration w) {
    double[] max = {Double.NEGATIVE_INFINITY};
    boolean[] any = new boolean[1];
    foldValues(metric, matchers, clock.millis() - w.toMillis(), (vs, begin, end) -> {
      for (int i = begin; i < end; i++) {
        if (!isStale(vs[i])) {
          max[0] = Math.max(max[0], vs[i]);
          any[0] = true;
        }
      }
    });
    return any[0] ? OptionalDouble.of(max[0]) : OptionalDouble.empty();
  }

  /** Values {@code vs[begin, end)} of one chunk. */
  private interface ValueRange {
    void visit(double[] vs, int begin, int end);
  }

  /**
   * Visits the values since {@code fromMillis} of every matching series in place, chunk by chunk:
   * a window statistic needs neither timestamps nor a copy (node policies ask one per analysis,
   * thousands of node agents several times a second).
   */
  private void foldValues(
      String metric, Map<String, String> matchers, long fromMillis, ValueRange visitor) {
    MetricEntry e = byMetric.get(metric);
    if (e == null) {
      return;
    }
    MatcherSet ms = new MatcherSet(MatcherSet.toMatchers(matchers));
    for (StoredSeries s : ms.candidates(e)) {
      if (!ms.matches(s.labels)) {
        continue;
      }
      synchronized (s) {
        int k = s.chunkCount() - 1;
        while (k > 0 && s.chunk(k - 1).lastTs() >= fromMillis) {
          k--;
        }
        for (; k >= 0 && k < s.chunkCount(); k++) {
          Chunk c = s.chunk(k);
          if (c.lastTs() < fromMillis) {
            continue;
          }
          int begin = c.firstTs() >= fromMillis ? c.start : c.indexOf(fromMillis);
          if (c.count > begin) {
            visitor.visit(c.values, begin, c.count);
          }
        }
      }
    }
  }

  /** Reusable scan arrays, grown to the largest series seen. */
  private static final class ScanBuffer {
    long[] ts = new long[256];
    double[] values = new double[256];

    void ensure(int n) {
      if (n > ts.length) {
        int cap = Math.max(n, ts.length * 2);
        ts = new long[cap];
        values = new double[cap];
      }
    }
  }

  /**
   * Matchers prepared for one scan: the most selective equality matcher picks candidates from the
   * label index, and regex results are remembered per label value (label values repeat across
   * series, regex matching is the expensive part).
   */
  private static final class MatcherSet {
    private final LabelMatcher[] matchers;
    private final Map<String, Boolean>[] memo;

    @SuppressWarnings("unchecked")
    MatcherSet(List<LabelMatcher> matchers) {
      this.matchers = matchers.toArray(new LabelMatcher[0]);
      this.memo = new Map[this.matchers.length];
      for (int i = 0; i < this.matchers.length; i++) {
        if (this.matchers[i].isRegex()) {
          memo[i] = new HashMap<>();
        }
      }
    }

    static MatcherSet of(Map<String, String> equalities) {
      return new MatcherSet(toMatchers(equalities));
    }

    static List<LabelMatcher> toMatchers(Map<String, String> equalities) {
      List<LabelMatcher> out = new ArrayList<>(equalities.size());
      equalities.forEach((k, v) -> out.add(LabelMatcher.equal(k, v)));
      return out;
    }

    Collection<StoredSeries> candidates(MetricEntry e) {
      Set<StoredSeries> best = null;
      for (LabelMatcher m : matchers) {
        if (m.isIndexable()) {
          Set<StoredSeries> p = e.postings(m.name(), m.value());
          if (p == null) {
            return List.of();
          }
          if (best == null || p.size() < best.size()) {
            best = p;
          }
        }
      }
      return best != null ? best : e.series.values();
    }

    boolean matches(Labels labels) {
      for (int i = 0; i < matchers.length; i++) {
        LabelMatcher m = matchers[i];
        if (memo[i] == null) {
          if (!m.matches(labels)) {
            return false;
          }
        } else {
          String v = labels.get(m.name());
          String key = v == null ? "" : v;
          Boolean r = memo[i].get(key);
          if (r == null) {
            r = m.matches(key);
            memo[i].put(key, r);
          }
          if (!r) {
            return false;
          }
        }
      }
      return true;
    }
  }
}
