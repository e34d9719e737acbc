package eu.mlsysops.telemetry;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable, sorted set of label name/value pairs identifying one time series (together with the
 * metric name). Sorted so that equal label sets compare and hash equal regardless of insertion
 * order.
 */
public record Labels(Map<String, String> map) {
  public static final Labels EMPTY = new Labels(Map.of());

  public Labels {
    Objects.requireNonNull(map, "map");
    map = Collections.unmodifiableMap(new TreeMap<>(map));
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

  /** The value of a label, or null when absent. */
  public String get(String name) {
    return map.get(name);
  }

  /** A copy with one label added or replaced. */
  public Labels with(String name, String value) {
    TreeMap<String, String> m = new TreeMap<>(map);
    m.put(name, value);
    return new Labels(m);
  }

  /** True when every entry of {@code matchers} is present here with the same value. */
  public boolean matches(Map<String, String> matchers) {
    for (Map.Entry<String, String> e : matchers.entrySet()) {
      if (!e.getValue().equals(map.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return map.toString();
  }
}
