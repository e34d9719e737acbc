package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.plan.SqlitePlanLog;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.ContinuumDescriptor;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.orchestration.Runtime;
import eu.mlsysops.orchestration.Simulation;
import eu.mlsysops.protocol.InProcessLink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The built-in topology as separate agents over {@link InProcessLink}s, so a test can crash and
 * restart one agent on its data directory, cut one link and heal it, or reboot one node: what
 * separate processes do, with the same {@code Link} abstraction the gRPC link implements.
 */
final class TierFixture implements AutoCloseable {
  static final ClusterSettings FAST = new ClusterSettings(
      Duration.ofMillis(100), 3, Duration.ofMillis(300), Duration.ofSeconds(10));

  final Path dataDir;
  final List<AgentEvent> events = new CopyOnWriteArrayList<>();
  final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
  final ExecutorService workers = Executors.newFixedThreadPool(4);
  final SqlitePlanLog planLog;
  final AgentEnvironment env;
  final Simulation simulation;
  ContinuumAgent continuum;
  private ContinuumDescriptor continuumDescriptor;
  final Map<String, ClusterAgent> clusters = new LinkedHashMap<>();
  final Map<String, InProcessLink> clusterLinks = new LinkedHashMap<>();
  final Map<String, NodeAgent> nodes = new java.util.concurrent.ConcurrentHashMap<>();
  final Map<String, InProcessLink> nodeLinks = new LinkedHashMap<>();
  final Map<String, String> clusterOfNode = new LinkedHashMap<>();
  /** Every instance a node agent started, by instance id (the simulation keeps no specs). */
  final Map<String, InstanceSpec> started = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, ClusterDescriptor> clusterDescriptors = new LinkedHashMap<>();
  private final Map<String, NodeDescriptor> nodeDescriptors = new LinkedHashMap<>();
  private final ClusterSettings settings;
  private final Placer placer = Placer.withDefaults();

  TierFixture(Path dataDir, ClusterSettings settings) {
    this(dataDir, settings, 0);
  }

  /**
   * @param startupTicks how many 50 ms simulation ticks an instance takes to start (slow starts
   *     leave time to crash something in the middle of a rollout)
   */
  TierFixture(Path dataDir, ClusterSettings settings, int startupTicks) {
    this.dataDir = dataDir;
    this.settings = settings;
    planLog = SqlitePlanLog.open(dataDir.resolve("plans.db"));
    env = new AgentEnvironment(Clock.systemUTC(), timers, workers, e -> {
      events.add(e);
      System.out.println(e); // kept in target/surefire-reports for diagnosis
    }, planLog, dataDir);
    simulation = Simulation.builder().seed(7).startupTicks(startupTicks).telemetry((node, sample) -> {
      NodeAgent a = nodes.get(node);
      if (a != null) {
        a.ingest(sample);
      }
    }).build();
    ContinuumDescriptor cd = null;
    for (Descriptor d : Topologies.defaultTopology()) {
      if (d instanceof ContinuumDescriptor c) {
        cd = c;
      } else if (d instanceof ClusterDescriptor c) {
        clusterDescriptors.put(c.clusterId(), c);
      } else if (d instanceof NodeDescriptor n) {
        nodeDescriptors.put(n.name(), n);
      }
    }
    continuumDescriptor = cd;
    continuum = new ContinuumAgent(cd, env, placer, settings);
    clusterDescriptors.keySet().forEach(this::newCluster);
    for (NodeDescriptor n : nodeDescriptors.values()) {
      simulation.addNode(n);
      InProcessLink link = InProcessLink.create(workers);
      nodeLinks.put(n.name(), link);
      clusterOfNode.put(n.name(), n.clusterId());
      clusters.get(n.clusterId()).attach(link.parentSide());
      nodes.put(n.name(), newNode(n.name()));
    }
  }

  private void newCluster(String id) {
    InProcessLink link = InProcessLink.create(workers);
    clusterLinks.put(id, link);
    ClusterAgent ca = new ClusterAgent(clusterDescriptors.get(id), link.childSide(), env, settings,
        placer);
    continuum.attach(link.parentSide());
    clusters.put(id, ca);
  }

  private NodeAgent newNode(String name) {
    Runtime sim = simulation.runtime(name);
    Runtime recording = new Runtime() {
      @Override
      public String nodeName() {
        return sim.nodeName();
      }

      @Override
      public CompletionStage<InstanceStatus> start(InstanceSpec spec) {
        started.put(spec.instanceId(), spec);
        return sim.start(spec);
      }

      @Override
      public CompletionStage<Void> stop(String instanceId) {
        return sim.stop(instanceId);
      }

      @Override
      public List<InstanceStatus> instances() {
        return sim.instances();
      }

      @Override
      public void onStatusChange(Consumer<InstanceStatus> listener) {
        sim.onStatusChange(listener);
      }
    };
    return new NodeAgent(nodeDescriptors.get(name), recording,
        simulation.frequencyControl(name), nodeLinks.get(name).childSide(), env,
        settings.heartbeatInterval());
  }

