package eu.mlsysops.agent.tier;

import eu.mlsysops.model.DisconnectPolicy;
import eu.mlsysops.protocol.Link;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cluster agent's watch over its nodes' liveness: heartbeats are noted as they arrive (on the
 * link's thread, no loop event each), and each detection tick on the cluster's loop takes them
 * all, then marks nodes unreachable that fell silent and their instances lost after the app's
 * grace. What follows from that (events, pushes to nodes, the continuum's inventory, waking the
 * policies) goes through {@link Effects}. Loop-owned apart from {@link #arrived}.
 */
final class NodeWatch {
  /** What the cluster agent does about what the watch sees. */
  interface Effects {
    void event(String kind, String message);

    /**
     * A node is healthy again ({@code recovered}), or reattached on {@code link} after this agent
     * restarted ({@code reattached}), or both.
     */
    void back(String node, Link link, boolean recovered, boolean reattached);

    /** A node stopped answering: what it sent is no longer current. */
    void unreachable(String node);
  }

  /** A node's latest heartbeat: the link it came on and when. */
  private record Arrival(Link link, long atMillis) {}

  private final ClusterMembership members;
  private final InstanceSlots slots;
  private final AssignedApps apps;
  private final PlacementVersion version;
  private final List<NodeObserver> observers;
  private final int missedHeartbeats;
  private final Effects effects;
  /** Heartbeats since the last detection tick, by node (the latest wins). */
  private final Map<String, Arrival> heartbeats = new ConcurrentHashMap<>();

  NodeWatch(ClusterMembership members, InstanceSlots slots, AssignedApps apps,
      PlacementVersion version, List<NodeObserver> observers, int missedHeartbeats,
      Effects effects) {
    this.members = members;
    this.slots = slots;
    this.apps = apps;
    this.version = version;
    this.observers = observers;
    this.missedHeartbeats = missedHeartbeats;
    this.effects = effects;
  }

  /** A heartbeat arrived (any thread); the next tick takes it with its arrival time. */
  void arrived(String node, Link link, long atMillis) {
    heartbeats.put(node, new Arrival(link, atMillis));
  }

  /** A registration replaces the link: a heartbeat noted on the old one must not bring it back. */
  void registered(String node) {
    heartbeats.remove(node);
  }

  /**
   * One detection tick: heartbeats first, then the stall, then silences. A heartbeat that arrived
   * during a stall also gets the stall forgiven on its next silence; that delays detecting a node
   * that dies right after a stall by up to the stall, and is what kept 10,000 saturated
   * in-process nodes at 0 false reports (the other order: 22,814 in 30 s, docs/benchmarks.md):
   * their heartbeats are delivered late by the same backlog.
   *
   * @param clock read once the heartbeats are taken
   * @return whether a node became unreachable or lost (the inventory and the policies must hear)
   */
  boolean tick(java.util.function.LongSupplier clock) {
    for (String node : heartbeats.keySet()) {
      Arrival a = heartbeats.remove(node);
      if (a != null) {
        heartbeat(node, a);
      }
    }
    members.tick();
    long now = clock.getAsLong(); // after the heartbeats: none taken is newer than now
    boolean any = false;
    for (ClusterMembership.Member m : members.markUnreachable(now)) {
      any = true;
      version.bump();
      effects.event("node", "node " + m.name() + " is unreachable (no heartbeat for "
          + members.silentMillis(m, now) + " ms)");
      observers.forEach(o -> o.unreachable(m.name(), "no heartbeats for " + missedHeartbeats
          + " intervals"));
      effects.unreachable(m.name());
    }
    for (ClusterMembership.Member m : members.all()) {
      if (!m.healthy()) {
        any |= markLost(m, now);
      }
    }
    return any;
  }

  private boolean markLost(ClusterMembership.Member m, long now) {
    boolean any = false;
    for (InstanceSlots.Slot s : slots.all()) {
      // lostNode too: a policy that read the slot as lost may have moved it already.
      boolean onNode = m.name().equals(s.node) || m.name().equals(s.lostNode);
      if (onNode && slots.lost(m, s.app(), now) && m.markLost(s.app())) {
        any = true;
        version.bump();
        DisconnectPolicy d = apps.disconnect(s.app());
        effects.event("node", "node " + m.name() + " lost for app " + s.app() + " after "
            + apps.lostAfterMillis(s.app()) + " ms" + (d.replace()
                ? ": its instances will be placed elsewhere"
                : ": waiting for it (disconnect.replace=false)"));
      }
    }
    return any;
  }

  private void heartbeat(String node, Arrival a) {
    ClusterMembership.Heartbeat hb = members.heartbeat(node, a.link(), a.atMillis());
    if (!hb.known()) {
      return;
    }
    if (hb.recovered()) {
      version.bump();
    }
    if (hb.recovered() || hb.reattached()) {
      effects.back(node, a.link(), hb.recovered(), hb.reattached());
    }
  }
}
