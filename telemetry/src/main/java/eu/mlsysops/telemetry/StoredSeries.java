package eu.mlsysops.telemetry;

import java.util.ArrayDeque;

/**
 * One series in a {@link MetricStore}: its chunks, oldest first, the newest chunk taking appends.
 * Every field is guarded by the series' monitor; the store holds it only for a few array writes
 * (append) or a copy (scan), so appends to different series never contend.
 */
final class StoredSeries {
  final String metric;
  final Labels labels;
  final long overheadBytes;
  final ArrayDeque<Chunk> chunks = new ArrayDeque<>(8);

  /** Newest timestamp ever appended; kept when chunks are evicted so order is still enforced. */
  long newest = Long.MIN_VALUE;

  /** Live samples over all chunks. */
  int samples;

  /**
   * Set once the series has left the index; an append that finds it set looks the series up again.
   */
  boolean removed;

  StoredSeries(String metric, Labels labels, long overheadBytes) {
    this.metric = metric;
    this.labels = labels;
    this.overheadBytes = overheadBytes;
  }

  /** Bytes of all chunks. */
  long chunkBytes() {
    long b = 0;
    for (Chunk c : chunks) {
      b += c.bytes();
    }
    return b;
  }
}