  TierFixture start() {
    continuum.start();
    clusters.values().forEach(ClusterAgent::start);
    nodes.values().forEach(NodeAgent::start);
    simulation.start(timers, Duration.ofMillis(50));
    return this;
  }

  /**
   * {@code kill -9} of a cluster agent and a new one on the same data directory: the old one stops
   * without a word to anyone, the new one takes over its links (as reconnecting nodes would).
   */
  ClusterAgent crashAndRestartCluster(String id) {
    clusters.get(id).close();
    clusterLinks.get(id).cut();
    newCluster(id);
    ClusterAgent fresh = clusters.get(id);
    clusterOfNode.forEach((node, cluster) -> {
      if (cluster.equals(id)) {
        fresh.attach(nodeLinks.get(node).parentSide());
      }
    });
    fresh.start();
    return fresh;
  }

  /**
   * {@code kill -9} of the continuum agent and a new one on the same data directory; the clusters'
   * connections drop and come back, as they would to a restarted process, so they register again.
   */
  ContinuumAgent crashAndRestartContinuum() {
    continuum.close();
    clusterLinks.values().forEach(InProcessLink::cut);
    continuum = new ContinuumAgent(continuumDescriptor, env, placer, settings);
    clusterLinks.values().forEach(l -> continuum.attach(l.parentSide()));
    continuum.start();
    clusterLinks.values().forEach(InProcessLink::restore);
    return continuum;
  }

  /** A network partition between a node and its cluster. */
  void cut(String node) {
    nodeLinks.get(node).cut();
  }

  void heal(String node) {
    nodeLinks.get(node).restore();
  }

  /**
   * A node's host reboots while its cluster is unreachable: the agent dies, the host loses every
   * instance, and a new agent starts on the same data directory with the link still cut.
   */
  NodeAgent rebootNodeOffline(String node) {
    nodes.get(node).close();
    cut(node);
    simulation.failNode(node);
    simulation.recoverNode(node);
    NodeAgent fresh = newNode(node);
    nodes.put(node, fresh);
    fresh.start();
    return fresh;
  }

  /** The live instances of an app across every node's runtime. */
  List<InstanceStatus> live(String app) {
    List<InstanceStatus> out = new ArrayList<>();
    for (String n : nodeDescriptors.keySet()) {
      for (InstanceStatus s : simulation.runtime(n).instances()) {
        if (s.app().equals(app) && !s.state().isTerminal()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  List<InstanceStatus> running(String app) {
    return live(app).stream().filter(s -> s.state().name().equals("RUNNING")).toList();
  }

  /** Samples how many instances of a component run, every 2 ms until closed. */
  final class FewestRunning implements AutoCloseable {
    private final java.util.concurrent.atomic.AtomicInteger fewest =
        new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);
    private final Thread sampler;

    FewestRunning(String app, String component) {
      sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          fewest.accumulateAndGet((int) running(app).stream()
              .filter(s -> s.component().equals(component)).count(), Math::min);
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "fewest-running");
      sampler.start();
    }

    /** The fewest running instances seen so far. */
    int fewest() {
      return fewest.get();
    }

    @Override
    public void close() throws InterruptedException {
      sampler.interrupt();
      sampler.join();
    }
  }

  String phase(String app) {
    return continuum.app(app).map(AppStatus::phase).orElse("absent");
  }

  static AppDescriptor app(String yaml) {
    return Descriptors.parse(yaml, "test-app.yaml", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
  }

  /** Two replicas of a web component on the cloud cluster, with an optional disconnect block. */
  static AppDescriptor web(String name, String disconnect) {
    return app("MLSysOpsApp:\n  name: " + name + "\n  cluster_placement: {cluster_id: [cloud]}\n"
        + (disconnect == null ? "" : "  disconnect: " + disconnect + "\n")
        + "  components:\n"
        + "    - metadata: {name: web}\n"
        + "      node_placement: {scaling: {scaling_mode: manual, instances: 2}}\n"
        + "      containers:\n"
        + "        - image: registry.local/web:1\n"
        + "          platform_requirements:\n"
        + "            cpu: {requests: \"500m\"}\n"
        + "            memory: {requests: \"256Mi\"}\n");
  }

  boolean saw(String prefix) {
    return events.stream().anyMatch(e -> e.message().startsWith(prefix));
  }

  @Override
  public void close() {
    nodes.values().forEach(NodeAgent::close);
    clusters.values().forEach(ClusterAgent::close);
    continuum.close();
    timers.shutdownNow();
    workers.shutdownNow();
    planLog.close();
  }
}
