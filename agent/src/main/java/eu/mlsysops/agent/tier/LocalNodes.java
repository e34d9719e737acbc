package eu.mlsysops.agent.tier;

import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.Simulation;
import eu.mlsysops.protocol.InProcessLink;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The node agents that run in an {@link EmbeddedContinuum}'s process: each on a simulated host
 * or, with local processes, on this host's process runtime, linked to its cluster agent in the
 * same process. A node can join a running continuum, leave it for good, or crash. Internal.
 */
final class LocalNodes {
  private final Map<String, NodeAgent> nodes;
  private final Map<String, InProcessLink> links = new ConcurrentHashMap<>();
  private final Simulation simulation;
  private final ProcessNodes processNodes;
  private final ExecutorService workers;
  private final AgentEnvironment env;
  private final Duration heartbeat;
  private final TrustFeed trustFeed;
  private final PluggedMechanisms mechanisms;

  /**
   * @param nodes the live map of node agents this fills (the simulation and the views read it)
   * @param processNodes the local-process runtimes, or null for simulated hosts
   * @param mechanisms the plug-in mechanisms every node agent gets
   */
  LocalNodes(Map<String, NodeAgent> nodes, Simulation simulation, ProcessNodes processNodes,
      ExecutorService workers, AgentEnvironment env, Duration heartbeat, TrustFeed trustFeed,
      PluggedMechanisms mechanisms) {
    this.nodes = nodes;
    this.simulation = simulation;
    this.processNodes = processNodes;
    this.workers = workers;
    this.env = env;
    this.heartbeat = heartbeat;
    this.trustFeed = trustFeed;
    this.mechanisms = mechanisms;
  }

  /**
   * The frequency knob of nodes whose instances are real processes of this one host: none. They
   * share the host's CPUs, so no node's frequency is its own to set (a node agent of its own,
   * {@code mls agent node}, drives the host's cpufreq), and a simulated knob would report changes
   * nothing observes.
   */
  private static final eu.mlsysops.orchestration.CpuFrequencyControl SHARED_HOST =
      eu.mlsysops.orchestration.CpuFrequencyControl.unavailable("the nodes of mls up --runtime"
          + " process share this host's CPUs; run a node agent of its own (mls agent node) to"
          + " drive its cpufreq");

  /** A host, its node agent and its link to {@code cluster}; the agent is not started. */
  NodeAgent create(NodeDescriptor n, ClusterAgent cluster) {
    simulation.addNode(n);
    InProcessLink link = InProcessLink.create(workers);
    eu.mlsysops.orchestration.Runtime runtime = processNodes != null
        ? processNodes.runtime(n.name()) : simulation.runtime(n.name());
    NodeAgent na = new NodeAgent(n, runtime, processNodes != null ? SHARED_HOST
        : simulation.frequencyControl(n.name()), link.childSide(), env, heartbeat);
    na.scheduler().onTransition(trustFeed.planFailures(n.name()));
    mechanisms.plugIn(n.name(), "node", na.scheduler(),
        env.dataDir().resolve("nodes").resolve(n.name()), env.clock(), na::appDescriptor);
    cluster.attach(link.parentSide());
    nodes.put(n.name(), na);
    links.put(n.name(), link);
    return na;
  }

  boolean contains(String name) {
    return nodes.containsKey(name);
  }

  /**
   * Removes a node for good: its agent stops and its clusters forget it, so they place its
   * instances elsewhere at once.
   *
   * @return the agent that was removed, or null when none runs here by that name
   */
  NodeAgent remove(String name, Collection<ClusterAgent> clusters) {
    NodeAgent a = nodes.remove(name);
    if (a == null) {
      return null;
    }
    stop(name, a);
    for (ClusterAgent c : clusters) {
      c.forget(name);
    }
    return a;
  }

  /** Crashes a node: its host stops (instances die) and its agent stops, without warning. */
  void fail(String name) {
    NodeAgent a = nodes.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no node named \"" + name + "\"");
    }
    stop(name, a);
  }

  /** Agent and link first: a crashed host says nothing, so the cluster must notice by itself. */
  private void stop(String name, NodeAgent a) {
    a.close();
    InProcessLink link = links.remove(name);
    if (link != null) {
      link.cut();
    }
    simulation.failNode(name);
    if (processNodes != null) {
      processNodes.close(name); // its processes die with the "host"
    }
  }
}
