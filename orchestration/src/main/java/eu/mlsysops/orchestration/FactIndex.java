package eu.mlsysops.orchestration;

import java.util.HashMap;
import java.util.Map;

/**
 * Dense ids for the string facts nodes offer ({@code label:gdpr}, {@code sensor:camera/d455}, …),
 * so that a node's facts are a bit set and a filter's membership test is one array read. Ids are
 * only ever added; a fact no node has gets none, and a requirement on it fails everywhere.
 */
final class FactIndex {
  static final int NONE = -1;
  private final Map<String, Integer> ids;

  FactIndex() {
    this.ids = new HashMap<>();
  }

  private FactIndex(FactIndex other) {
    this.ids = new HashMap<>(other.ids);
  }

  /** The fact's id, adding it when new. */
  int intern(String fact) {
    Integer id = ids.get(fact);
    if (id != null) {
      return id;
    }
    int next = ids.size();
    ids.put(fact, next);
    return next;
  }

  /** The fact's id, or {@link #NONE} when no node has ever offered it. */
  int find(String fact) {
    Integer id = ids.get(fact);
    return id == null ? NONE : id;
  }

  FactIndex copy() {
    return new FactIndex(this);
  }
}
