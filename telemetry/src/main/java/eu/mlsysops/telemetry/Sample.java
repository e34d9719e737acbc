package eu.mlsysops.telemetry;

import java.util.Objects;

/** One observation of a metric: a gauge-like value at a point in time, in epoch milliseconds. */
public record Sample(String metric, Labels labels, long timestampMillis, double value) {
  public Sample {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(labels, "labels");
  }
}
