package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.kernel.FailureDetector;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.protocol.Link;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The nodes of one cluster as its agent knows them: descriptor, link, last heartbeat, health, and
 * for which apps an unreachable node's instances were already declared lost. Registrations and
 * heartbeats make a node healthy; {@link #markUnreachable} finds the silent ones with a {@link
 * FailureDetector} (phi accrual over each node's heartbeat intervals, never sooner than the missed
 * heartbeats, this process's own stalls forgiven). Owned by the cluster agent's loop.
 */
final class ClusterMembership {
  /** One node of the cluster. */
  static final class Member {
    private NodeDescriptor descriptor;
    private Link link;
    private FailureDetector.Peer heartbeats;
    private long unhealthySince;
    private boolean healthy = true;
    /** Apps whose instances on this node were declared lost since it became unreachable. */
    private final Set<String> lostApps = new HashSet<>();

    private Member(NodeDescriptor descriptor, Link link, FailureDetector.Peer heartbeats) {
      this.descriptor = descriptor;
      this.link = link;
      this.heartbeats = heartbeats;
    }

    String name() {
      return descriptor.name();
    }

    NodeDescriptor descriptor() {
      return descriptor;
    }

    /** Null while a node restored from disk has not spoken since this agent started. */
    Link link() {
      return link;
    }

    boolean healthy() {
      return healthy;
    }

    long unhealthySince() {
      return unhealthySince;
    }

    /** Records that the node's instances of {@code app} are lost; false if already recorded. */
    boolean markLost(String app) {
      return lostApps.add(app);
    }

    private void alive(Link link, long now, FailureDetector detector) {
      this.link = link;
      if (healthy) {
        heartbeats.heartbeat(now);
      } else {
        // The outage is not an interval between heartbeats: judge the node afresh.
        heartbeats = detector.peer(now);
      }
      healthy = true;
      lostApps.clear();
    }
  }

  /** What a registration changed. */
  record Registration(boolean isNew, boolean recovered, boolean descriptorChanged) {}

  /** What a heartbeat changed: a node that was unreachable, or restored without a link. */
  record Heartbeat(boolean known, boolean recovered, boolean reattached) {}

  private static final System.Logger LOG = System.getLogger(ClusterMembership.class.getName());

  private final AgentLoop loop;
  private final FailureDetector detector;
  private final Map<String, Member> nodes = new LinkedHashMap<>();
  private static final long STALL_LOG_NANOS = 60_000_000_000L;
  private long lastStallLog;
  private int stallsSinceLog;

  ClusterMembership(AgentLoop loop, FailureDetector detector) {
    this.loop = Objects.requireNonNull(loop);
    this.detector = Objects.requireNonNull(detector);
  }

  /**
   * A node known from disk after a restart: it counts as alive from {@code now} on, so it has the
   * usual detection period to show up before its instances are treated as unreachable.
   */
  void restore(NodeDescriptor node, long now) {
    nodes.put(node.name(), new Member(node, null, detector.peer(now)));
  }

  Member get(String node) {
    loop.checkInLoop();
    return nodes.get(node);
  }

  Collection<Member> all() {
    loop.checkInLoop();
    return nodes.values();
  }

  Set<String> names() {
    loop.checkInLoop();
    return nodes.keySet();
  }

  Registration register(NodeDescriptor node, Link link, long now) {
    loop.checkInLoop();
    Member m = nodes.get(node.name());
    boolean isNew = m == null;
    boolean recovered = m != null && !m.healthy;
    boolean changed = isNew || !node.equals(m.descriptor);
    if (m == null) {
      m = new Member(node, link, detector.peer(now));
      nodes.put(node.name(), m);
    } else {
      m.alive(link, now, detector);
    }
    m.descriptor = node;
    return new Registration(isNew, recovered, changed);
  }

  Heartbeat heartbeat(String node, Link link, long now) {
    loop.checkInLoop();
    Member m = nodes.get(node);
    if (m == null) {
      return new Heartbeat(false, false, false);
    }
    boolean reattached = m.link == null;
    boolean recovered = !m.healthy;
    m.alive(link, now, detector);
    return new Heartbeat(true, recovered, reattached);
  }

  /**
   * The start of a detection tick: a stall since the last tick is not held against any node. It
   * is measured where the tick runs, on the agent's loop: the loop and the delivery of heartbeats
   * share the agent threads, so when the loop was held up the heartbeats' arrival was too.
   */
  void tick() {
    loop.checkInLoop();
    long stalled = detector.tick();
    if (stalled > 0) {
      stallsSinceLog++;
      long now = System.nanoTime();
      // At most once a minute: a saturated machine stalls every few seconds.
      if (lastStallLog == 0 || now - lastStallLog >= STALL_LOG_NANOS) {
        LOG.log(System.Logger.Level.INFO, "this process stalled for " + stalled
            + " ms (GC or a saturated CPU; " + stallsSinceLog + " stall(s) since the last such"
            + " line); not counted as silence of its " + nodes.size() + " nodes");
        lastStallLog = now;
        stallsSinceLog = 0;
      }
    }
  }

  /** Marks the nodes the detector suspects unreachable and returns them. */
  List<Member> markUnreachable(long now) {
    loop.checkInLoop();
    List<Member> out = new ArrayList<>();
    for (Member m : nodes.values()) {
      if (m.healthy && detector.suspects(m.heartbeats, now)) {
        m.healthy = false;
        m.unhealthySince = now;
        out.add(m);
      }
    }
    return out;
  }

  /** How long a node has been silent. */
  long silentMillis(Member m, long now) {
    return m.heartbeats.silentMillis(now);
  }

  Member remove(String node) {
    loop.checkInLoop();
    return nodes.remove(node);
  }

  List<Link> links() {
    loop.checkInLoop();
    return nodes.values().stream().map(m -> m.link).filter(Objects::nonNull).toList();
  }

  /** The links of nodes whose agents run in other processes, by node. */
  Map<String, Link> remoteLinks() {
    loop.checkInLoop();
    Map<String, Link> out = new LinkedHashMap<>();
    nodes.forEach((n, m) -> {
      if (m.link != null && m.link.crossesProcess()) {
        out.put(n, m.link);
      }
    });
    return out;
  }

  List<NodeDescriptor> inventory() {
    loop.checkInLoop();
    return nodes.values().stream().map(m -> m.descriptor).toList();
  }

  List<String> unhealthy() {
    loop.checkInLoop();
    return nodes.values().stream().filter(m -> !m.healthy).map(Member::name).toList();
  }

  Map<String, Boolean> health() {
    loop.checkInLoop();
    Map<String, Boolean> out = new LinkedHashMap<>();
    nodes.forEach((n, m) -> out.put(n, m.healthy));
    return out;
  }
}
