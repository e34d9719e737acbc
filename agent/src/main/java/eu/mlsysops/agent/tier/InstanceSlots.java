package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where a cluster's instances are: one slot per replica of a component, with the node its current
 * instance runs on and, while it is replaced, the previous one; and what the nodes last reported
 * of each instance. From these come the status reports sent up, the desired state of each node
 * and the view placement policies read. Every change of a slot is stored. Owned by the cluster
 * agent's loop.
 */
final class InstanceSlots {
  /** A slot: one replica of a component. */
  record Key(String app, String component, int index) {}

  /** One replica of a component: where it runs, and during a move, where it ran. */
  static final class Slot {
    final Key key;
    int generation;
    String instanceId;
    String node;
    String previousInstanceId;
    String previousNode;
    /** The instance left on a node that was lost when this slot was replaced, until it heals. */
    String lostInstanceId;
    String lostNode;
    /** What the current instance was started from ({@link SpecHash}); null: not known. */
    String spec;

    Slot(Key key) {
      this.key = key;
    }

    String app() {
      return key.app();
    }

    String component() {
      return key.component();
    }

    int index() {
      return key.index();
    }

    /** Started from another spec than {@code current}, and not in the middle of a replacement. */
    boolean isOutdated(String current) {
      return spec != null && current != null && !spec.equals(current) && previousInstanceId == null;
    }

    private static Slot of(ClusterStore.SlotRow r) {
      Slot s = new Slot(new Key(r.app(), r.component(), r.index()));
      s.generation = r.generation();
      s.instanceId = r.instanceId();
      s.node = r.node();
      s.previousInstanceId = r.previousInstanceId();
      s.previousNode = r.previousNode();
      s.lostInstanceId = r.lostInstanceId();
      s.lostNode = r.lostNode();
      s.spec = r.spec();
      return s;
    }

    ClusterStore.SlotRow row() {
      return new ClusterStore.SlotRow(app(), component(), index(), generation, instanceId, node,
          previousInstanceId, previousNode, lostInstanceId, lostNode, spec);
    }
  }

  /** Something to do once a slot changed: an event to publish and a node to send its state. */
  record Followup(String message, String pushNode) {}

  /** The digest of a slot whose instance's spec is not known: outdated for any component. */
  static final String UNKNOWN_SPEC = "unknown";

  private final String cluster;
  private final AgentLoop loop;
  private final ClusterStore disk;
  private final ClusterMembership members;
  private final AssignedApps apps;
  private final UnschedulableInstances unschedulable;
  private final PlacementVersion version;
  private final CrashLoops crashLoops;
  private final Map<Key, Slot> slots = new LinkedHashMap<>();
  private final Map<String, Message.InstanceReport> observed = new HashMap<>();
  /** New instances of replacements this incarnation is waiting for. */
  private final Set<String> replacing = new HashSet<>();

  /** Loads the stored slots. */
  InstanceSlots(String cluster, AgentLoop loop, ClusterStore disk, ClusterMembership members,
      AssignedApps apps, UnschedulableInstances unschedulable, PlacementVersion version,
      CrashLoops crashLoops) {
    this.cluster = Objects.requireNonNull(cluster);
    this.loop = Objects.requireNonNull(loop);
    this.disk = Objects.requireNonNull(disk);
    this.members = Objects.requireNonNull(members);
    this.apps = Objects.requireNonNull(apps);
    this.unschedulable = Objects.requireNonNull(unschedulable);
    this.version = Objects.requireNonNull(version);
    this.crashLoops = Objects.requireNonNull(crashLoops);
  }

  /** Reloads the stored slots (on the loop: the spec digests read the apps). */
  void restore() {
    for (ClusterStore.SlotRow r : disk.slots()) {
      Slot s = Slot.of(r);
      if (s.spec == null && s.previousInstanceId == null) {
        // A store from before slots kept their digest: the instance runs what was desired then.
        s.spec = apps.specOf(s.app(), s.component());
      }
      slots.put(s.key, s);
    }
  }

  Slot get(String app, String component, int index) {
    loop.checkInLoop();
    return slots.get(new Key(app, component, index));
  }

  boolean has(String app, String component, int index) {
    return get(app, component, index) != null;
  }

  /** The slot an instance of any generation belongs to, or null when the slot is gone. */
  Slot of(Message.InstanceReport r) {
    loop.checkInLoop();
    return slots.get(new Key(r.app(), r.component(), InstanceIds.slotOf(r.instanceId())));
  }

  Collection<Slot> all() {
    loop.checkInLoop();
    return slots.values();
  }

  int size() {
    return slots.size();
  }

  /** A new slot, stored. */
  Slot add(Key key, String instanceId, String node, String spec) {
    loop.checkInLoop();
    Slot s = new Slot(key);
    s.instanceId = instanceId;
    s.node = node;
    s.spec = spec;
    slots.put(key, s);
    save(s);
    return s;
  }

  /** Stores a slot after a change. */
  void save(Slot s) {
    disk.putSlot(s.row());
  }

