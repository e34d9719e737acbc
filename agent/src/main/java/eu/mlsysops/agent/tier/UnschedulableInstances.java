package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.protocol.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a cluster's placement policy could not place, per app, as it last said. Such an instance
 * has no node: it is reported up as {@link #STATE} with the placer's summary as its reason, under
 * the id its slot will have, so that the status the continuum serves explains it and a real report
 * replaces it once it is placed. Not thread-safe: the cluster agent calls it under its lock.
 */
final class UnschedulableInstances {
  /** The state of an instance no node can take. */
  static final String STATE = InstancePhase.UNSCHEDULABLE.name();
  /** Joins a lost instance's reason and why it cannot be placed elsewhere. */
  static final String MARKER = "; cannot be placed elsewhere: ";

  /** app → {@code component/slot} → why. */
  private final Map<String, Map<String, String>> byApp = new HashMap<>();

  /** Replaces what is known about one app; false when nothing changed. */
  boolean update(String app, Map<String, String> byInstance) {
    if (byApp.getOrDefault(app, Map.of()).equals(byInstance)) {
      return false;
    }
    if (byInstance.isEmpty()) {
      byApp.remove(app);
    } else {
      byApp.put(app, Map.copyOf(byInstance));
    }
    return true;
  }

  void retain(Set<String> apps) {
    byApp.keySet().retainAll(apps);
  }

  /** Why slot {@code slot} of a component cannot be placed, or null. */
  String reason(String app, String component, int slot) {
    return byApp.getOrDefault(app, Map.of()).get(component + "/" + slot);
  }

  /** Reports for the unplaceable slots (of {@code app}, or every app when null) not placed. */
  List<Message.InstanceReport> reports(String app, SlotLookup placed, long nowMillis) {
    List<Message.InstanceReport> out = new ArrayList<>();
    byApp.forEach((a, m) -> {
      if (app != null && !app.equals(a)) {
        return;
      }
      m.forEach((key, why) -> {
        int cut = key.lastIndexOf('/');
        String component = key.substring(0, cut);
        int slot = Integer.parseInt(key.substring(cut + 1));
        if (slot >= 0 && !placed.exists(a, component, slot)) {
          out.add(new Message.InstanceReport(InstanceIds.of(a, component, slot, 0), a, component,
              "", STATE, why, nowMillis));
        }
      });
    });
    return out;
  }

  /** Whether a slot has an instance. */
  @FunctionalInterface
  interface SlotLookup {
    boolean exists(String app, String component, int slot);
  }
}
