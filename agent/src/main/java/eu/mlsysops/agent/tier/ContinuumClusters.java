package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.kernel.FailureDetector;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The clusters of the continuum as its agent knows them: link, latest inventory, and health from
 * the continuum's failure detection (any message from a cluster counts as a heartbeat; the {@link
 * FailureDetector} judges silences). A cluster the detector suspects is unreachable; after a grace period more it is lost, and its components go
 * to other clusters. Owned by the continuum agent's loop.
 */
final class ContinuumClusters {
  /** A change {@link #detect} found. */
  record Detection(String cluster, boolean lost, String message, Set<String> nodes) {}

  private static final class Entry {
    final String id;
    Link link;
    List<NodeDescriptor> nodes = List.of();
    List<String> unhealthy = List.of();
    FailureDetector.Peer heard;
    long unhealthySince;
    boolean healthy = true;
    boolean lost;

    Entry(String id, Link link) {
      this.id = id;
      this.link = link;
    }
  }

  private final AgentLoop loop;
  private final FailureDetector detector;
  private final Map<String, Entry> clusters = new LinkedHashMap<>();

  ContinuumClusters(AgentLoop loop, FailureDetector detector) {
    this.loop = Objects.requireNonNull(loop);
    this.detector = Objects.requireNonNull(detector);
  }

  boolean has(String cluster) {
    loop.checkInLoop();
    return clusters.containsKey(cluster);
  }

  /** The cluster's link, or null when it never registered. */
  Link link(String cluster) {
    loop.checkInLoop();
    Entry e = clusters.get(cluster);
    return e == null ? null : e.link;
  }

  List<Link> links() {
    loop.checkInLoop();
    return clusters.values().stream().map(e -> e.link).toList();
  }

  /** The links of clusters whose agents run in other processes, by cluster. */
  Map<String, Link> remoteLinks() {
    loop.checkInLoop();
    Map<String, Link> out = new LinkedHashMap<>();
    clusters.forEach((id, e) -> {
      if (e.link != null && e.link.crossesProcess()) {
        out.put(id, e.link);
      }
    });
    return out;
  }

  /** A cluster (re)registered on {@code link}; true when it is new. */
  boolean register(String cluster, Link link, long now) {
    loop.checkInLoop();
    Entry e = clusters.get(cluster);
    boolean isNew = e == null;
    if (e == null) {
      e = new Entry(cluster, link);
      clusters.put(cluster, e);
    }
    e.link = link;
    heard(e, now);
    return isNew;
  }

  /** A cluster's latest inventory; false when the cluster is not registered. */
  boolean inventory(Message.Inventory inv) {
    loop.checkInLoop();
    Entry e = clusters.get(inv.from());
    if (e == null) {
      return false;
    }
    e.nodes = inv.nodes();
    e.unhealthy = inv.unhealthy();
    return true;
  }

  /**
   * A message from the cluster: it is alive.
   *
   * @return whether its health changed (it was unreachable or lost)
   */
  boolean heardFrom(String cluster, long now) {
    loop.checkInLoop();
    Entry e = clusters.get(cluster);
    if (e == null) {
      return false;
    }
    boolean changed = !e.healthy || e.lost;
    heard(e, now);
    return changed;
  }

  private void heard(Entry e, long now) {
    if (e.heard == null || !e.healthy) {
      e.heard = detector.peer(now); // an outage is not an interval between messages
    } else {
      e.heard.heartbeat(now);
    }
    e.healthy = true;
    e.lost = false;
  }

  /** The start of a detection tick: a stall of the agent's loop since the last is forgiven. */
  void tick() {
    loop.checkInLoop();
    detector.tick();
  }

  /**
   * One detection tick: marks the clusters the detector suspects unreachable, and unreachable ones
   * lost after {@code lostGraceMillis}.
   */
  List<Detection> detect(long now, long lostGraceMillis) {
    loop.checkInLoop();
    List<Detection> out = new ArrayList<>();
    for (Entry e : clusters.values()) {
      if (e.healthy && detector.suspects(e.heard, now)) {
        e.healthy = false;
        e.unhealthySince = now;
        out.add(new Detection(e.id, false, "cluster " + e.id + " is unreachable (silent for "
            + e.heard.silentMillis(now) + " ms)", Set.of()));
      }
      if (!e.healthy && !e.lost && now - e.unhealthySince > lostGraceMillis) {
        e.lost = true;
        out.add(new Detection(e.id, true, "cluster " + e.id + " lost after " + lostGraceMillis
            + " ms grace: its components will be assigned to other clusters",
            e.nodes.stream().map(NodeDescriptor::name).collect(Collectors.toSet())));
      }
    }
    return out;
  }

  /** The cluster whose inventory lists the node ("" when none does). */
  String clusterOfNode(String node) {
    loop.checkInLoop();
    for (Entry e : clusters.values()) {
      for (NodeDescriptor n : e.nodes) {
        if (n.name().equals(node)) {
          return e.id;
        }
      }
    }
    return "";
  }

  /** For the continuum's snapshot. */
  List<ContinuumSnapshot.Cluster> snapshot() {
    loop.checkInLoop();
    return clusters.values().stream()
        .map(e -> new ContinuumSnapshot.Cluster(e.id, e.healthy, e.lost, e.nodes, e.unhealthy))
        .toList();
  }
}
