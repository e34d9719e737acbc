package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.core.AutoScalingPolicy;
import eu.mlsysops.agent.core.DynamicPlacementPolicy;
import eu.mlsysops.agent.core.QosModelScorer;
import eu.mlsysops.agent.core.QosRelocationPolicy;
import eu.mlsysops.agent.core.StaticPlacementPolicy;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.ViewSource;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.DisconnectPolicy;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.orchestration.SpecChange;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.OtlpMetricsEncoder;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import eu.mlsysops.telemetry.pipeline.NegotiatedInterval;
import eu.mlsysops.telemetry.pipeline.UplinkAggregator;
import eu.mlsysops.telemetry.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Coordinates the nodes of one cluster: tracks their health from heartbeats, aggregates their
 * telemetry, and places the components the continuum assigned to it onto nodes (placement
 * policies plan, the {@code placement} mechanism acts). A node that misses heartbeats is marked
 * unreachable; after a grace period its instances are lost and placed elsewhere.
 */
public final class ClusterAgent implements AutoCloseable {
  private final ClusterDescriptor descriptor;
  private final Link uplink;
  private final AgentEnvironment env;
  private final Settings settings;
  private final MetricStore store;
  private final PlanScheduler scheduler;
  private final PolicyEngine engine;
  private volatile UplinkAggregator uplinkAggregator =
      UplinkAggregator.builder().rules(UplinkAggregator.CLUSTER_DEFAULTS).build();
  /** How often this cluster's nodes export: what its policies and the continuum ask for. */
  private final NegotiatedInterval childDemand =
      new NegotiatedInterval(DEFAULT_EXPORT_INTERVAL, MIN_EXPORT_INTERVAL);
  private IntervalTask exportTask;
  private final AgentHealth health;
  private final OtlpMetricsEncoder encoder;
  /** One per node: it adds the node's name to series that lack one and keeps delta state. */
  private final Map<String, OtlpMetricsTranslator> fromNodes = new ConcurrentHashMap<>();
  private final SampleSink childSink = new SampleSink() {
    @Override
    public boolean accept(Sample s) {
      if (!store.append(s)) {
        return false;
      }
      uplinkAggregator.accept(s);
      for (NodeObserver o : observers) {
        o.telemetry(s);
      }
      return true;
    }

    @Override
    public void describe(String metric, MetricMetadata metadata) {
      store.describe(metric, metadata);
      uplinkAggregator.describe(metric, metadata);
    }
  };
  private volatile Duration exportInterval = DEFAULT_EXPORT_INTERVAL;

  private final Map<String, NodeEntry> nodes = new LinkedHashMap<>();
  private final List<NodeObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, AppDescriptor> apps = new LinkedHashMap<>();
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final Map<String, Message.InstanceReport> observed = new HashMap<>();
  private final Map<String, CompletableFuture<ApplyResult>> waiters = new HashMap<>();
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private long appsEpoch = -1;
  private final PlacementVersion placementVersion = new PlacementVersion();
  private final ComponentOverrides overrides = new ComponentOverrides();
  /** The digest of a slot whose instance's spec is not known: outdated for any component. */
  private static final String UNKNOWN_SPEC = "unknown";
  /** Grows with every change of the apps or their overrides (see publishApps). */
  private long appsVersion;
  /** New instances of replacements this incarnation is waiting for (see finishReplacement). */
  private final java.util.Set<String> replacing = new java.util.HashSet<>();
  /** app/component → the id of its unfinished spec-rollout plan. */
  private final Map<String, String> rollouts = new HashMap<>();
  private final UnschedulableInstances unschedulable = new UnschedulableInstances();
  private final ControlRelay relay;
  private final ForwardedRequests requests;
  private volatile boolean running;
  /** Desired state, slots, nodes and epochs on disk: what a restart comes back to. */
  private final ClusterStore state;
  private final Placer placer;
  /** The epoch of the last desired state sent to a node; grows across restarts. */
  private long nodeEpoch;
  private long nodeEpochReserved;

  /** How often telemetry goes up when nobody asks for it more often. */
  static final Duration DEFAULT_EXPORT_INTERVAL = Duration.ofSeconds(5);
  /**
   * The weight of the learned QoS scorer in ML mode, that of {@code least_allocated}: it decides
   * between nodes the other scorers find alike, and outweighs them where the model is sure.
   */
  static final double QOS_MODEL_WEIGHT = 1.0;
  /** The shortest export interval granted, whatever a policy asks. */
  static final Duration MIN_EXPORT_INTERVAL = Duration.ofMillis(100);

