package eu.mlsysops.telemetry.otlp;

import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;

/**
 * A mutable copy of an OTLP exponential histogram: downscaled to fit a bucket limit, merged with
 * another (delta accumulation), and turned into Prometheus {@code le} bounds. Bucket {@code i} of
 * the positive range holds values in {@code (base^i, base^(i+1)]}, of the negative range values in
 * {@code [-base^(i+1), -base^i)}, with {@code base = 2^(2^-scale)}.
 */
final class ExponentialBuckets {
  static final int MIN_SCALE = -10;
  static final int MAX_SCALE = 20;

  int scale;
  double zeroThreshold;
  long zeroCount;
  long count;
  double sum;
  boolean hasSum;
  Range positive;
  Range negative;

  static ExponentialBuckets of(ExponentialHistogramDataPoint p, int maxBuckets) {
    ExponentialBuckets h = new ExponentialBuckets();
    h.scale = p.getScale();
    h.zeroThreshold = p.getZeroThreshold();
    h.zeroCount = p.getZeroCount();
    h.count = p.getCount();
    h.sum = p.getSum();
    h.hasSum = p.hasSum();
    h.positive = Range.of(p.getPositive());
    h.negative = Range.of(p.getNegative());
    h.fit(maxBuckets);
    return h;
  }

  /** Adds another histogram's counts (both are first brought to the coarser scale). */
  void merge(ExponentialBuckets o, int maxBuckets) {
    int target = Math.min(scale, o.scale);
    downscale(scale - target);
    o.downscale(o.scale - target);
    positive = positive.plus(o.positive);
    negative = negative.plus(o.negative);
    zeroCount += o.zeroCount;
    zeroThreshold = Math.max(zeroThreshold, o.zeroThreshold);
    count += o.count;
    sum += o.sum;
    hasSum |= o.hasSum;
    fit(maxBuckets);
  }

  private void fit(int maxBuckets) {
    while (scale > MIN_SCALE
        && (positive.counts.length > maxBuckets || negative.counts.length > maxBuckets)) {
      downscale(1);
    }
  }

  private void downscale(int by) {
    if (by <= 0) {
      return;
    }
    positive = positive.downscale(by);
    negative = negative.downscale(by);
    scale -= by;
  }

  /** {@code base^exponent} = 2^(exponent * 2^-scale), exact for whole powers of two. */
  static double power(long exponent, int scale) {
    if (scale <= 0) {
      return Math.scalb(1.0, clamp(exponent << -scale));
    }
    long perTwo = 1L << scale;
    long whole = Math.floorDiv(exponent, perTwo);
    long frac = Math.floorMod(exponent, perTwo);
    return Math.scalb(Math.pow(2.0, (double) frac / perTwo), clamp(whole));
  }

  private static int clamp(long e) {
    return (int) Math.max(-2200, Math.min(2200, e));
  }

  /** Upper bound of positive bucket {@code index}. */
  double positiveUpper(long index) {
    return power(index + 1, scale);
  }

  /** Upper bound of negative bucket {@code index} (values are below {@code -base^index}). */
  double negativeUpper(long index) {
    return -power(index, scale);
  }

  /** A contiguous range of bucket counts starting at {@code offset}. */
  static final class Range {
    static final Range EMPTY = new Range(0, new long[0]);

    final long offset;
    final long[] counts;

    Range(long offset, long[] counts) {
      this.offset = offset;
      this.counts = counts;
    }

    static Range of(ExponentialHistogramDataPoint.Buckets b) {
      int n = b.getBucketCountsCount();
      if (n == 0) {
        return EMPTY;
      }
      long[] c = new long[n];
      for (int i = 0; i < n; i++) {
        c[i] = b.getBucketCounts(i);
      }
      return new Range(b.getOffset(), c);
    }

    Range downscale(int by) {
      if (counts.length == 0) {
        return this;
      }
      long first = offset >> by;
      long last = (offset + counts.length - 1) >> by;
      long[] c = new long[(int) (last - first + 1)];
      for (int i = 0; i < counts.length; i++) {
        c[(int) (((offset + i) >> by) - first)] += counts[i];
      }
      return new Range(first, c);
    }

    Range plus(Range o) {
      if (o.counts.length == 0) {
        return this;
      }
      if (counts.length == 0) {
        return new Range(o.offset, o.counts.clone());
      }
      long first = Math.min(offset, o.offset);
      long end = Math.max(offset + counts.length, o.offset + o.counts.length);
      long[] c = new long[(int) (end - first)];
      for (int i = 0; i < counts.length; i++) {
        c[(int) (offset - first) + i] += counts[i];
      }
      for (int i = 0; i < o.counts.length; i++) {
        c[(int) (o.offset - first) + i] += o.counts[i];
      }
      return new Range(first, c);
    }
  }
}
