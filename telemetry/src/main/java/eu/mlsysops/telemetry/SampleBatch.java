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
  /** Why a sink refused a sample, for the sender's error message. */
  public enum Refusal {
    /** A new series beyond the sink's series limit. */
    SERIES_LIMIT,
    /** Older than the newest sample the sink holds of its series. */
    OUT_OF_ORDER,
    /** NaN or an infinity. */
    NON_FINITE,
    /** The sample names no destination the sink serves (e.g. no node of a continuum). */
    NO_DESTINATION,
    /** The sink did not say (it answered no to {@link SampleSink#accept}). */
    UNSPECIFIED
  }

  private static final Refusal[] REFUSALS = Refusal.values();
  /** Per sample: -1 kept, else the ordinal of its {@link Refusal}. */
  private static final byte KEPT = -1;

  private String metric = "";
  private Labels[] labels;
  private long[] timestamps;
  private double[] values;
  private byte[] outcome;
  private int size;

  /** An empty batch with room for {@code capacity} samples before it grows. */
  public SampleBatch(int capacity) {
    int c = Math.max(1, capacity);
    labels = new Labels[c];
    timestamps = new long[c];
    values = new double[c];
    outcome = new byte[c];
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
      outcome = Arrays.copyOf(outcome, n);
    }
    labels[size] = Objects.requireNonNull(l, "labels");
    timestamps[size] = timestampMillis;
    values[size] = value;
    outcome[size] = (byte) Refusal.UNSPECIFIED.ordinal();
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
    return outcome[Objects.checkIndex(i, size)] == KEPT;
  }

  /** Why the sink refused the {@code i}-th sample, or null when it kept it. */
  public Refusal refusal(int i) {
    byte o = outcome[Objects.checkIndex(i, size)];
    return o == KEPT ? null : REFUSALS[o];
  }

  /** Records whether the sink kept the {@code i}-th sample (for sinks; a no without a reason). */
  public void accepted(int i, boolean kept) {
    outcome[Objects.checkIndex(i, size)] =
        kept ? KEPT : (byte) Refusal.UNSPECIFIED.ordinal();
  }

  /** Records that the sink refused the {@code i}-th sample, and why (for sinks). */
  public void refused(int i, Refusal why) {
    outcome[Objects.checkIndex(i, size)] = (byte) Objects.requireNonNull(why, "why").ordinal();
  }
}