  Slot remove(Key key) {
    loop.checkInLoop();
    Slot s = slots.remove(key);
    if (s != null) {
      disk.removeSlot(key.app(), key.component(), key.index());
    }
    return s;
  }

  /** The stored rows of slots whose component is not in {@code next}. */
  List<ClusterStore.SlotRow> dropped(Map<String, AppDescriptor> next) {
    return slots.values().stream().filter(gone(next)).map(Slot::row).toList();
  }

  /** Forgets slots whose component is not in {@code next} (already deleted from disk). */
  void retain(Map<String, AppDescriptor> next) {
    loop.checkInLoop();
    slots.values().removeIf(gone(next));
  }

  private static Predicate<Slot> gone(Map<String, AppDescriptor> next) {
    return s -> {
      AppDescriptor a = next.get(s.app());
      return a == null || a.component(s.component()).isEmpty();
    };
  }

  /** Forgets that a node that left held previous instances. */
  void forgetNode(String node) {
    for (Slot s : slots.values()) {
      if (node.equals(s.previousNode)) {
        s.previousNode = null;
        s.previousInstanceId = null;
      }
    }
  }

  /** Records a node's report; answers the previous one of that instance. */
  Message.InstanceReport observe(Message.InstanceReport r) {
    loop.checkInLoop();
    return observed.put(r.instanceId(), r);
  }

  void replacing(String newInstanceId) {
    replacing.add(newInstanceId);
  }

  void replaced(String newInstanceId) {
    replacing.remove(newInstanceId);
  }

  /** Whether the app's instances on an unreachable node count as lost by now. */
  boolean lost(ClusterMembership.Member n, String app, long now) {
    return !n.healthy() && now - n.unhealthySince() > apps.lostAfterMillis(app);
  }

  /** What the cluster knows of an instance of {@code s} (its current or previous one). */
  Message.InstanceReport report(String instanceId, Slot s, long now) {
    Message.InstanceReport r = observed.get(instanceId);
    String node = instanceId.equals(s.instanceId) ? s.node : s.previousNode;
    ClusterMembership.Member n = members.get(node);
    if (n == null || lost(n, s.app(), now)) {
      if (n != null && !apps.disconnect(s.app()).replace()) {
        // Nomad's "unknown": not replaced, the app's disconnect policy waits for the node.
        return new Message.InstanceReport(instanceId, s.app(), s.component(), node,
            InstancePhase.UNKNOWN.name(),
            "node " + node + " unreachable; disconnect.replace=false waits for it", now);
      }
      String stuck = unschedulable.reason(s.app(), s.component(), s.index());
      return new Message.InstanceReport(instanceId, s.app(), s.component(), node,
          InstancePhase.LOST.name(), "node " + node + " unreachable"
              + (stuck == null ? "" : UnschedulableInstances.MARKER + stuck), now);
    }
    if (r == null || !Objects.equals(r.node(), node)) {
      return new Message.InstanceReport(instanceId, s.app(), s.component(), node,
          InstancePhase.PENDING.name(), "", now);
    }
    CrashLoops.Loop crashing = InstancePhase.FAILED.is(r.state()) && instanceId.equals(s.instanceId)
        ? crashLoops.of(s.key, now) : null;
    return crashing == null ? r : new Message.InstanceReport(r.instanceId(), r.app(),
        r.component(), r.node(), r.state(), crashing.describe(now), r.sinceMillis());
  }

  /** Every instance's status, and the instances no node can take. */
  List<Message.InstanceReport> fullReport(long now) {
    loop.checkInLoop();
    List<Message.InstanceReport> out = new ArrayList<>();
    for (Slot s : slots.values()) {
      out.add(report(s.instanceId, s, now));
      if (s.previousInstanceId != null) {
        out.add(report(s.previousInstanceId, s, now));
      }
    }
    out.addAll(unschedulable.reports(null, this::has, now));
    return out;
  }

  /** What {@code node} should run: current instances and previous ones not yet replaced. */
  List<Message.InstanceAssignment> assignments(String node) {
    loop.checkInLoop();
    List<Message.InstanceAssignment> list = new ArrayList<>();
    Map<String, AppDescriptor> effective = new HashMap<>();
    for (Slot s : slots.values()) {
      if (!node.equals(s.node) && !node.equals(s.previousNode)) {
        continue;
      }
      AppDescriptor a = effective.computeIfAbsent(s.app(), apps::effective);
      Component c = a == null ? null : a.component(s.component()).orElse(null);
      if (c == null) {
        continue;
      }
      if (c.qosWarmup() == null && a.qosWarmup() != null) {
        // A node sees components, not the app: the app's warm-up travels with each of them.
        c = c.withQosWarmup(a.qosWarmup());
      }
      if (node.equals(s.node)) {
        list.add(new Message.InstanceAssignment(s.app(), s.instanceId, c));
      }
      if (node.equals(s.previousNode)) {
        list.add(new Message.InstanceAssignment(s.app(), s.previousInstanceId, c));
      }
    }
    return list;
  }

