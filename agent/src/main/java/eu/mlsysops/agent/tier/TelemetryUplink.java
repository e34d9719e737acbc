package eu.mlsysops.agent.tier;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects what an agent sends up: the latest sample of each series since the last flush (the
 * default "last" aggregation, which keeps upward traffic at one point per series per interval
 * however fast the series is sampled). Bounded: beyond {@code maxSeries} new series are dropped and
 * counted until the next flush.
 */
final class TelemetryUplink {
  private final int maxSeries;
  private final Map<SeriesKey, Sample> latest = new LinkedHashMap<>();
  private long dropped;

  TelemetryUplink(int maxSeries) {
    this.maxSeries = maxSeries;
  }

  synchronized void offer(Sample s) {
    SeriesKey k = new SeriesKey(s.metric(), s.labels());
    if (latest.size() >= maxSeries && !latest.containsKey(k)) {
      dropped++;
      return;
    }
    latest.put(k, s);
  }

  synchronized List<Sample> drain() {
    List<Sample> out = new ArrayList<>(latest.values());
    latest.clear();
    return out;
  }

  synchronized long dropped() {
    return dropped;
  }

  private record SeriesKey(String metric, Labels labels) {}
}
