package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A sink that keeps what it gets; refuses samples of new series beyond {@code maxSeries}. */
final class CollectingSink implements SampleSink {
  private final int maxSeries;
  private final List<Sample> samples = new ArrayList<>();
  private final Set<String> series = new HashSet<>();
  private final Map<String, MetricMetadata> metadata = new LinkedHashMap<>();
  private int describeCalls;

  CollectingSink() {
    this(Integer.MAX_VALUE);
  }

  CollectingSink(int maxSeries) {
    this.maxSeries = maxSeries;
  }

  @Override
  public synchronized boolean accept(Sample sample) {
    String key = sample.metric() + sample.labels();
    if (!series.contains(key)) {
      if (series.size() >= maxSeries) {
        return false;
      }
      series.add(key);
    }
    samples.add(sample);
    return true;
  }

  @Override
  public synchronized void describe(String metric, MetricMetadata md) {
    describeCalls++;
    metadata.put(metric, md);
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  synchronized List<Sample> samples(String metric) {
    return samples.stream().filter(s -> s.metric().equals(metric)).toList();
  }

  /** The value of the newest sample of a series. */
  synchronized double last(String metric, Labels labels) {
    for (int i = samples.size() - 1; i >= 0; i--) {
      Sample s = samples.get(i);
      if (s.metric().equals(metric) && s.labels().equals(labels)) {
        return s.value();
      }
    }
    throw new AssertionError("no sample of " + metric + labels + " in " + samples);
  }

  synchronized Map<String, MetricMetadata> metadata() {
    return Map.copyOf(metadata);
  }

  synchronized int describeCalls() {
    return describeCalls;
  }

  synchronized void clear() {
    samples.clear();
  }
}