  /** Failure-detection and timing settings. */
  public record Settings(
      Duration heartbeatInterval, int missedHeartbeats, Duration lostGrace, Duration startTimeout) {
    /** 1 s heartbeats, 3 missed → unreachable, 2 s more → lost, 30 s to start an instance. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), 3, Duration.ofSeconds(2), Duration.ofSeconds(30));
    }
  }

  public ClusterAgent(
      ClusterDescriptor descriptor, Link uplink, AgentEnvironment env, Settings settings,
      Placer placer) {
    this.descriptor = Objects.requireNonNull(descriptor);
    this.uplink = Objects.requireNonNull(uplink);
    this.env = Objects.requireNonNull(env);
    this.settings = Objects.requireNonNull(settings);
    // What the ML-mode relocation learns about QoS on this cluster's nodes, shared by its apps,
    // also scores first placements in ML mode.
    java.nio.file.Path qosModelFile = MlPolicies.qosModelFile(env.dataDir(), id());
    eu.mlsysops.ml.online.OnlineLogisticModel qosModel = MlPolicies.qosModel(qosModelFile);
    this.placer = Objects.requireNonNull(placer)
        .withScorer(new QosModelScorer(qosModel, this::mode), QOS_MODEL_WEIGHT);
    this.relay = new ControlRelay(descriptor.clusterId(), uplink);
    this.requests = new ForwardedRequests(descriptor.clusterId(), env.clock());
    this.state =
        new ClusterStore(env.dataDir().resolve("cluster-" + descriptor.clusterId() + ".db"));
    restore();
    this.store = TierStores.cluster(env.clock());
    this.scheduler =
        PlanScheduler.builder(id())
            .clock(env.clock())
            .log(env.planLog())
            .shared(env.timers(), env.workers())
            .build();
    scheduler.register(new PlacementMechanism(this));
    scheduler.onTransition(this::onPlan);
    this.engine = new PolicyEngine(id(), env.clock(), store, scheduler, new Views(), env.timers(),
        env.workers());
    this.encoder = new OtlpMetricsEncoder(id());
    this.health = new AgentHealth(id(), "cluster", store, engine, scheduler,
        () -> uplinkAggregator.dropped());
    engine.add(StaticPlacementPolicy::new, "built-in");
    Placer scored = this.placer;
    engine.add(() -> new DynamicPlacementPolicy(scored, this::onUnschedulable), "built-in");
    engine.add(() -> new AutoScalingPolicy(AutoScalingPolicy.Settings.defaults()), "built-in");
    engine.add(() -> new QosRelocationPolicy(scored), "built-in");
    engine.add(() -> MlPolicies.qosRelocation(scored, qosModel, qosModelFile), "built-in");
    uplink.onReceive(this::onParentMessage);
    uplink.onConnectionChange(up -> {
      if (up && running) {
        registerUp();
      }
    });
    engine.onTelemetryDemandChange(this::policiesDemandChanged);
    policiesDemandChanged();
    childDemand.onChange(d -> tellNodes());
  }

  /**
   * Reloads what the agent had accepted before a restart. Restored nodes count as alive from now
   * on: they have the usual detection period to show up (by heartbeat or registration) before
   * their instances are treated as unreachable.
   */
  private void restore() {
    long now = env.clock().millis();
    appsEpoch = state.meta("apps_epoch", -1);
    for (AppDescriptor a : state.apps()) {
      apps.put(a.name(), a);
    }
    overrides.restore(state.overrides());
    for (NodeDescriptor n : state.nodes()) {
      NodeEntry e = new NodeEntry(n, null);
      e.lastHeartbeat = now;
      nodes.put(n.name(), e);
    }
    for (ClusterStore.SlotRow r : state.slots()) {
      Slot s = Slot.of(r);
      if (s.spec == null && s.previousInstanceId == null) {
        // A store from before slots kept their digest: the instance runs what was desired then.
        s.spec = specOf(s.app, s.component);
      }
      slots.put(slotKey(r.app(), r.component(), r.index()), s);
    }
    // A fresh store starts at the wall clock, so a cluster that lost its disk still outranks
    // epochs an earlier incarnation handed out (it sends far fewer than one per millisecond).
    nodeEpoch = Math.max(state.meta("node_epoch_reserved", 0), now);
    nodeEpochReserved = nodeEpoch + ClusterStore.EPOCH_BLOCK;
    state.setMeta("node_epoch_reserved", nodeEpochReserved);
  }

  private synchronized long nextNodeEpoch() {
    nodeEpoch++;
    if (nodeEpoch >= nodeEpochReserved) {
      nodeEpochReserved = nodeEpoch + ClusterStore.EPOCH_BLOCK;
      state.setMeta("node_epoch_reserved", nodeEpochReserved);
    }
    return nodeEpoch;
  }

  /**
   * Gives the policies the effective descriptors of {@code names} (the continuum's, with this
   * cluster's counts and spec changes). Descriptors are taken under the lock and handed over
   * outside it, so a concurrent change (a scale during a new desired state) could be handed over
   * before an older one; whoever sees that the descriptors changed meanwhile hands them over
   * again, so the policies end with the newest.
   */
  private void publishApps(List<String> names) {
    while (true) {
      long version;
      List<AppDescriptor> effective;
      synchronized (this) {
        version = appsVersion;
        effective = names.stream().filter(apps::containsKey)
            .map(n -> overrides.effective(apps.get(n))).toList();
      }
      effective.forEach(engine::appAdded);
      synchronized (this) {
        if (appsVersion == version) {
          return;
        }
      }
    }
  }

  /** The engine's mode; heuristic while the constructor has not made the engine yet. */
  private PolicyContext.Mode mode() {
    PolicyEngine e = engine;
    return e == null ? PolicyContext.Mode.HEURISTIC : e.mode();
  }

  private void policiesDemandChanged() {
    engine.telemetryDemand().ifPresentOrElse(
        d -> childDemand.request("policies", d), () -> childDemand.withdraw("policies"));
  }

  /** How often this cluster's nodes are asked to export telemetry now. */
  public Duration nodeExportInterval() {
    return childDemand.current();
  }

  /** How often this cluster sends telemetry to the continuum now. */
  public Duration exportInterval() {
    return exportInterval;
  }

  /**
   * Replaces what this cluster sends up (empty: {@link UplinkAggregator#CLUSTER_DEFAULTS}). What
   * the old rules aggregated so far is sent at once.
   */
  public void setUplinkRules(List<AggregationRule> rules) {
    UplinkAggregator old = uplinkAggregator;
    uplinkAggregator = UplinkAggregator.builder()
        .rules(rules.isEmpty() ? UplinkAggregator.CLUSTER_DEFAULTS : rules).build();
    sendTelemetry(old.drain());
  }

  private void tellNodes() {
    List<Link> links;
    synchronized (this) {
      links = nodes.values().stream().map(e -> e.link).filter(Objects::nonNull).toList();
    }
    Message demand = new Message.TelemetryDemand(id(), childDemand.current().toMillis());
    links.forEach(l -> l.send(demand));
  }

  /** The cluster id. */
  public String id() {
    return descriptor.clusterId();
  }

  /** The cluster's aggregated telemetry. */
  public MetricStore telemetry() {
    return store;
  }

  public PlanScheduler scheduler() {
    return scheduler;
  }

  public PolicyEngine engine() {
    return engine;
  }

  /**
   * A figure of the cluster's own about one of its nodes (e.g. its trust): kept in the cluster's
   * telemetry and sent up like the nodes' own, per the uplink rules.
   */
  public void recordOwn(Sample s) {
    if (store.append(s)) {
      uplinkAggregator.accept(s);
    }
  }

  /** Declares the type of a metric recorded with {@link #recordOwn}. */
  public void describeOwn(String metric, MetricMetadata metadata) {
    store.describe(metric, metadata);
    uplinkAggregator.describe(metric, metadata);
  }

  /** Adds an observer of the nodes' registrations, heartbeats, failures and telemetry. */
  public void observeNodes(NodeObserver observer) {
    observers.add(Objects.requireNonNull(observer, "observer"));
  }

  /** Accepts a link from a node agent; the node identifies itself by registering. */
  public void attach(Link nodeLink) {
    nodeLink.onReceive(m -> onNodeMessage(nodeLink, m));
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    scheduler.start();
    PlanResumption.resume(scheduler, env.planLog(), id(), env.events(), env.clock());
    List<AppDescriptor> restored;
    synchronized (this) {
      restored = apps.values().stream().map(overrides::effective).toList();
    }
    restored.forEach(engine::appAdded);
    registerUp();
    // After a crash in the middle of a spec change: finish it (nodes re-register meanwhile).
    rollOutdated(app -> true);
    long hb = settings.heartbeatInterval().toMillis();
    timers.add(env.timers().scheduleAtFixedRate(this::detectFailures, hb / 4, Math.max(1, hb / 4),
        TimeUnit.MILLISECONDS));
    timers.add(env.timers().scheduleAtFixedRate(this::reportUp, hb, hb, TimeUnit.MILLISECONDS));
    timers.add(env.timers().scheduleAtFixedRate(() -> health.record(env.clock().millis()),
        hb, NodeAgent.HEALTH_INTERVAL_MILLIS, TimeUnit.MILLISECONDS));
    exportTask = new IntervalTask(env.timers(), id() + " telemetry export", exportInterval,
        this::exportTelemetry);
  }

  @Override
  public synchronized void close() {
    running = false;
    for (ScheduledFuture<?> f : timers) {
      f.cancel(false);
    }
    if (exportTask != null) {
      exportTask.close();
      exportTask = null;
    }
    engine.close();
    scheduler.close();
    state.close();
  }

  int placementCount() {
    synchronized (this) {
      return slots.size();
    }
  }

  /**
   * Forgets a node that was unregistered: it leaves the inventory and its instances are placed
   * elsewhere at once (no grace period: the administrator said it is gone).
   */
  public boolean forget(String node) {
    requests.forget(node);
    synchronized (this) {
      NodeEntry e = nodes.remove(node);
      if (e == null) {
        return false;
      }
      state.removeNode(node);
      placementVersion.bump();
      for (Slot s : slots.values()) {
        if (node.equals(s.previousNode)) {
          s.previousNode = null;
          s.previousInstanceId = null;
        }
      }
    }
    event("node", "node " + node + " unregistered");
    observers.forEach(o -> o.forgotten(node));
    sendInventory();
    engine.wakeAll("node " + node + " unregistered");
    return true;
  }

  /** Names and health of the nodes that registered. */
  public synchronized Map<String, Boolean> nodeHealth() {
    Map<String, Boolean> out = new LinkedHashMap<>();
    nodes.forEach((n, e) -> out.put(n, e.healthy));
    return out;
  }

  // ---- messages ----

  private void registerUp() {
    uplink.send(new Message.Register(id(), Message.Tier.CLUSTER, null, descriptor, List.of()));
    sendInventory();
  }

  private synchronized List<String> unhealthyNodes() {
    return nodes.values().stream().filter(n -> !n.healthy).map(n -> n.descriptor.name()).toList();
  }

  private void onParentMessage(Message m) {
    if (m instanceof Message.Control c) {
      relay.fromParent(c, this::nodeLinks);
      return;
    }
    if (m instanceof Message.TelemetryDemand d) {
      Duration wanted = Duration.ofMillis(d.intervalMillis());
      exportInterval = wanted;
      IntervalTask t = exportTask;
      if (t != null) {
        t.setPeriod(wanted);
      }
      childDemand.request("parent", wanted);
      return;
    }
    if (m instanceof Message.DesiredState ds) {
      List<String> removed = new ArrayList<>();
      List<AppDescriptor> added = new ArrayList<>();
      java.util.Set<String> changed = new java.util.HashSet<>();
      synchronized (this) {
        if (ds.epoch() < appsEpoch) {
          return;
        }
        Map<String, AppDescriptor> next = new LinkedHashMap<>();
        for (AppDescriptor a : ds.apps()) {
          next.put(a.name(), a);
        }
        List<ClusterStore.SlotRow> dropped = slots.values().stream().filter(s -> {
          AppDescriptor a = next.get(s.app);
          return a == null || a.component(s.component).isEmpty();
        }).map(Slot::row).toList();
        List<AppDescriptor> changedApps = next.values().stream()
            .filter(a -> !a.equals(apps.get(a.name()))).toList();
        changedApps.forEach(a -> changed.add(a.name()));
        List<String> gone = apps.keySet().stream().filter(n -> !next.containsKey(n)).toList();
        // On disk before anything acts on it: a crash from here on restarts with this state.
        state.applyDesiredState(ds.epoch(), changedApps, gone, dropped);
        appsEpoch = ds.epoch();
        for (String[] k : overrides.retain(apps, next)) {
          state.putOverrides(k[0], k[1], overrides.row(k[0], k[1]));
        }
        for (String name : apps.keySet()) {
          if (!next.containsKey(name)) {
            removed.add(name);
          }
        }
        apps.clear();
        apps.putAll(next);
        unschedulable.retain(next.keySet());
        added.addAll(next.values());
        appsVersion++;
        placementVersion.bump();
        // Slots of components no longer assigned here go away with the next desired state.
        slots.values().removeIf(s -> {
          AppDescriptor a = next.get(s.app);
          return a == null || a.component(s.component).isEmpty();
        });
      }
      for (String r : removed) {
        engine.appRemoved(r);
        scheduler.cancelApp(r, "app " + r + " was removed");
        failWaiters(r);
        event("app", "app " + r + " removed from this cluster");
      }
      publishApps(added.stream().map(AppDescriptor::name).toList());
      pushAllNodes();
      // Only a changed descriptor can outdate instances (digests cost a hash per component).
      if (!changed.isEmpty()) {
        rollOutdated(changed::contains);
      }
    }
  }

  /** Answers placement commands still waiting for instances of a removed app. */
  private void failWaiters(String app) {
    List<CompletableFuture<ApplyResult>> failed = new ArrayList<>();
    synchronized (this) {
      waiters.entrySet().removeIf(e -> {
        if (e.getKey().startsWith(app + "/")) {
          failed.add(e.getValue());
          return true;
        }
        return false;
      });
    }
    failed.forEach(f -> f.complete(ApplyResult.failure("app " + app + " was removed")));
  }

  private void onNodeMessage(Link link, Message m) {
    if (!running) {
      return;
    }
    if (relay.fromNode(m)) {
      return;
    }
    if (m instanceof Message.PlanForward f) {
      if (requests.add(f, link)) {
        event("request", "node " + f.from() + " asks for " + f.mechanism() + " " + f.action()
            + " " + new java.util.TreeMap<>(f.args())
            + (f.explanation() == null ? "" : ": " + f.explanation()));
        engine.wakeAll("request from " + f.from());
      }
      return;
    }
    if (m instanceof Message.Register r && r.node() != null) {
      boolean isNew;
      boolean recovered;
      List<Runnable> after = new ArrayList<>();
      synchronized (this) {
        NodeEntry e = nodes.get(r.from());
        isNew = e == null;
        recovered = e != null && !e.healthy;
        if (e == null) {
          e = new NodeEntry(r.node(), link);
          nodes.put(r.from(), e);
        }
        if (isNew || !r.node().equals(e.descriptor)) {
          state.putNode(r.node());
        }
        e.link = link;
        e.descriptor = r.node();
        e.lastHeartbeat = env.clock().millis();
        e.healthy = true;
        e.lostApps.clear();
        placementVersion.bump();
        for (Message.InstanceReport ir : r.running()) {
          Message.InstanceReport prev = observed.put(ir.instanceId(), ir);
          // A registration may be the first word of a replacement's new instance after a
          // restart of this agent: later reports then look unchanged.
          if (prev == null || !prev.state().equals(ir.state())) {
            finishOrphanedReplacement(ir, after);
          }
        }
        healed(r.from());
      }
      after.forEach(Runnable::run);
      observers.forEach(o -> o.registered(r.from(), r.node(), id()));
      event("node", isNew ? "node " + r.from() + " joined (" + r.node().continuumLayer().wireName()
          + ")" : recovered ? "node " + r.from() + " is back" : "node " + r.from() + " re-registered");
      pushNode(r.from());
      link.send(new Message.TelemetryDemand(id(), childDemand.current().toMillis()));
      relay.nodeRegistered(link);
      sendInventory();
      engine.wakeAll("node " + r.from());
    } else if (m instanceof Message.Heartbeat h) {
      boolean recovered = false;
      boolean reattached = false;
      boolean known;
      synchronized (this) {
        NodeEntry e = nodes.get(h.from());
        known = e != null;
        if (e != null) {
          e.lastHeartbeat = env.clock().millis();
          // A node restored from disk after this agent restarted: its heartbeats say where it is.
          reattached = e.link == null;
          e.link = link;
          if (!e.healthy) {
            e.healthy = true;
            e.lostApps.clear();
            recovered = true;
            placementVersion.bump();
            healed(h.from());
          }
        }
      }
      if (known) {
        observers.forEach(o -> o.heartbeat(h.from()));
      }
      if (recovered || reattached) {
        event("node", "node " + h.from() + (recovered ? " is back" : " reattached"));
        // The continuum places by node health too: tell it, or it keeps avoiding this node.
        sendInventory();
        pushNode(h.from());
        if (reattached) {
          link.send(new Message.TelemetryDemand(id(), childDemand.current().toMillis()));
        }
        engine.wakeAll("node " + h.from());
      }
    } else if (m instanceof Message.StatusReport sr) {
      onStatus(sr);
    } else if (m instanceof Message.TelemetryBatch tb) {
      fromNodes.computeIfAbsent(tb.from(), n -> OtlpMetricsTranslator.builder(childSink)
          .nodeName(n).clock(env.clock()).build()).translate(tb.metrics());
    }
  }

  /**
   * Tells the continuum which nodes this cluster has and which are unhealthy. Each inventory is a
   * full snapshot and the newest wins, so taking it and sending it happen under one lock: two
   * nodes registering at once on two threads must not send their snapshots in the wrong order (the
   * older, smaller one last), which left the continuum short of a node.
   */
  private synchronized List<Link> nodeLinks() {
    return nodes.values().stream().map(n -> n.link).filter(Objects::nonNull).toList();
  }

  /** An app's descriptor as this cluster runs it (with its stored spec changes), if assigned. */
  public synchronized Optional<AppDescriptor> appDescriptor(String name) {
    AppDescriptor a = apps.get(name);
    return a == null ? Optional.empty() : Optional.of(overrides.effective(a));
  }

  /**
   * Sets who takes the control sets the continuum sends (they go on to this cluster's nodes
   * either way); an agent in its own process applies them. Without a listener they are not
   * applied here: in one process the continuum configures agents directly.
   */
  public void onControl(java.util.function.Consumer<Message.Control> listener) {
    relay.onControl(listener);
  }

  /**
   * Sends a message to the continuum on this agent's link (control reports, plan records).
   *
   * @return false when it was refused
   */
  public boolean sendUp(Message m) {
    return uplink.send(m);
  }

  /** Whether the link to the continuum is up. */
  public boolean uplinkConnected() {
    return uplink.isConnected();
  }

  private synchronized void sendInventory() {
    uplink.send(new Message.Inventory(id(), inventory(), unhealthyNodes()));
  }

  private synchronized List<NodeDescriptor> inventory() {
    return nodes.values().stream().map(n -> n.descriptor).toList();
  }

  private void onStatus(Message.StatusReport sr) {
    List<Runnable> after = new ArrayList<>();
    List<Message.InstanceReport> changed = new ArrayList<>();
    synchronized (this) {
      for (Message.InstanceReport r : sr.instances()) {
        Message.InstanceReport prev = observed.put(r.instanceId(), r);
        if (prev == null || !prev.state().equals(r.state())) {
          changed.add(r);
        }
        CompletableFuture<ApplyResult> w = waiters.get(r.instanceId());
        if (w != null && "RUNNING".equals(r.state())) {
          waiters.remove(r.instanceId());
          after.add(() -> w.complete(ApplyResult.success(
              r.instanceId() + " running on " + r.node())));
        } else if (w != null && "FAILED".equals(r.state())) {
          waiters.remove(r.instanceId());
          after.add(() -> w.complete(ApplyResult.failure(
              r.instanceId() + " failed on " + r.node() + ": " + r.reason())));
        } else if (w == null && (prev == null || !prev.state().equals(r.state()))) {
          finishOrphanedReplacement(r, after);
        }
      }
    }
    after.forEach(Runnable::run);
    for (Message.InstanceReport r : changed) {
      if ("FAILED".equals(r.state())) {
        observers.forEach(o -> o.instanceFailed(r.node(), r.instanceId(), r.reason()));
      }
      if ("RUNNING".equals(r.state()) || "FAILED".equals(r.state())) {
        event("instance", r.instanceId() + " " + r.state().toLowerCase() + " on " + r.node()
            + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")"));
      }
    }
    if (!changed.isEmpty()) {
      uplink.send(new Message.StatusReport(id(), changed, false));
      for (String app : changed.stream().map(Message.InstanceReport::app).distinct().toList()) {
        engine.wakeAll("instance status of " + app);
      }
    }
  }

