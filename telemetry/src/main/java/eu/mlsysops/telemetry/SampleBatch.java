package eu.mlsysops.telemetry;

import java.util.Arrays;
import java.util.Objects;

/**
 * Samples of one metric handed to a {@link SampleSink} at once, with a flag per sample that the
 * sink sets when it keeps it. Writing a batch lets a sink look the metric up once instead of once
 * per sample (an OTLP metric carries hundreds of points). Reusable: {@link #reset} starts a new
 * batch in the same arrays. Not thread-safe.
 */
public final class SampleBatch {
  private String metric = "";
  private Labels[] labels;
  private long[] timestamps;
  private double[] values;
  private boolean[] accepted;
  private int size;

  /** An empty batch with room for {@code capacity} samples before it grows. */
  public SampleBatch(int capacity) {
    int c = Math.max(1, capacity);
    labels = new Labels[c];
    timestamps = new long[c];
    values = new double[c];
    accepted = new boolean[c];
  }

  /** Empties the batch and makes it one of {@code metric}. */
  public SampleBatch reset(String metric) {
    this.metric = Objects.requireNonNull(metric, "metric");
    Arrays.fill(labels, 0, size, null);
    size = 0;
    return this;
  }

  /** Adds a sample (not yet accepted). */
  public void add(Labels l, long timestampMillis, double value) {
    if (size == labels.length) {
      int n = size * 2;
      labels = Arrays.copyOf(labels, n);
      timestamps = Arrays.copyOf(timestamps, n);
      values = Arrays.copyOf(values, n);
      accepted = Arrays.copyOf(accepted, n);
    }
    labels[size] = Objects.requireNonNull(l, "labels");
    timestamps[size] = timestampMillis;
    values[size] = value;
    accepted[size] = false;
    size++;
  }

  public String metric() {
    return metric;
  }

  public int size() {
    return size;
  }

  public Labels labels(int i) {
    return labels[Objects.checkIndex(i, size)];
  }

  public long timestampMillis(int i) {
    return timestamps[Objects.checkIndex(i, size)];
  }

  public double value(int i) {
    return values[Objects.checkIndex(i, size)];
  }

  /** The {@code i}-th sample as a {@link Sample}. */
  public Sample sample(int i) {
    return new Sample(metric, labels(i), timestamps[i], values[i]);
  }

  /** Whether the sink kept the {@code i}-th sample. */
  public boolean accepted(int i) {
    return accepted[Objects.checkIndex(i, size)];
  }

  /** Records whether the sink kept the {@code i}-th sample (for sinks). */
  public void accepted(int i, boolean kept) {
    accepted[Objects.checkIndex(i, size)] = kept;
  }
}
