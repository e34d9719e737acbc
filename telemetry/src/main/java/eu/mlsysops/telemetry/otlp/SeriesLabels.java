package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.Labels;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The labels of one series as the translator resolved them, with their hash computed once and the
 * derived {@code le}/{@code quantile} label sets of histogram and summary series cached, so a
 * repeated series costs no map building.
 */
final class SeriesLabels {
  private static final int MAX_DERIVED = 1024;

  final Labels labels;
  final int hash;
  private volatile ConcurrentHashMap<Double, Labels> le;
  private volatile ConcurrentHashMap<Double, Labels> quantile;

  SeriesLabels(Labels labels) {
    this.labels = labels;
    this.hash = labels.hashCode();
  }

  Labels withLe(double bound) {
    ConcurrentHashMap<Double, Labels> m = le;
    if (m == null) {
      m = new ConcurrentHashMap<>();
      le = m;
    }
    return derived(m, "le", bound);
  }

  Labels withQuantile(double q) {
    ConcurrentHashMap<Double, Labels> m = quantile;
    if (m == null) {
      m = new ConcurrentHashMap<>();
      quantile = m;
    }
    return derived(m, "quantile", q);
  }

  private Labels derived(ConcurrentHashMap<Double, Labels> m, String name, double v) {
    Labels l = m.get(v);
    if (l == null) {
      if (m.size() >= MAX_DERIVED) {
        m.clear();
      }
      l = labels.with(name, AttributeText.decimal(v));
      m.put(v, l);
    }
    return l;
  }
}