  /**
   * A replacement (move, spec change) whose agent died before it finished, i.e. one a restarted
   * agent found in its store: once the new instance runs, the old one goes; if the new one fails,
   * the slot goes back to the old one. Without this the old instance would run forever beside
   * the new one.
   */
  private void finishOrphanedReplacement(Message.InstanceReport r, List<Runnable> after) {
    boolean runs = "RUNNING".equals(r.state());
    if (!runs && !"FAILED".equals(r.state())) {
      return;
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
      placementVersion.bump();
      state.putSlot(s.row());
      String push = other;
      after.add(() -> {
        event("instance", message);
        pushNode(push);
      });
      return;
    }
  }

  private void reportUp() {
    if (!running) {
      return;
    }
    uplink.send(new Message.StatusReport(id(), fullReport(), true));
  }

  private void exportTelemetry() {
    if (running) {
      sendTelemetry(uplinkAggregator.drain());
    }
  }

  private void sendTelemetry(UplinkAggregator.Batch batch) {
    if (!batch.isEmpty()) {
      uplink.send(new Message.TelemetryBatch(id(), encoder.encode(batch.samples(),
          m -> java.util.Optional.ofNullable(batch.metadata().get(m)))));
    }
  }

  private synchronized List<Message.InstanceReport> fullReport() {
    List<Message.InstanceReport> out = new ArrayList<>();
    for (Slot s : slots.values()) {
      out.add(reportFor(s.instanceId, s));
      if (s.previousInstanceId != null) {
        out.add(reportFor(s.previousInstanceId, s));
      }
    }
    out.addAll(unschedulable.reports(null, this::hasSlot, env.clock().millis()));
    return out;
  }

