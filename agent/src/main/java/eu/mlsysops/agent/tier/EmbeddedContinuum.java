package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.engine.PolicyDirectory;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.plan.SqlitePlanLog;
import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.ContinuumDescriptor;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.orchestration.Simulation;
import eu.mlsysops.orchestration.process.CgroupCapability;
import eu.mlsysops.orchestration.process.ProcessRuntime;
import eu.mlsysops.orchestration.process.TelemetryEndpoint;
import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.telemetry.UnionQuery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The whole continuum in one process: a continuum agent, its cluster agents and their node
 * agents, joined by in-process links, with nodes simulated, or running instances as real local
 * processes ({@link RuntimeKind#PROCESS}). This is what {@code mls up} runs. With {@link
 * EmbeddedContinuumBuilder#remoteClusters} it is the continuum agent of {@code mls up --processes}: no local
 * clusters, and the {@link ContinuumPort} views come from the remote agents' reports.
 */
public final class EmbeddedContinuum implements ContinuumPort, AutoCloseable {
  private final ScheduledExecutorService timers;
  private final ExecutorService workers;
  private final SqlitePlanLog planLog;
  private final MlService ml;
  private final Simulation simulation;
  private final ContinuumAgent continuum;
  private final Map<String, ClusterAgent> clusters = new LinkedHashMap<>();
  private final Map<String, NodeAgent> nodes = new java.util.concurrent.ConcurrentHashMap<>();
  private final Duration tick;
  private final AgentEnvironment env;
  private final ProcessNodes processNodes;

  /** How nodes run component instances. */
  public enum RuntimeKind {
    /** Modelled instances and node telemetry (the default). */
    SIMULATED,
    /** Each instance is a real local process ({@link ProcessRuntime}). */
    PROCESS
  }
  private final eu.mlsysops.security.TrustEngine trust;
  private final TrustFeed trustFeed;
  private final double trustThreshold;
  private final boolean remoteClusters;
  private final DataDirLock lock;
  private final ContinuumReadouts readouts;
  private final TierTelemetry telemetry;
  private final PluggedMechanisms mechanisms;
  private final LocalNodes localNodes;
  private final TierControl control;
  private volatile RemoteAgents remoteAgents = RemoteAgents.NONE;

  EmbeddedContinuum(EmbeddedContinuumBuilder b, DataDirLock lock) {
    this.lock = lock;
    Path policyRoot = b.policyRoot != null ? b.policyRoot : b.dataDir.resolve("policies");
    // Before anything else: a mechanism nobody provides stops the continuum before it starts.
    mechanisms = new PluggedMechanisms(b.mechanisms, policyRoot,
        EmbeddedContinuum.class.getClassLoader());
    timers = Executors.newScheduledThreadPool(2, daemon("mls-timer"));
    workers = Executors.newFixedThreadPool(
        Math.max(2, java.lang.Runtime.getRuntime().availableProcessors()), daemon("mls-worker"));
    planLog = SqlitePlanLog.open(b.dataDir.resolve("plans.db"));
    ml = new MlService(privateDirectory(b.dataDir.resolve("ml")), b.clock);
    env = new AgentEnvironment(b.clock, timers, workers, b.events, planLog, b.dataDir,
        eu.mlsysops.agent.MlConnector.of(ml), b.staleAfterIntervals);
    tick = b.tick;

    ContinuumDescriptor cd = null;
    List<ClusterDescriptor> cds = new ArrayList<>();
    List<NodeDescriptor> nds = new ArrayList<>();
    for (Descriptor d : b.topology) {
      if (d instanceof ContinuumDescriptor c) {
        cd = c;
      } else if (d instanceof ClusterDescriptor c) {
        cds.add(c);
      } else if (d instanceof NodeDescriptor n) {
        nds.add(n);
      }
    }
    if (cd == null) {
      throw new IllegalArgumentException("the topology has no MLSysOpsContinuum descriptor");
    }
    this.remoteClusters = b.remoteClusters;
    if (cds.isEmpty() && !b.remoteClusters) {
      throw new IllegalArgumentException("the topology has no MLSysOpsCluster descriptor");
    }
    Placer placer = Placer.withDefaults();
    continuum = new ContinuumAgent(cd, env, placer, b.clusterSettings);
    telemetry = new TierTelemetry(continuum, clusters, nodes, remoteClusters, b.clock);
    mechanisms.plugIn(cd.continuumId(), "continuum", continuum.scheduler(), b.dataDir, b.clock,
        continuum::descriptor);
    // Continual learning: retraining on drift reads the tiers' telemetry; what it finds and does
    // is an event of the continuum (the stream, mls events).
    // Read as everything only: a developer's view is the API's to give (NorthboundServer sets a
    // reader that also filters; until then a developer's model is not retrained).
    ml.telemetry((level, who) -> who == null ? telemetry(level) : null);
    String self = cd.continuumId();
    ml.events((kind, message) -> env.events().publish(
        new AgentEvent(env.clock().millis(), self, kind, message)));
    // Node readouts (a figure per node for every node listed) read the stores in this process
    // only: asking remote agents per node and metric would cost a round trip each.
    readouts = new ContinuumReadouts(continuum, clusters, nodes, () -> remoteAgents,
        telemetry::local);
    // Nodes are filtered by trust; clusters are not (the continuum trusts its cluster agents).
    // With the process runtime every node of this process runs on this machine and reports its
    // figures: not evidence against a node declared bigger (a node that joins from another host
    // is not in `nodes` and is held to its declaration).
    java.util.function.Predicate<String> sharedHost = b.runtimeKind == RuntimeKind.PROCESS
        ? nodes::containsKey : node -> false;
    trust = eu.mlsysops.security.TrustEngine.builder().clock(b.clock).seed(b.seed)
        .heartbeatInterval(b.clusterSettings.heartbeatInterval()).sharedHost(sharedHost).build();
    trust.onLevelChange(c -> b.events.publish(TrustFeed.event(c)));
    trustFeed = new TrustFeed(trust);
    trustThreshold = b.trustThreshold;
    Placer nodePlacer = Placer.builder().trust(trust, trustThreshold).build();

    Simulation.Builder sb = Simulation.builder().clock(b.clock).seed(b.seed)
        .defaultLoad(b.defaultLoad)
        .telemetry((node, sample) -> {
          NodeAgent a = nodes.get(node);
          if (a != null) {
            a.ingest(sample);
          }
        });
    simulation = sb.build();
    processNodes = b.runtimeKind == RuntimeKind.PROCESS
        ? new ProcessNodes(privateDirectory(b.dataDir.resolve("logs")), b.workingDirectory, timers,
            nodes, b.workloadUser) : null;

    localNodes = new LocalNodes(nodes, simulation, processNodes, workers, env,
        b.clusterSettings.heartbeatInterval(), trustFeed, mechanisms);
    control = new TierControl(continuum, clusters, nodes, new TierSettings(b.dataDir),
        policyRoot);
    for (ClusterDescriptor c : cds) {
      InProcessLink link = InProcessLink.create(workers);
      ClusterAgent ca = new ClusterAgent(c, link.childSide(), env, b.clusterSettings, nodePlacer);
      ca.observeNodes(trustFeed);
      mechanisms.plugIn(c.clusterId(), "cluster", ca.scheduler(), b.dataDir, b.clock,
          ca::appDescriptor);
      continuum.attach(link.parentSide());
      clusters.put(c.clusterId(), ca);
    }
    for (NodeDescriptor n : nds) {
      String clusterId = clusterOf(n, cds);
      ClusterAgent ca = clusters.get(clusterId);
      if (ca == null) {
        throw new IllegalArgumentException("node " + n.name() + " names cluster \"" + clusterId
            + "\", which the topology does not define");
      }
      localNodes.create(n, ca);
    }
  }

  /**
   * Creates a data directory only its owner may enter (0700), when missing: it holds tokens,
   * keys and state, and workloads must not read it. An existing one is left as it is.
   */
  public static void createPrivateDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      privateDirectory(dir);
    }
  }

  private static String clusterOf(NodeDescriptor n, List<ClusterDescriptor> cds) {
    if (n.clusterId() != null && !n.clusterId().isBlank()) {
      return n.clusterId();
    }
    for (ClusterDescriptor c : cds) {
      if (c.nodes().contains(n.name())) {
        return c.clusterId();
      }
    }
    throw new IllegalArgumentException("node " + n.name()
        + " has no cluster_id and no MLSysOpsCluster lists it");
  }

  /** A builder; defaults: built-in topology, system clock, seed 42, 250 ms simulation tick. */
  public static EmbeddedContinuumBuilder builder(Path dataDir) {
    return new EmbeddedContinuumBuilder(dataDir);
  }

  /**
   * Starts every agent (continuum first, so children find their parent), the simulation, and the
   * policy directories ({@code policies/continuum}, {@code policies/cluster}, {@code
   * policies/node}: a file dropped into one runs on every agent of that tier).
   */
  public EmbeddedContinuum start() {
    control.restoreMode(); // before any agent starts
    continuum.start();
    clusters.values().forEach(ClusterAgent::start);
    nodes.values().forEach(NodeAgent::start);
    if (processNodes == null) {
      // Real processes report their own figures; simulated node figures would contradict them.
      simulation.start(timers, tick);
    }
    // Levels recover as penalties decay, without new evidence: re-evaluate now and then. Every
    // 5 s: penalties fade over minutes (10 min half-life), and each pass evaluates every node.
    timers.scheduleAtFixedRate(() -> {
      try {
        trust.refresh();
      } catch (RuntimeException e) {
        System.getLogger(EmbeddedContinuum.class.getName())
            .log(System.Logger.Level.WARNING, "trust refresh failed: " + e);
      }
    }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
    // Models trained from telemetry are held to what it says happened since (their error), on
    // the connector's own thread: the queries may wait for agents in other processes.
    timers.scheduleWithFixedDelay(() -> workers.execute(() -> {
      try {
        ml.checkErrors();
      } catch (RuntimeException e) {
        System.getLogger(EmbeddedContinuum.class.getName())
            .log(System.Logger.Level.WARNING, "checking the models' errors failed: " + e);
      }
    }), ERROR_CHECK_SECONDS, ERROR_CHECK_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    control.start(timers);
    return this;
  }

  /** How often models trained from telemetry are checked against it ({@code checkErrors}). */
  static final long ERROR_CHECK_SECONDS = 10;

  /** Where tier policy directories live. */
  public Path policyRoot() {
    return control.policyRoot();
  }

  /** The policy directories being watched, by tier ({@code continuum}, {@code cluster}, {@code node}). */
  @Override
  public Map<String, PolicyDirectory> policyDirectories() {
    return control.policyDirectories();
  }

  /**
   * Applies a configuration to every agent of a tier (and to nodes that join later) and keeps
   * it in {@code <data-dir>/config/<tier>.json} so that a restart applies it again.
   *
   * @throws IllegalArgumentException for an unknown tier
   */
  @Override
  public void configure(String tier, AgentConfig config) {
    control.configure(tier, config);
  }

  /** The configuration of a tier ({@link AgentConfig#DEFAULT} when none was set). */
  @Override
  public AgentConfig configuration(String tier) {
    return control.configuration(tier);
  }

  /** The policy engines of every agent of a tier in this process. */
  public List<PolicyEngine> engines(String tier) {
    return control.engines(tier);
  }

  /** Switches every agent between heuristic and ML-driven policies. */
  @Override
  public void setMode(eu.mlsysops.agent.PolicyContext.Mode mode) {
    control.setMode(mode);
  }

  /** The agents' operating mode. */
  @Override
  public eu.mlsysops.agent.PolicyContext.Mode mode() {
    return continuum.engine().mode();
  }

  /**
   * Sets who hears of every change of the mode or of a tier's configuration: with agents in
   * other processes, what sends them the new control set.
   */
  public void onControlChange(Runnable listener) {
    control.onControlChange(listener);
  }

  @Override
  public void policiesChanged() {
    control.policiesChanged();
  }

  @Override
  public java.util.concurrent.locks.Lock policyLock() {
    return control.policyLock();
  }

  public ContinuumAgent continuum() {
    return continuum;
  }

  public Map<String, ClusterAgent> clusters() {
    return clusters;
  }

  /** The node agents by name (a live view: nodes can join and leave). */
  public Map<String, NodeAgent> nodes() {
    return java.util.Collections.unmodifiableMap(nodes);
  }

  public Simulation simulation() {
    return simulation;
  }

  /** How this continuum's nodes run instances. */
  public RuntimeKind runtimeKind() {
    return processNodes == null ? RuntimeKind.SIMULATED : RuntimeKind.PROCESS;
  }

  /** The process runtime of a node, with {@link RuntimeKind#PROCESS}. */
  public java.util.Optional<ProcessRuntime> processRuntime(String node) {
    return processNodes == null ? java.util.Optional.empty() : processNodes.existing(node);
  }

  /**
   * Whether process runtimes enforce CPU and memory limits here (detected once), with {@link
   * RuntimeKind#PROCESS}.
   */
  public java.util.Optional<CgroupCapability> cgroups() {
    return processNodes == null ? java.util.Optional.empty()
        : java.util.Optional.of(processNodes.cgroups());
  }

  /**
   * Who instances run as with {@link RuntimeKind#PROCESS}: an unprivileged user where this
   * process can drop privileges, or the reason it cannot (then instances run as this process's
   * own user and could read its data directory).
   */
  public java.util.Optional<eu.mlsysops.orchestration.process.WorkloadUser.Detection> workloads() {
    return processNodes == null ? java.util.Optional.empty()
        : java.util.Optional.of(processNodes.workloads());
  }

  /**
   * Where apps started from now on send OpenTelemetry data ({@code OTEL_EXPORTER_OTLP_ENDPOINT},
   * {@code TELEMETRY_ENDPOINT}); {@link OtlpEndpoints#start} sets it once its receivers are bound.
   */
  public void telemetryEndpoint(TelemetryEndpoint endpoint) {
    if (processNodes != null) {
      processNodes.endpoint(endpoint);
    }
  }

  /** The continuum's clock (simulated time in tests). */
  public Clock clock() {
    return env.clock();
  }

  /**
   * The telemetry held at one tier: {@code continuum} (per-cluster summaries by default), {@code
   * cluster} (every cluster agent's per-node summaries) or {@code node} (every node agent's raw
   * samples), read as one store by {@link TelemetryQuery} calls and by the query engine.
   *
   * @throws IllegalArgumentException for another tier
   */
  public UnionQuery telemetry(String tier) {
    return telemetry.of(tier);
  }

  @Override
  public MlService ml() {
    return ml;
  }

  /** The shared plan log. */
  public SqlitePlanLog planLog() {
    return planLog;
  }

  /**
   * Adds a node to a running continuum (e.g. {@code POST /infra/register}): a simulated host, its
   * node agent, and a link to its cluster. The cluster comes from the descriptor's {@code
   * cluster_id}.
   *
   * @throws IllegalArgumentException when the name is taken or the cluster unknown
   */
  @Override
  public synchronized void addNode(NodeDescriptor n) {
    if (localNodes.contains(n.name())) {
      throw new IllegalArgumentException("a node named \"" + n.name() + "\" already exists");
    }
    String clusterId = n.clusterId();
    ClusterAgent ca = clusterId == null ? null : clusters.get(clusterId);
    if (ca == null) {
      throw new IllegalArgumentException("cluster_id: \"" + clusterId + "\" is not a cluster of this"
          + " continuum (" + String.join(", ", clusters.keySet()) + ")");
    }
    NodeAgent na = localNodes.create(n, ca);
    control.adopt(na); // mode and configuration before it starts: it must not act otherwise
    na.start();
  }

  @Override
  public boolean runsNode(String name) {
    return nodes.containsKey(name);
  }

  @Override
  public List<NodeSummary> knownNodes() {
    return readouts.nodes();
  }

  @Override
  public java.util.Optional<NodeDescriptor> nodeDescriptor(String node) {
    return readouts.nodeDescriptor(node);
  }

  @Override
  public java.util.OptionalDouble nodeMetric(String node, String metric) {
    return readouts.nodeMetric(node, metric);
  }

  @Override
  public List<eu.mlsysops.agent.engine.PolicyStatus> policyStatuses(String tier) {
    return readouts.policyStatuses(tier);
  }

  @Override
  public List<MechanismView> mechanisms() {
    return readouts.mechanisms();
  }

  /**
   * Removes a node for good (e.g. {@code DELETE /infra/unregister/{id}}): its agent stops and its
   * cluster places its instances elsewhere at once.
   */
  public synchronized boolean removeNode(String name) {
    NodeAgent a = localNodes.remove(name, clusters.values());
    if (a == null) {
      return false;
    }
    control.release(a);
    return true;
  }

  /** Node trust (identity, behaviour, capability) as the clusters observe it. */
  public eu.mlsysops.security.TrustEngine trust() {
    return trust;
  }

  /** The trust below which cluster agents place nothing new on a node. */
  public double trustThreshold() {
    return trustThreshold;
  }

  /** Whether this continuum's clusters run in other processes (then so do their nodes). */
  public boolean remoteClusters() {
    return remoteClusters;
  }

  /** Sets what this continuum knows of agents in other processes. */
  public void remoteAgents(RemoteAgents remote) {
    this.remoteAgents = Objects.requireNonNull(remote);
  }

  /** What this continuum knows of agents in other processes ({@link RemoteAgents#NONE} in one). */
  public RemoteAgents remoteAgents() {
    return remoteAgents;
  }

  /** Crashes a node: its host stops (instances die) and its agent stops, without warning. */
  public void failNode(String name) {
    localNodes.fail(name);
  }

  @Override
  public void close() {
    try {
      control.close();
      nodes.values().forEach(NodeAgent::close);
      clusters.values().forEach(ClusterAgent::close);
      continuum.close();
      mechanisms.close();
      if (processNodes != null) {
        processNodes.closeAll(); // before the timers: stopping uses them
      }
      timers.shutdownNow();
      workers.shutdownNow();
      planLog.close();
      ml.close();
    } finally {
      lock.close(); // whatever failed above, the directory is free for the next continuum
    }
  }

  /** A directory of the data dir only its owner may enter (0700), made when missing. */
  private static Path privateDirectory(Path dir) {
    try {
      return eu.mlsysops.agent.kernel.PrivateFiles.directory(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
