package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A cluster agent's side of its nodes' links: a node registers or comes back, is told its desired
 * state and how often to export telemetry, or is forgotten; the continuum is told the inventory.
 * Desired states carry increasing epochs, reserved on disk in blocks so that they keep growing
 * across restarts (a node ignores an older epoch). What follows for the rest of the agent (events,
 * waking policies, re-placing what waited for a node) goes through {@link Effects}. Owned by the
 * cluster agent's loop.
 */
final class ClusterNodes {
  /** What the cluster agent does about its nodes coming and going. */
  interface Effects {
    void event(String kind, String message);

    void wake(String why);

    /** A node is healthy again: what waited for it may run there again. */
    void healed(String node);
  }

  /** The meta key of the highest epoch reserved on disk. */
  private static final String EPOCH_KEY = "node_epoch_reserved";

  private final String cluster;
  private final AgentLoop loop;
  private final ClusterStore disk;
  private final ClusterMembership members;
  private final InstanceSlots slots;
  private final PlacementVersion version;
  private final List<NodeObserver> observers;
  private final ControlRelay relay;
  private final Link uplink;
  private final Supplier<Duration> exportInterval;
  private final LongSupplier clock;
  private final Effects effects;
  /** The epoch of the last desired state sent to a node. */
  private long epoch;
  private long epochReserved;

  ClusterNodes(String cluster, AgentLoop loop, ClusterStore disk, ClusterMembership members,
      InstanceSlots slots, PlacementVersion version, List<NodeObserver> observers,
      ControlRelay relay, Link uplink, Supplier<Duration> exportInterval, LongSupplier clock,
      Effects effects) {
    this.cluster = Objects.requireNonNull(cluster);
    this.loop = Objects.requireNonNull(loop);
    this.disk = Objects.requireNonNull(disk);
    this.members = Objects.requireNonNull(members);
    this.slots = Objects.requireNonNull(slots);
    this.version = Objects.requireNonNull(version);
    this.observers = Objects.requireNonNull(observers);
    this.relay = Objects.requireNonNull(relay);
    this.uplink = Objects.requireNonNull(uplink);
    this.exportInterval = Objects.requireNonNull(exportInterval);
    this.clock = Objects.requireNonNull(clock);
    this.effects = Objects.requireNonNull(effects);
  }

  /**
   * Reloads the nodes known before a restart and reserves the next block of epochs. Restored nodes
   * count as alive from now on: they have the usual detection period to show up.
   */
  void restore() {
    loop.checkInLoop();
    long now = clock.getAsLong();
    disk.nodes().forEach(n -> members.restore(n, now));
    // A fresh store starts at the wall clock, so a cluster that lost its disk still outranks
    // epochs an earlier incarnation handed out (it sends far fewer than one per millisecond).
    epoch = Math.max(disk.meta(EPOCH_KEY, 0), now);
    epochReserved = epoch + ClusterStore.EPOCH_BLOCK;
    disk.setMeta(EPOCH_KEY, epochReserved);
  }

  /**
   * A node registered on {@code link}: it joins (or rejoins) the membership, what it runs is
   * observed ({@code running}, each report given to {@code observe}), and it is told its desired
   * state, the telemetry interval and the control set.
   */
  void registered(Message.Register r, Link link, Consumer<Message.InstanceReport> observe) {
    loop.checkInLoop();
    ClusterMembership.Registration reg = members.register(r.node(), link, clock.getAsLong());
    if (reg.descriptorChanged()) {
      disk.putNode(r.node());
    }
    version.bump();
    r.running().forEach(observe);
    effects.healed(r.from());
    observers.forEach(o -> o.registered(r.from(), r.node(), cluster));
    effects.event("node", reg.isNew() ? "node " + r.from() + " joined ("
        + r.node().continuumLayer().wireName() + ")"
        : reg.recovered() ? "node " + r.from() + " is back"
        : "node " + r.from() + " re-registered");
    push(r.from());
    link.send(demand());
    relay.nodeRegistered(link);
    sendInventory();
    effects.wake("node " + r.from());
  }

  /** A node is healthy again, or reattached after this agent restarted (its heartbeats say). */
  void back(String node, Link link, boolean recovered, boolean reattached) {
    loop.checkInLoop();
    if (recovered) {
      effects.healed(node);
    }
    effects.event("node", "node " + node + (recovered ? " is back" : " reattached"));
    // The continuum places by node health too: tell it, or it keeps avoiding this node.
    sendInventory();
    push(node);
    if (reattached) {
      link.send(demand());
    }
    effects.wake("node " + node);
  }

  /** Forgets an unregistered node; false if it was not a member. */
  boolean forget(String node) {
    loop.checkInLoop();
    if (members.remove(node) == null) {
      return false;
    }
    disk.removeNode(node);
    version.bump();
    slots.forgetNode(node);
    effects.event("node", "node " + node + " unregistered");
    observers.forEach(o -> o.forgotten(node));
    sendInventory();
    effects.wake("node " + node + " unregistered");
    return true;
  }

  /** Sends a node its complete desired state (level-triggered: no deltas to lose). */
  void push(String node) {
    loop.checkInLoop();
    ClusterMembership.Member m = members.get(node);
    if (m == null || m.link() == null) {
      return;
    }
    m.link().send(new Message.DesiredState(cluster, nextEpoch(), slots.assignments(node),
        List.of()));
  }

  /** Tells every node how often to export telemetry now. */
  void tellExportInterval() {
    Message demand = demand();
    members.links().forEach(l -> l.send(demand));
  }

  /**
   * Tells the continuum which nodes this cluster has and which are unhealthy: a full snapshot,
   * the newest wins (sent in order, from the loop).
   */
  void sendInventory() {
    uplink.send(new Message.Inventory(cluster, members.inventory(), members.unhealthy()));
  }

  private Message demand() {
    return new Message.TelemetryDemand(cluster, exportInterval.get().toMillis());
  }

  private long nextEpoch() {
    epoch++;
    if (epoch >= epochReserved) {
      epochReserved = epoch + ClusterStore.EPOCH_BLOCK;
      disk.setMeta(EPOCH_KEY, epochReserved);
    }
    return epoch;
  }
}