  private Message.InstanceReport reportFor(String instanceId, Slot s) {
    Message.InstanceReport r = observed.get(instanceId);
    String node = instanceId.equals(s.instanceId) ? s.node : s.previousNode;
    NodeEntry n = nodes.get(node);
    if (n == null || lostFor(n, s.app, env.clock().millis())) {
      if (n != null && !disconnect(s.app).replace()) {
        // Nomad's "unknown": not replaced, the app's disconnect policy waits for the node.
        return new Message.InstanceReport(instanceId, s.app, s.component, node, "UNKNOWN",
            "node " + node + " unreachable; disconnect.replace=false waits for it",
            env.clock().millis());
      }
      String stuck = unschedulable.reason(s.app, s.component, s.index);
      return new Message.InstanceReport(instanceId, s.app, s.component, node, "LOST",
          "node " + node + " unreachable"
              + (stuck == null ? "" : UnschedulableInstances.MARKER + stuck),
          env.clock().millis());
    }
    if (r == null || !Objects.equals(r.node(), node)) {
      return new Message.InstanceReport(instanceId, s.app, s.component, node, "PENDING", "",
          env.clock().millis());
    }
    return r;
  }

  // ---- autoscaling and unschedulable instances ----

  /**
   * Sets the number of instances of a component (the {@code placement scale} action): placement
   * policies see the new count at once and add or remove instances to match.
   */
  ApplyResult scale(String app, String component, int instances) {
    synchronized (this) {
      AppDescriptor a = apps.get(app);
      if (a == null || a.component(component).isEmpty()) {
        return ApplyResult.failure(app + "/" + component + " is not assigned to cluster " + id());
      }
      if (!overrides.setInstances(app, component, instances)) {
        return ApplyResult.success(app + "/" + component + " already at " + instances);
      }
      state.putOverrides(app, component, overrides.row(app, component));
      appsVersion++;
      placementVersion.bump();
    }
    publishApps(List.of(app));
    return ApplyResult.success(app + "/" + component + " scaled to " + instances + " instance(s)");
  }

