package eu.mlsysops.telemetry;

import java.util.Arrays;

/**
 * One series in a {@link MetricStore}: its chunks, oldest first, the newest chunk taking appends.
 * Every field is guarded by the series' monitor; the store holds it only for a few array writes
 * (append) or a copy (scan), so appends to different series never contend.
 */
final class StoredSeries {
  /** The metric entry (of one store) holding this series. */
  final MetricEntry entry;

  final String metric;
  final Labels labels;
  final long overheadBytes;

  /** chunks[0 .. size), oldest first; removing the oldest shifts the few references left. */
  private Chunk[] chunks = new Chunk[4];

  private int size;

  /** chunks[size - 1], or null: a field, so that an append does not read the chunk array. */
  private Chunk head;

  /** Newest timestamp ever appended; kept when chunks are evicted so order is still enforced. */
  long newest = Long.MIN_VALUE;

  /** Live samples over all chunks. */
  int samples;

  /**
   * Set once the series has left the index; an append that finds it set looks the series up again.
   */
  boolean removed;

  StoredSeries(MetricEntry entry, Labels labels, long overheadBytes) {
    this.entry = entry;
    this.metric = entry.name;
    this.labels = labels;
    this.overheadBytes = overheadBytes;
  }

  int chunkCount() {
    return size;
  }

  Chunk chunk(int i) {
    return chunks[i];
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The oldest chunk, or null. */
  Chunk first() {
    return size == 0 ? null : chunks[0];
  }

  /** The newest chunk, the one taking appends, or null. */
  Chunk head() {
    return head;
  }

  void add(Chunk c) {
    if (size == chunks.length) {
      chunks = Arrays.copyOf(chunks, size * 2);
    }
    chunks[size++] = c;
    head = c;
  }

  Chunk removeFirst() {
    Chunk c = chunks[0];
    System.arraycopy(chunks, 1, chunks, 0, size - 1);
    chunks[--size] = null;
    if (size == 0) {
      head = null;
    }
    return c;
  }

  void clear() {
    Arrays.fill(chunks, 0, size, null);
    size = 0;
    head = null;
  }

  /** Bytes of all chunks. */
  long chunkBytes() {
    long b = 0;
    for (int i = 0; i < size; i++) {
      b += chunks[i].bytes();
    }
    return b;
  }
}
