package eu.mlsysops.telemetry;

import java.util.Arrays;

/**
 * A run of consecutive samples of one series: a base timestamp, int millisecond offsets from it and
 * the double values, 12 bytes a sample. The head chunk of a series grows by doubling up to the
 * store's chunk size and is then sealed; samples trimmed off the front (per-series cap) only move
 * {@code start}. Guarded by the owning series' monitor.
 */
final class Chunk {
  /** Object header, base, last, two array references and two ints, with compressed oops. */
  static final int HEADER_BYTES = 48;

  final long base;

  /** Timestamp of the newest sample, kept here so that scans skip chunks without their arrays. */
  long last;

  int[] offsets;
  double[] values;
  int start;
  int count;

  Chunk(long base, int capacity) {
    this.base = base;
    this.offsets = new int[capacity];
    this.values = new double[capacity];
  }

  static long bytesFor(int capacity) {
    return HEADER_BYTES + align8(16 + 4L * capacity) + align8(16 + 8L * capacity);
  }

  private static long align8(long n) {
    return (n + 7) & ~7L;
  }

  long bytes() {
    return bytesFor(values.length);
  }

  int capacity() {
    return values.length;
  }

  int live() {
    return count - start;
  }

  long firstTs() {
    return start == 0 ? base : base + offsets[start];
  }

  long lastTs() {
    return last;
  }

  /** The caller checked that there is room and that the offset fits an int. */
  void add(long ts, double v) {
    offsets[count] = (int) (ts - base);
    values[count] = v;
    count++;
    last = ts;
  }

  /** Doubles the capacity (at most {@code max}); returns the change in bytes. */
  long grow(int max) {
    long before = bytes();
    int cap = Math.min(max, values.length * 2);
    offsets = Arrays.copyOf(offsets, cap);
    values = Arrays.copyOf(values, cap);
    return bytes() - before;
  }

  /** Releases unused capacity of a chunk that will take no more samples; returns the change. */
  long seal() {
    if (count == values.length) {
      return 0;
    }
    long before = bytes();
    offsets = Arrays.copyOf(offsets, count);
    values = Arrays.copyOf(values, count);
    return bytes() - before;
  }

  /** Index of the first live sample with a timestamp at or after {@code ts}; count when none. */
  int indexOf(long ts) {
    long off = ts - base;
    if (off <= offsets[start]) {
      return start;
    }
    int lo = start;
    int hi = count - 1;
    if (off > offsets[hi]) {
      return count;
    }
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (offsets[mid] < off) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