  /** The placement policy's latest word on what it cannot place; reported up as it changes. */
  private void onUnschedulable(String app, Map<String, String> byInstance) {
    List<Message.InstanceReport> changed;
    synchronized (this) {
      if (!apps.containsKey(app) || !unschedulable.update(app, byInstance)) {
        return;
      }
      changed = unschedulable.reports(app, this::hasSlot, env.clock().millis());
    }
    if (!changed.isEmpty()) {
      uplink.send(new Message.StatusReport(id(), changed, false));
    }
  }

  private boolean hasSlot(String app, String component, int slot) {
    return slots.containsKey(slotKey(app, component, slot));
  }

  // ---- failure detection ----

  private void detectFailures() {
    if (!running) {
      return;
    }
    requests.expire();
    long now = env.clock().millis();
    long unreachableAfter = settings.heartbeatInterval().toMillis() * settings.missedHeartbeats();
    List<String> unreachable = new ArrayList<>();
    List<String> unreachableNodes = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    synchronized (this) {
      for (NodeEntry e : nodes.values()) {
        long silent = now - e.lastHeartbeat;
        if (e.healthy && silent > unreachableAfter) {
          placementVersion.bump();
          e.healthy = false;
          e.unhealthySince = now;
          unreachable.add(e.descriptor.name() + " is unreachable (no heartbeat for " + silent + " ms)");
          unreachableNodes.add(e.descriptor.name());
        }
        if (!e.healthy) {
          for (Slot s : slots.values()) {
            // lostNode too: a policy that read the slot as lost may have moved it already.
            boolean onNode = e.descriptor.name().equals(s.node)
                || e.descriptor.name().equals(s.lostNode);
            if (onNode && !e.lostApps.contains(s.app) && lostFor(e, s.app, now)) {
              e.lostApps.add(s.app);
              placementVersion.bump();
              DisconnectPolicy d = disconnect(s.app);
              lost.add("node " + e.descriptor.name() + " lost for app " + s.app + " after "
                  + lostAfterMillis(s.app) + " ms" + (d.replace()
                      ? ": its instances will be placed elsewhere"
                      : ": waiting for it (disconnect.replace=false)"));
            }
          }
        }
      }
    }
    for (String u : unreachable) {
      event("node", "node " + u);
    }
    for (String u : unreachableNodes) {
      observers.forEach(o -> o.unreachable(u, "no heartbeats for "
          + settings.missedHeartbeats() + " intervals"));
    }
    for (String l : lost) {
      event("node", l);
    }
    if (!unreachable.isEmpty() || !lost.isEmpty()) {
      sendInventory();
      engine.wakeAll("node failure");
    }
  }

  /** The app's disconnect policy (the defaults for an app this cluster does not know). */
  private DisconnectPolicy disconnect(String app) {
    AppDescriptor a = apps.get(app);
    return a == null ? DisconnectPolicy.DEFAULT : a.disconnectOrDefault();
  }

  private long lostAfterMillis(String app) {
    DisconnectPolicy d = disconnect(app);
    return (d.lostAfter() != null ? d.lostAfter() : settings.lostGrace()).toMillis();
  }

  /** Whether the app's instances on an unreachable node count as lost by now. */
  private boolean lostFor(NodeEntry n, String app, long now) {
    return !n.healthy && now - n.unhealthySince > lostAfterMillis(app);
  }

