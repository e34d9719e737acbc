package eu.mlsysops.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The series of one metric name with their label index (label name → value → series), the metric's
 * listeners and its metadata. Reads are lock-free; index changes (series created or removed, which
 * is rare) synchronize on the entry.
 */
final class MetricEntry {
  static final SampleListener[] NO_LISTENERS = new SampleListener[0];

  final String name;
  final ConcurrentHashMap<Labels, StoredSeries> series = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, ConcurrentHashMap<String, Set<StoredSeries>>> postings =
      new ConcurrentHashMap<>();
  volatile SampleListener[] listeners = NO_LISTENERS;
  volatile MetricMetadata metadata;

  MetricEntry(String name) {
    this.name = name;
  }

  synchronized void index(StoredSeries s) {
    for (Map.Entry<String, String> l : s.labels.map().entrySet()) {
      postings
          .computeIfAbsent(l.getKey(), k -> new ConcurrentHashMap<>())
          .computeIfAbsent(l.getValue(), k -> ConcurrentHashMap.newKeySet())
          .add(s);
    }
  }

  synchronized void unindex(StoredSeries s) {
    for (Map.Entry<String, String> l : s.labels.map().entrySet()) {
      ConcurrentHashMap<String, Set<StoredSeries>> byValue = postings.get(l.getKey());
      if (byValue == null) {
        continue;
      }
      Set<StoredSeries> set = byValue.get(l.getValue());
      if (set != null && set.remove(s) && set.isEmpty()) {
        byValue.remove(l.getValue());
        if (byValue.isEmpty()) {
          postings.remove(l.getKey());
        }
      }
    }
  }

  /** Series with this exact label value, or null when none. */
  Set<StoredSeries> postings(String name, String value) {
    ConcurrentHashMap<String, Set<StoredSeries>> byValue = postings.get(name);
    return byValue == null ? null : byValue.get(value);
  }

  /**
   * The matchers with each label name no series here has replaced by the label name it spells
   * ({@link PromNames}: {@code service_name} for {@code service.name}); the same list when none
   * needs it.
   */
  List<LabelMatcher> spelledAsStored(List<LabelMatcher> matchers) {
    List<LabelMatcher> out = null;
    for (int i = 0; i < matchers.size(); i++) {
      LabelMatcher m = matchers.get(i);
      String name = m.name();
      if (name.indexOf('_') < 0 || postings.containsKey(name)) {
        continue;
      }
      for (String stored : postings.keySet()) {
        if (PromNames.spells(name, stored, false)) {
          if (out == null) {
            out = new ArrayList<>(matchers);
          }
          out.set(i, LabelMatcher.of(stored, m.type(), m.value()));
          break;
        }
      }
    }
    return out == null ? matchers : out;
  }

  synchronized void addListener(SampleListener l) {
    SampleListener[] old = listeners;
    SampleListener[] n = Arrays.copyOf(old, old.length + 1);
    n[old.length] = l;
    listeners = n;
  }

  synchronized void removeListener(SampleListener l) {
    SampleListener[] old = listeners;
    for (int i = 0; i < old.length; i++) {
      if (old[i] == l) {
        SampleListener[] n = new SampleListener[old.length - 1];
        System.arraycopy(old, 0, n, 0, i);
        System.arraycopy(old, i + 1, n, i, old.length - i - 1);
        listeners = n;
        return;
      }
    }
  }
}