  /** What placement policies read: nodes with their allocations, and the instances. */
  SystemView view(long now) {
    loop.checkInLoop();
    Map<String, long[]> alloc = new HashMap<>();
    List<SystemView.InstancePlacement> placements = new ArrayList<>();
    for (Slot s : slots.values()) {
      Component c = apps.assigned(s.app(), s.component());
      if (c == null) {
        continue;
      }
      Message.InstanceReport r = report(s.instanceId, s, now);
      placements.add(new SystemView.InstancePlacement(s.app(), s.component(), s.instanceId,
          s.node, InstancePhase.of(crashLoops.viewState(s.key, r.state(), now))));
      addAlloc(alloc, s.node, c);
      if (s.previousNode != null) {
        addAlloc(alloc, s.previousNode, c);
      }
    }
    List<SystemView.NodeState> ns = new ArrayList<>();
    for (ClusterMembership.Member m : members.all()) {
      long[] a = alloc.getOrDefault(m.name(), new long[2]);
      ns.add(new SystemView.NodeState(m.descriptor(), m.healthy(), a[0], a[1]));
    }
    return new SystemView(cluster, ns, placements, List.of(), version.current());
  }

  private static void addAlloc(Map<String, long[]> alloc, String node, Component c) {
    long[] a = alloc.computeIfAbsent(node, k -> new long[2]);
    a[0] += c.cpuRequests().millis();
    a[1] += c.memoryRequests().longValue();
  }

  /**
   * A replacement (move, spec change) whose agent died before it finished, i.e. one a restarted
   * agent found in its store: once the new instance runs, the old one goes; if the new one fails,
   * the slot goes back to the old one. Without this the old instance would run forever beside
   * the new one.
   */
  Followup finishOrphanedReplacement(Message.InstanceReport r) {
    loop.checkInLoop();
    boolean runs = InstancePhase.RUNNING.is(r.state());
    if (!runs && !InstancePhase.FAILED.is(r.state())) {
      return null;
    }
    for (Slot s : slots.values()) {
      if (!r.instanceId().equals(s.instanceId) || s.previousInstanceId == null
          || replacing.contains(s.instanceId)) {
        continue;
      }
      String other = s.previousNode;
      String message;
      if (runs) {
        message = "finished replacing " + s.previousInstanceId + " (" + other + ") by "
            + s.instanceId + " (" + s.node + "), begun before a restart";
      } else {
        message = s.instanceId + " failed on " + s.node + "; " + s.previousInstanceId
            + " stays on " + other + " (a replacement begun before a restart)";
        other = s.node;
        s.instanceId = s.previousInstanceId;
        s.node = s.previousNode;
        s.spec = UNKNOWN_SPEC; // the old digest was not kept: the next rollout check retries
      }
      s.previousInstanceId = null;
      s.previousNode = null;
      version.bump();
      save(s);
      return new Followup(message, other);
    }
    return null;
  }

  /**
   * A node that was unreachable is back. Where one of its instances was replaced meanwhile and
   * both now run, the app's {@code disconnect.reconcile} picks the survivor; a replacement that
   * does not run yet never wins, so nothing stops before what replaces it is healthy.
   */
  List<Followup> healed(String node, Placer placer, MetricStore telemetry, long now) {
    loop.checkInLoop();
    List<Followup> out = new ArrayList<>();
    for (Slot s : slots.values()) {
      if (!node.equals(s.lostNode)) {
        continue;
      }
      Message.InstanceReport original = observed.get(s.lostInstanceId);
      boolean originalRuns = original != null && node.equals(original.node())
          && InstancePhase.RUNNING.is(original.state());
      Message.InstanceReport replacement = observed.get(s.instanceId);
      boolean replacementRuns = replacement != null && Objects.equals(replacement.node(), s.node)
          && InstancePhase.RUNNING.is(replacement.state());
      boolean keepOriginal;
      if (!originalRuns || !replacementRuns) {
        keepOriginal = !replacementRuns && originalRuns;
      } else {
        keepOriginal = switch (apps.disconnect(s.app()).reconcile()) {
          case KEEP_ORIGINAL -> true;
          case KEEP_REPLACEMENT -> false;
          case BEST_SCORE -> HealReconciler.originalScoresHigher(placer, view(now), telemetry,
              apps.effective(s.app()), s.component(), node, s.node);
        };
      }
      String replacementNode = s.node;
      String replacementId = s.instanceId;
      if (keepOriginal) {
        s.instanceId = s.lostInstanceId;
        s.node = node;
      }
      s.lostInstanceId = null;
      s.lostNode = null;
      save(s);
      if (originalRuns) {
        String stopped = keepOriginal ? replacementId + " on " + replacementNode
            : original.instanceId() + " on " + node;
        out.add(new Followup("node " + node + " healed: kept the "
            + (keepOriginal ? "original" : "replacement") + " of " + s.app() + "/"
            + s.component() + "#" + s.index() + " (disconnect.reconcile="
            + apps.disconnect(s.app()).reconcile().wireName() + "), stopping " + stopped,
            replacementNode));
      }
    }
    return out;
  }
}