  /**
   * A node that was unreachable is back. Where one of its instances was replaced meanwhile and
   * both now run, the app's {@code disconnect.reconcile} picks the survivor; a replacement that
   * does not run yet never wins, so nothing stops before what replaces it is healthy.
   */
  private void healed(String node) {
    for (Slot s : slots.values()) {
      if (!node.equals(s.lostNode)) {
        continue;
      }
      Message.InstanceReport original = observed.get(s.lostInstanceId);
      boolean originalRuns = original != null && node.equals(original.node())
          && "RUNNING".equals(original.state());
      Message.InstanceReport replacement = observed.get(s.instanceId);
      boolean replacementRuns = replacement != null && Objects.equals(replacement.node(), s.node)
          && "RUNNING".equals(replacement.state());
      String keep;
      if (!originalRuns) {
        keep = "replacement";
      } else if (!replacementRuns) {
        keep = "original";
      } else {
        keep = switch (disconnect(s.app).reconcile()) {
          case KEEP_ORIGINAL -> "original";
          case KEEP_REPLACEMENT -> "replacement";
          case BEST_SCORE -> HealReconciler.originalScoresHigher(placer, new Views().system(),
              store, apps.get(s.app), s.component, node, s.node) ? "original" : "replacement";
        };
      }
      String replacementNode = s.node;
      String replacementId = s.instanceId;
      if (keep.equals("original")) {
        s.instanceId = s.lostInstanceId;
        s.node = node;
      }
      s.lostInstanceId = null;
      s.lostNode = null;
      state.putSlot(s.row());
      if (originalRuns) {
        String stopped = keep.equals("original") ? replacementId + " on " + replacementNode
            : original.instanceId() + " on " + node;
        String message = "node " + node + " healed: kept the " + keep + " of " + s.app + "/"
            + s.component + "#" + s.index + " (disconnect.reconcile="
            + disconnect(s.app).reconcile().wireName() + "), stopping " + stopped;
        env.workers().execute(() -> {
          event("instance", message);
          pushNode(replacementNode);
        });
      }
    }
  }

  // ---- placement mechanism ----

  CompletionStage<ApplyResult> deploy(Command c, String app, String component, int slotIndex,
      String node) {
    CompletableFuture<ApplyResult> done = new CompletableFuture<>();
    String instanceId;
    synchronized (this) {
      Optional<String> problem = checkTarget(app, component, node);
      if (problem.isPresent()) {
        return CompletableFuture.completedFuture(ApplyResult.failure(problem.get()));
      }
      String key = slotKey(app, component, slotIndex);
      Slot s = slots.get(key);
      if (s != null) {
        return CompletableFuture.completedFuture(
            ApplyResult.success(s.instanceId + " already placed on " + s.node));
      }
      String stale = placementVersion.admit(c);
      if (stale != null) {
        return CompletableFuture.completedFuture(ApplyResult.failure(stale));
      }
      placementVersion.committed(c);
      s = new Slot(app, component, slotIndex);
      s.instanceId = InstanceIds.of(app, component, slotIndex, 0);
      s.node = node;
      s.spec = specOf(app, component);
      state.putSlot(s.row());
      slots.put(key, s);
      instanceId = s.instanceId;
      waiters.put(instanceId, done);
    }
    pushNode(node);
    return timeout(done, instanceId, node);
  }

  CompletionStage<ApplyResult> move(Command c, String app, String component, int slotIndex,
      String to) {
    CompletableFuture<ApplyResult> started = new CompletableFuture<>();
    Replacement r;
    synchronized (this) {
      Optional<String> problem = checkTarget(app, component, to);
      if (problem.isPresent()) {
        return CompletableFuture.completedFuture(ApplyResult.failure(problem.get()));
      }
      Slot s = slots.get(slotKey(app, component, slotIndex));
      if (s == null) {
        return CompletableFuture.completedFuture(ApplyResult.failure(
            "no instance " + slotIndex + " of " + app + "/" + component + " to move"));
      }
      if (s.node.equals(to)) {
        return CompletableFuture.completedFuture(ApplyResult.success("already on " + to));
      }
      String stale = placementVersion.admit(c);
      if (stale != null) {
        return CompletableFuture.completedFuture(ApplyResult.failure(stale));
      }
      placementVersion.committed(c);
      r = beginReplacement(s, to, started);
    }
    return finishReplacement(r, started).thenApply(result -> result.isSuccess()
        ? ApplyResult.success("moved " + app + "/" + component + "#" + slotIndex + " from "
            + r.from() + (r.fromLost() ? " (lost)" : "") + " to " + to)
        : result);
  }

  /**
   * Changes a component's spec (the {@code change_spec} action): the change is recorded with the
   * cluster's state, so later instances and a restarted agent use it, then each instance (or the
   * one of {@code slotIndex}, when not negative) is replaced on its node, one at a time: the new
   * one starts, and the old one stops once the new one runs, so the component never has fewer
   * running instances than before. An instance whose node is unreachable keeps its spec until it
   * is placed again.
   */
  CompletionStage<ApplyResult> changeSpec(Command c, String app, String component, int slotIndex,
      SpecChange change) {
    SpecChange merged;
    synchronized (this) {
      AppDescriptor a = apps.get(app);
      Component base = a == null ? null : a.component(component).orElse(null);
      if (base == null) {
        return CompletableFuture.completedFuture(ApplyResult.failure(
            app + "/" + component + " is not assigned to cluster " + id()));
      }
      String stale = placementVersion.admit(c);
      if (stale != null) {
        return CompletableFuture.completedFuture(ApplyResult.failure(stale));
      }
      try {
        overrides.changeSpec(app, base, change);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.completedFuture(ApplyResult.failure(e.getMessage()));
      }
      state.putOverrides(app, component, overrides.row(app, component));
      appsVersion++;
      placementVersion.committed(c);
      merged = overrides.specChange(app, component, change.container());
    }
    publishApps(List.of(app));
    return roll(app, component, slotIndex, true, "spec of " + app + "/" + component + " ("
        + merged.describe() + ") changed");
  }

  /**
   * Replaces a component's instances (or the one of {@code slotIndex}, when not negative) on
   * their nodes with instances of its current spec (the {@code restart} action, and what a changed
   * descriptor from the continuum leads to), one at a time, each new one running before the old
   * one stops.
   *
   * @param outdatedOnly replace only instances started from an older spec than the component's
   */
  CompletionStage<ApplyResult> restart(String app, String component, int slotIndex,
      boolean outdatedOnly) {
    synchronized (this) {
      AppDescriptor a = apps.get(app);
      if (a == null || a.component(component).isEmpty()) {
        return CompletableFuture.completedFuture(ApplyResult.failure(
            app + "/" + component + " is not assigned to cluster " + id()));
      }
    }
    return roll(app, component, slotIndex, outdatedOnly, outdatedOnly
        ? "rollout of " + app + "/" + component + "'s new spec"
        : "restart of " + app + "/" + component);
  }

