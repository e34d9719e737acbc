package eu.mlsysops.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Defensive copies for record components: lists and maps are never null and never mutable. */
final class Immutable {
  private Immutable() {}

  static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  /** Keeps insertion order, so that written descriptors list attributes as they were read. */
  static <V> Map<String, V> map(Map<String, V> map) {
    return map == null || map.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
