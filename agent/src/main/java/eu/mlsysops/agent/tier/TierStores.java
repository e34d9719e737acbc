package eu.mlsysops.agent.tier;

import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import java.time.Clock;
import java.time.Duration;

/**
 * The metric store of each tier. Nodes keep raw samples for 15 minutes. Clusters and the continuum
 * receive their children's per-interval aggregates (rollups over the export interval, 5 s by
 * default) and keep them longer: an hour at a cluster, six at the continuum. The per-series cap
 * bounds a child that exports faster than the default: at a negotiated 1 s interval a cluster keeps
 * the newest hour's 3,600 points, at 100 ms the newest six minutes, and what falls off is counted as
 * evicted.
 */
final class TierStores {
  static final Duration NODE_RETENTION = Duration.ofMinutes(15);
  static final Duration CLUSTER_RETENTION = Duration.ofHours(1);
  static final Duration CONTINUUM_RETENTION = Duration.ofHours(6);
  /** …but not before this much silence (a GC pause of this process is not a series stopping). */
  static final long MIN_SILENCE_MILLIS = 2_000;

  /**
   * How often a cluster's or the continuum's store is swept for silent series. A sweep visits every
   * series; the markers go where the series ended whenever the sweep runs, so only reads in
   * between still see them.
   */
  static final long SWEEP_EVERY_MILLIS = 5_000;
  /**
   * How often a node agent's store is swept: less often, since there are thousands of them (10,000
   * sweeping every 5 s still took 5 % of the CPU of `bench/run scale 10000`), and an instance the
   * runtime stops is marked at once anyway; this catches what hangs or pushes unannounced.
   */
  static final long NODE_SWEEP_EVERY_MILLIS = 30_000;

  /**
   * Sweeps one store for series that stopped arriving, at most once per period: a series that
   * missed {@code silentIntervals} of its reporting intervals (an instance that hung or left
   * without its runtime knowing; {@link AgentEnvironment#staleAfterIntervals}) ends with a
   * staleness marker instead of letting its last value answer for the 5-minute lookback.
   */
  static final class SilenceSweep {
    private final MetricStore store;
    private final long everyMillis;
    private final int silentIntervals;
    private long last = Long.MIN_VALUE;

    SilenceSweep(MetricStore store, long everyMillis, int silentIntervals) {
      this.store = store;
      this.everyMillis = everyMillis;
      this.silentIntervals = silentIntervals;
    }

    /** Ends the series that stopped arriving, unless the last sweep was recent. */
    synchronized void run(long nowMillis) {
      if (last != Long.MIN_VALUE && nowMillis - last < everyMillis) {
        return;
      }
      last = nowMillis;
      store.markSilentStale(nowMillis, silentIntervals, MIN_SILENCE_MILLIS);
    }
  }

  private TierStores() {}

  static MetricStore node(Clock clock) {
    return store(clock, NODE_RETENTION, 900, 20_000, 64L << 20);
  }

  static MetricStore cluster(Clock clock) {
    return store(clock, CLUSTER_RETENTION, 3_600, 200_000, 256L << 20);
  }

  static MetricStore continuum(Clock clock) {
    return store(clock, CONTINUUM_RETENTION, 4_320, 200_000, 256L << 20);
  }

  private static MetricStore store(
      Clock clock, Duration retention, int perSeries, int maxSeries, long budgetBytes) {
    return MetricStore.builder()
        .clock(clock)
        .retention(retention)
        .samplesPerSeries(perSeries)
        .maxSeries(maxSeries)
        .memoryBudgetBytes(budgetBytes)
        .build();
  }

  /**
   * Where one cluster's telemetry goes in the continuum's store: series that name no cluster get
   * {@code cluster}'s id.
   */
  static SampleSink fromCluster(MetricStore store, String cluster) {
    return new SampleSink() {
      @Override
      public boolean accept(Sample s) {
        return store.append(s.labels().get("cluster") != null ? s
            : new Sample(s.metric(), s.labels().with("cluster", cluster), s.timestampMillis(),
                s.value()));
      }

      @Override
      public void describe(String metric, MetricMetadata metadata) {
        store.describe(metric, metadata);
      }
    };
  }
}