  private CompletionStage<ApplyResult> roll(String app, String component, int slotIndex,
      boolean outdatedOnly, String why) {
    List<Integer> targets;
    synchronized (this) {
      String current = specOf(app, component);
      targets = slots.values().stream()
          .filter(s -> s.app.equals(app) && s.component.equals(component))
          .filter(s -> slotIndex < 0 || s.index == slotIndex)
          .filter(s -> !outdatedOnly || isOutdated(s, current))
          .map(s -> s.index).sorted().toList();
    }
    List<String> done = new ArrayList<>();
    CompletionStage<ApplyResult> chain = CompletableFuture.completedFuture(ApplyResult.success(""));
    for (int index : targets) {
      chain = chain.thenCompose(prev -> !prev.isSuccess()
          ? CompletableFuture.completedFuture(prev)
          : respec(app, component, index, outdatedOnly).thenApply(r -> {
            if (r.isSuccess() && !r.reason().isEmpty()) {
              done.add(r.reason());
            }
            return r;
          }));
    }
    event("instance", why + "; replacing " + targets.size() + " instance(s) one at a time");
    return chain.thenApply(r -> r.isSuccess()
        ? ApplyResult.success(why + "; replaced "
            + (done.isEmpty() ? "nothing" : String.join(", ", done)))
        : new ApplyResult(r.outcome(), why + ", but " + r.reason()));
  }

  /** Replaces one slot's instance on its own node with one of the component's current spec. */
  private CompletionStage<ApplyResult> respec(String app, String component, int index,
      boolean outdatedOnly) {
    CompletableFuture<ApplyResult> started = new CompletableFuture<>();
    Replacement r;
    synchronized (this) {
      Slot s = slots.get(slotKey(app, component, index));
      NodeEntry n = s == null ? null : nodes.get(s.node);
      if (s == null || n == null || !n.healthy
          || outdatedOnly && !isOutdated(s, specOf(app, component))) {
        return CompletableFuture.completedFuture(ApplyResult.success(""));
      }
      r = beginReplacement(s, s.node, started);
    }
    return finishReplacement(r, started).thenApply(result -> result.isSuccess()
        ? ApplyResult.success(r.oldId() + " → " + r.newId() + " on " + r.to())
        : new ApplyResult(result.outcome(), result.reason() + "; " + r.oldId() + " kept on "
            + r.from()));
  }

  /** The {@link SpecHash} of the component as it is now (null when it is not here). */
  private String specOf(String app, String component) {
    AppDescriptor a = apps.get(app);
    return a == null ? null : overrides.effective(a).component(component).map(SpecHash::of)
        .orElse(null);
  }

  /** Started from another spec than {@code current}, and not in the middle of a replacement. */
  private static boolean isOutdated(Slot s, String current) {
    return s.spec != null && current != null && !s.spec.equals(current)
        && s.previousInstanceId == null;
  }

  /**
   * Replaces instances started from an older spec than their component's (after a new descriptor
   * from the continuum, or on start after a crash in the middle of a change), through a core
   * {@code placement restart outdated=true} plan per component, so it is serialised with the
   * component's other placement commands and recorded like them.
   */
  private void rollOutdated(java.util.function.Predicate<String> ofApp) {
    Map<String, String> plans = new LinkedHashMap<>();
    synchronized (this) {
      Map<String, String> current = new HashMap<>();
      for (Slot s : slots.values()) {
        String key = s.app + "/" + s.component;
        if (ofApp.test(s.app) && !plans.containsKey(key) && !rollouts.containsKey(key) && isOutdated(s,
            current.computeIfAbsent(key, k -> specOf(s.app, s.component)))) {
          // Named before it is submitted: a plan that finishes at once must find its entry.
          String id = "spec-rollout-" + java.util.UUID.randomUUID();
          rollouts.put(key, id);
          plans.put(key, id);
        }
      }
    }
    for (Map.Entry<String, String> p : plans.entrySet()) {
      String key = p.getKey();
      int cut = key.lastIndexOf('/');
      String app = key.substring(0, cut);
      String component = key.substring(cut + 1);
      scheduler.submit(new eu.mlsysops.agent.plan.PlanRequest(p.getValue(), "spec-rollout", app,
          true, eu.mlsysops.agent.Plan.of(
              Command.of(PlacementMechanism.NAME, "restart", "app", app, "component", component,
                  "outdated", "true"),
              "the spec of " + key + " changed; its instances are replaced one at a time",
              Map.of())));
    }
  }

  /** A slot's instance being replaced by its next generation. */
  private record Replacement(String app, String component, int slot, String from, String oldId,
      String to, String newId, boolean fromLost, String oldSpec) {}

  /**
   * Under the lock: the slot's next generation goes to {@code to}; the old instance stays in the
   * desired state until the new one runs (unless its node is lost).
   */
  private Replacement beginReplacement(Slot s, String to, CompletableFuture<ApplyResult> started) {
    String from = s.node;
    String oldId = s.instanceId;
    NodeEntry fromEntry = nodes.get(from);
    boolean fromLost = fromEntry == null || lostFor(fromEntry, s.app, env.clock().millis());
    s.generation++;
    String newId = InstanceIds.of(s.app, s.component, s.index, s.generation);
    s.previousInstanceId = fromLost ? null : oldId;
    s.previousNode = fromLost ? null : from;
    if (fromLost && fromEntry != null) {
      // The original may still run, cut off; on heal the disconnect policy decides.
      s.lostInstanceId = oldId;
      s.lostNode = from;
    }
    s.instanceId = newId;
    s.node = to;
    String previousSpec = s.spec;
    s.spec = specOf(s.app, s.component);
    state.putSlot(s.row());
    waiters.put(newId, started);
    replacing.add(newId);
    return new Replacement(s.app, s.component, s.index, from, oldId, to, newId, fromLost,
        previousSpec);
  }

  /**
   * Tells the nodes, waits for the new instance, then lets the old one go; if the new one did not
   * come up, the slot goes back to the old one (unless its node is lost).
   */
  private CompletionStage<ApplyResult> finishReplacement(Replacement r,
      CompletableFuture<ApplyResult> started) {
    pushNode(r.to());
    if (r.fromLost()) {
      pushNode(r.from());
    }
    return timeout(started, r.newId(), r.to()).thenApply(result -> {
      synchronized (this) {
        replacing.remove(r.newId());
        Slot s = slots.get(slotKey(r.app(), r.component(), r.slot()));
        placementVersion.bump();
        if (s != null && r.newId().equals(s.instanceId)) {
          if (result.isSuccess()) {
            s.previousInstanceId = null;
            s.previousNode = null;
          } else if (!r.fromLost()) {
            // The new instance did not come up: keep serving from the old one.
            s.instanceId = r.oldId();
            s.node = r.from();
            s.spec = r.oldSpec();
            s.previousInstanceId = null;
            s.previousNode = null;
          }
          state.putSlot(s.row());
        }
      }
      pushNode(r.from());
      if (!r.to().equals(r.from())) {
        pushNode(r.to());
      }
      return result;
    });
  }

