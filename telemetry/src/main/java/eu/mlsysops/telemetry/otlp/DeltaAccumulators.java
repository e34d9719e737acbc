package eu.mlsysops.telemetry.otlp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Running totals of delta series, so that delta sums and histograms are stored as cumulative
 * values. Bounded: when full, states idle for longer than the expiry are evicted (at most one sweep
 * a second); if it is still full, a new series gets no state and its point is rejected. An evicted
 * series starts again from zero, which downstream {@code rate()} reads as a counter reset.
 */
final class DeltaAccumulators {
  private final Map<SeriesKey, State> states = new ConcurrentHashMap<>();
  private final int maxSeries;
  private final long idleMillis;
  private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE / 2);

  DeltaAccumulators(int maxSeries, long idleMillis) {
    this.maxSeries = maxSeries;
    this.idleMillis = idleMillis;
  }

  int maxSeries() {
    return maxSeries;
  }

  int size() {
    return states.size();
  }

  /** The state of a series, created when new; null when the limit is reached. */
  <T extends State> T get(SeriesKey key, Class<T> kind, Supplier<T> factory, long nowMillis) {
    State s = states.get(key);
    if (kind.isInstance(s)) {
      return kind.cast(s);
    }
    if (s == null && states.size() >= maxSeries) {
      sweep(nowMillis);
      if (states.size() >= maxSeries) {
        return null;
      }
    }
    // A series that changed kind (a sum became a histogram) starts over.
    T fresh = factory.get();
    State prev = states.merge(key, fresh, (old, neu) -> kind.isInstance(old) ? old : neu);
    return kind.cast(prev);
  }

  void remove(SeriesKey key, State state) {
    states.remove(key, state);
  }

  /** Evicts idle states, at most once a second (a sweep walks every state). */
  private void sweep(long now) {
    long last = lastSweep.get();
    if (now - last < 1000 || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    long cutoff = now - idleMillis;
    states.values().removeIf(s -> s.touchedMillis < cutoff);
  }

  /** Common part of every delta state; guarded by the state's own monitor. */
  abstract static class State {
    long lastNanos;
    long touchedMillis;
    long updates;

    /** False (and no update) when the point is not newer than the last one. */
    boolean advance(long timeNanos, long nowMillis) {
      if (timeNanos != 0) {
        if (updates > 0 && Long.compareUnsigned(timeNanos, lastNanos) <= 0) {
          return false;
        }
        lastNanos = timeNanos;
      }
      touchedMillis = nowMillis;
      updates++;
      return true;
    }
  }

  static final class Sum extends State {
    double total;
  }

  static final class Histogram extends State {
    double[] bounds;
    long[] counts;
    long count;
    double sum;
    boolean hasSum;
  }

  static final class Exponential extends State {
    ExponentialBuckets buckets;
  }
}
