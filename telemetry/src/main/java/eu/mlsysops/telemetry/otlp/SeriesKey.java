package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.Labels;

/** Metric name and labels of a series, with a precomputed hash (Labels hashes a whole map). */
final class SeriesKey {
  final String metric;
  final Labels labels;
  private final int hash;

  SeriesKey(String metric, SeriesLabels labels) {
    this.metric = metric;
    this.labels = labels.labels;
    this.hash = metric.hashCode() * 31 + labels.hash;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SeriesKey)) {
      return false;
    }
    SeriesKey k = (SeriesKey) o;
    return hash == k.hash
        && metric.equals(k.metric)
        && (labels == k.labels || labels.equals(k.labels));
  }

  @Override
  public String toString() {
    return metric + labels;
  }
}