  CompletionStage<ApplyResult> removeSlot(String app, String component, int slotIndex) {
    Slot s;
    synchronized (this) {
      s = slots.remove(slotKey(app, component, slotIndex));
      if (s != null) {
        state.removeSlot(app, component, slotIndex);
        placementVersion.bump();
      }
    }
    if (s == null) {
      return CompletableFuture.completedFuture(ApplyResult.success("nothing to remove"));
    }
    pushNode(s.node);
    if (s.previousNode != null) {
      pushNode(s.previousNode);
    }
    return CompletableFuture.completedFuture(ApplyResult.success("removed " + s.instanceId));
  }

  private Optional<String> checkTarget(String app, String component, String node) {
    AppDescriptor a = apps.get(app);
    if (a == null || a.component(component).isEmpty()) {
      return Optional.of(app + "/" + component + " is not assigned to cluster " + id());
    }
    NodeEntry n = nodes.get(node);
    if (n == null) {
      return Optional.of("node \"" + node + "\" is not in cluster " + id());
    }
    if (!n.healthy) {
      return Optional.of("node " + node + " is unreachable");
    }
    return Optional.empty();
  }

  private CompletionStage<ApplyResult> timeout(
      CompletableFuture<ApplyResult> f, String instanceId, String node) {
    long ms = settings.startTimeout().toMillis();
    env.timers().schedule(() -> {
      synchronized (this) {
        waiters.remove(instanceId, f);
      }
      f.complete(ApplyResult.retriable(instanceId + " did not start on " + node + " within "
          + ms + " ms"));
    }, ms, TimeUnit.MILLISECONDS);
    return f;
  }

  private static String slotKey(String app, String component, int slot) {
    return app + "/" + component + "/" + slot;
  }

  private void pushAllNodes() {
    List<String> names;
    synchronized (this) {
      names = new ArrayList<>(nodes.keySet());
    }
    names.forEach(this::pushNode);
  }

  /** Sends a node its complete desired state (level-triggered: no deltas to lose). */
  private void pushNode(String node) {
    Link link;
    Message.DesiredState ds;
    synchronized (this) {
      NodeEntry e = nodes.get(node);
      if (e == null || e.link == null) {
        return;
      }
      List<Message.InstanceAssignment> list = new ArrayList<>();
      Map<String, AppDescriptor> effective = new HashMap<>();
      for (Slot s : slots.values()) {
        if (!node.equals(s.node) && !node.equals(s.previousNode)) {
          continue;
        }
        AppDescriptor a = effective.computeIfAbsent(s.app,
            name -> apps.containsKey(name) ? overrides.effective(apps.get(name)) : null);
        Component c = a == null ? null : a.component(s.component).orElse(null);
        if (c == null) {
          continue;
        }
        if (node.equals(s.node)) {
          list.add(new Message.InstanceAssignment(s.app, s.instanceId, c));
        }
        if (node.equals(s.previousNode)) {
          list.add(new Message.InstanceAssignment(s.app, s.previousInstanceId, c));
        }
      }
      ds = new Message.DesiredState(id(), nextNodeEpoch(), list, List.of());
      link = e.link;
    }
    link.send(ds);
  }

  private void onPlan(PlanRecord r) {
    health.planFinished(r);
    requests.planChanged(r);
    if (r.status().isTerminal()) {
      boolean wasRollout;
      synchronized (this) {
        wasRollout = rollouts.values().remove(r.id());
      }
      if (wasRollout && running) {
        // An update that came while it ran may have left instances on a middle spec.
        String app = r.app();
        env.workers().execute(() -> rollOutdated(app::equals));
      }
    }
    if (r.status() == eu.mlsysops.agent.plan.PlanStatus.FAILED
        && r.reason().startsWith("stale plan")) {
      // Finished and out of the active plans now: its policy plans again from the new state.
      engine.wakeAll("stale plan " + r.id());
    }
    if (r.status().isTerminal()) {
      env.events().publish(new AgentEvent(r.updatedMillis(), id(), "plan", PlanText.describe(r)));
    }
  }

  private void event(String kind, String message) {
    env.events().publish(new AgentEvent(env.clock().millis(), id(), kind, message));
  }

  private final class Views implements ViewSource {
    @Override
    public List<eu.mlsysops.agent.PolicyView.Request> requests() {
      return requests.open();
    }

    @Override
    public List<AppDescriptor> apps() {
      synchronized (ClusterAgent.this) {
        return apps.values().stream().map(overrides::effective).toList();
      }
    }

    @Override
    public SystemView system() {
      synchronized (ClusterAgent.this) {
        Map<String, long[]> alloc = new HashMap<>();
        List<SystemView.InstancePlacement> placements = new ArrayList<>();
        for (Slot s : slots.values()) {
          Component c = apps.get(s.app).component(s.component).orElse(null);
          if (c == null) {
            continue;
          }
          Message.InstanceReport r = reportFor(s.instanceId, s);
          placements.add(new SystemView.InstancePlacement(
              s.app, s.component, s.instanceId, s.node, r.state()));
          addAlloc(alloc, s.node, c);
          if (s.previousNode != null) {
            addAlloc(alloc, s.previousNode, c);
          }
        }
        List<SystemView.NodeState> ns = new ArrayList<>();
        for (NodeEntry e : nodes.values()) {
          long[] a = alloc.getOrDefault(e.descriptor.name(), new long[2]);
          ns.add(new SystemView.NodeState(e.descriptor, e.healthy, a[0], a[1]));
        }
        return new SystemView(id(), ns, placements, List.of(), placementVersion.current());
      }
    }

    private void addAlloc(Map<String, long[]> alloc, String node, Component c) {
      long[] a = alloc.computeIfAbsent(node, k -> new long[2]);
      a[0] += c.cpuRequests().millis();
      a[1] += c.memoryRequests().longValue();
    }
  }

  private static final class NodeEntry {
    NodeDescriptor descriptor;
    Link link;
    long lastHeartbeat;
    long unhealthySince;
    boolean healthy = true;
    /** Apps whose instances on this node were declared lost since it became unreachable. */
    final java.util.Set<String> lostApps = new java.util.HashSet<>();

    NodeEntry(NodeDescriptor descriptor, Link link) {
      this.descriptor = descriptor;
      this.link = link;
    }
  }

  /** One replica of a component: where it runs, and during a move, where it ran. */
  private static final class Slot {
    final String app;
    final String component;
    final int index;
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

    Slot(String app, String component, int index) {
      this.app = app;
      this.component = component;
      this.index = index;
    }

    static Slot of(ClusterStore.SlotRow r) {
      Slot s = new Slot(r.app(), r.component(), r.index());
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
      return new ClusterStore.SlotRow(app, component, index, generation, instanceId, node,
          previousInstanceId, previousNode, lostInstanceId, lostNode, spec);
    }
  }
}
