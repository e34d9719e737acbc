package eu.mlsysops.telemetry;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable, sorted set of label name/value pairs identifying one time series (together with the
 * metric name). Sorted so that equal label sets compare and hash equal regardless of insertion
 * order.
 *
 * <p>Held as one sorted name/value array with its hash computed once: label sets are hash keys on
 * every ingest path (store index, uplink groups, OTLP label cache), millions of times a second.
 */
public final class Labels {
  public static final Labels EMPTY = new Labels(new String[0]);

  /** name0, value0, name1, value1, … sorted by name. */
  private final String[] pairs;
  private final int hash;
  private Map<String, String> map;

  /**
   * {@link MetricStore} series with exactly these labels, remembered on the instance so that a
   * writer that passes the same instance again (the OTLP translator caches label sets; a node
   * passes its one label set with each of its metrics) skips the store's hash lookup, whose cache
   * misses dominate ingest. Only hints: the store checks that one is its own, of the right metric,
   * and not removed, and looks the series up otherwise. Up to {@link #HINTS}, each slot set once
   * (a full array is left alone), so that label sets shared by many metrics do not make every
   * append write here. Made on first use; racy by design: a stale or missing hint costs a lookup.
   */
  StoredSeries[] seriesHints;

  /** The most series remembered per label set (a node's few metrics fit). */
  static final int HINTS = 8;

  /** Labels from a map of name to value (null names or values are refused). */
  public Labels(Map<String, String> map) {
    this(toPairs(Objects.requireNonNull(map, "map")));
  }

  private Labels(String[] sortedPairs) {
    this.pairs = sortedPairs;
    this.hash = Arrays.hashCode(sortedPairs);
  }

  private static String[] toPairs(Map<String, String> map) {
    TreeMap<String, String> sorted = map instanceof TreeMap<String, String> t
        && t.comparator() == null ? t : new TreeMap<>(map);
    String[] out = new String[sorted.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      out[i++] = Objects.requireNonNull(e.getKey(), "label name");
      out[i++] = Objects.requireNonNull(e.getValue(), "value of label " + e.getKey());
    }
    return out;
  }

  /** Labels from alternating name/value arguments: {@code Labels.of("node", "n1", "app", "a")}. */
  public static Labels of(String... nameValuePairs) {
    if (nameValuePairs.length % 2 != 0) {
      throw new IllegalArgumentException("labels need name/value pairs, got an odd count");
    }
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      m.put(nameValuePairs[i], nameValuePairs[i + 1]);
    }
    return new Labels(m);
  }

  /** The labels as an unmodifiable map sorted by name. */
  public Map<String, String> map() {
    Map<String, String> m = map;
    if (m == null) {
      TreeMap<String, String> t = new TreeMap<>();
      for (int i = 0; i < pairs.length; i += 2) {
        t.put(pairs[i], pairs[i + 1]);
      }
      m = Collections.unmodifiableMap(t);
      map = m;
    }
    return m;
  }

  /** Number of labels. */
  public int size() {
    return pairs.length / 2;
  }

  /** The name of the {@code i}-th label in name order. */
  public String name(int i) {
    return pairs[2 * i];
  }

  /** The value of the {@code i}-th label in name order. */
  public String value(int i) {
    return pairs[2 * i + 1];
  }

  /** The value of a label, or null when absent. */
  public String get(String name) {
    int lo = 0;
    int hi = pairs.length / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = pairs[2 * mid].compareTo(name);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return pairs[2 * mid + 1];
      }
    }
    return null;
  }

  /** A copy with one label added or replaced. */
  public Labels with(String name, String value) {
    TreeMap<String, String> m = new TreeMap<>(map());
    m.put(name, value);
    return new Labels(m);
  }

  /** True when every entry of {@code matchers} is present here with the same value. */
  public boolean matches(Map<String, String> matchers) {
    for (Map.Entry<String, String> e : matchers.entrySet()) {
      if (!e.getValue().equals(get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || o instanceof Labels l && l.hash == hash && Arrays.equals(l.pairs, pairs);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return map().toString();
  }
}
