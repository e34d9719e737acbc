package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.core.QosModelScorer;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.ViewSource;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.kernel.FailureDetector;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Coordinates the nodes of one cluster: tracks their health from heartbeats, aggregates their
 * telemetry, and places the components the continuum assigned to it onto nodes (placement
 * policies plan, the {@code placement} mechanism acts). A node that misses heartbeats is marked
 * unreachable; after a grace period its instances are lost and placed elsewhere.
 *
 * <p>Its state (membership, assigned apps, instance slots, the placement applier) is owned by its
 * {@link AgentLoop}: link messages, timer ticks, placement commands and plan results are events
 * there. Policies and other threads read a snapshot the loop publishes after each turn that
 * changed something. Telemetry stays off the loop ({@link ClusterTelemetry}).
 */
public final class ClusterAgent implements AutoCloseable {
  /** How often telemetry goes up when nobody asks for it more often. */
  static final Duration DEFAULT_EXPORT_INTERVAL = ClusterTelemetry.DEFAULT_EXPORT_INTERVAL;
  /** The shortest export interval granted, whatever a policy asks. */
  static final Duration MIN_EXPORT_INTERVAL = ClusterTelemetry.MIN_EXPORT_INTERVAL;
  /**
   * The weight of the learned QoS scorer in ML mode, that of {@code least_allocated}: it decides
   * between nodes the other scorers find alike, and outweighs them where the model is sure.
   */
  static final double QOS_MODEL_WEIGHT = 1.0;

  private final ClusterDescriptor descriptor;
  private final Link uplink;
  private final AgentEnvironment env;
  private final ClusterSettings settings;
  private final AgentKernel kernel;
  private final AgentLoop loop;
  private final ClusterTelemetry telemetry;
  private final PlanScheduler scheduler;
  private final PolicyEngine engine;
  private final Placer placer;
  private final ControlRelay relay;
  private final ForwardedRequests requests;
  private final SeriesQueries series;
  /** A node registered over a link to another process (its telemetry is asked there). */
  private volatile boolean remoteNodes;
  private final List<NodeObserver> observers = new CopyOnWriteArrayList<>();
  private final Object lifecycle = new Object();
  private volatile boolean running;

  // Owned by the loop.
  /** Desired state, slots, nodes and epochs on disk: what a restart comes back to. */
  private final ClusterStore disk;
  private final PlacementVersion version = new PlacementVersion();
  private final UnschedulableInstances unschedulable = new UnschedulableInstances();
  private final ClusterMembership members;
  private final AssignedApps apps;
  private final InstanceSlots slots;
  private final CrashLoops crashLoops;
  private final FailureAttribution failures;
  private final PlacementApplier applier;
  private final InstanceReports reports;
  private final ClusterNodes nodes;
  private final NodeWatch watch;
  private final ClusterView view;
  private final ClusterReactions reactions;
  private long lastDetection;

  public ClusterAgent(
      ClusterDescriptor descriptor, Link uplink, AgentEnvironment env, ClusterSettings settings,
      Placer placer) {
    this.descriptor = Objects.requireNonNull(descriptor);
    this.uplink = Objects.requireNonNull(uplink);
    this.env = Objects.requireNonNull(env);
    this.settings = Objects.requireNonNull(settings);
    // What the ML-mode relocation learns about QoS on this cluster's nodes, shared by its apps,
    // also scores first placements in ML mode.
    BuiltInPolicies.QosModel qos = BuiltInPolicies.qosModel(env.dataDir(), id());
    this.placer = Objects.requireNonNull(placer)
        .withScorer(new QosModelScorer(qos.model(), this::mode), QOS_MODEL_WEIGHT);
    this.series = new SeriesQueries(id());
    this.telemetry = new ClusterTelemetry(id(), uplink, env.clock(), observers,
        env.staleAfterIntervals());
    this.kernel = new AgentKernel(id(), "cluster", env, telemetry.store(), new Views(),
        telemetry::dropped);
    this.loop = kernel.loop();
    this.relay = new ControlRelay(id(), uplink, loop);
    this.requests = new ForwardedRequests(id(), env.clock(), loop);
    this.scheduler = kernel.scheduler();
    this.engine = kernel.engine();
    this.disk = new ClusterStore(env.dataDir().resolve("cluster-" + id() + ".db"));
    this.members = new ClusterMembership(loop, new FailureDetector(settings.heartbeatInterval(),
        settings.missedHeartbeats(), settings.detectionTick(), env.clock().millis(),
        System::nanoTime));
    this.apps = new AssignedApps(loop, disk, settings.lostGrace());
    this.crashLoops = new CrashLoops(loop);
    this.failures = new FailureAttribution(loop);
    this.slots = new InstanceSlots(id(), loop, disk, members, apps, unschedulable, version,
        crashLoops);
    this.view = new ClusterView(loop, slots, apps, members, version, env.clock());
    // One set of reactions for every part; they reach parts made further down, so none may be
    // called before the constructor ends (restoring calls none).
    this.reactions = new ClusterReactions(kernel, view, apps, slots, observers, telemetry.store(),
        this.placer, env.clock());
    this.nodes = new ClusterNodes(id(), loop, disk, members, slots, version, observers, relay,
        uplink, this::nodeExportInterval, env.clock()::millis, reactions);
    loop.afterTurn(view::publishIfChanged);
    kernel.await(loop.call(() -> {
      nodes.restore();
      slots.restore();
      view.publishIfChanged(); // readers (policies, the API) must never find no snapshot
      return null;
    }), "restore its state");
    this.applier = new PlacementApplier(id(), loop, members, apps, slots, crashLoops, version,
        scheduler, env.timers(), env.clock(), settings.startTimeout(), reactions);
    this.reports = new InstanceReports(id(), loop, slots, applier, crashLoops, failures, apps,
        unschedulable, uplink, env.clock()::millis, reactions);
    this.watch = new NodeWatch(members, slots, apps, version, observers,
        settings.missedHeartbeats(), reactions);
    reactions.wire(nodes, reports);
    scheduler.register(new PlacementMechanism(applier, () -> view.placements()));
    scheduler.onTransition(this::onPlan);
    BuiltInPolicies.addClusterPolicies(engine, this.placer, qos,
        (app, byInstance) -> loop.execute(() -> reports.unschedulable(app, byInstance)));
    uplink.onReceive(m -> loop.execute(() -> onParentMessage(m)));
    uplink.onConnectionChange(up -> loop.execute(() -> {
      if (up && running) {
        registerUp();
      }
    }));
    engine.onTelemetryDemandChange(this::policiesDemandChanged);
    policiesDemandChanged();
    telemetry.childDemand().onChange(d -> loop.execute(nodes::tellExportInterval));
  }

  /** The cluster id. */
  public String id() {
    return descriptor.clusterId();
  }

  /** The cluster's aggregated telemetry. */
  public MetricStore telemetry() {
    return telemetry.store();
  }

  public PlanScheduler scheduler() {
    return scheduler;
  }

  public PolicyEngine engine() {
    return engine;
  }

  /** How often this cluster's nodes are asked to export telemetry now. */
  public Duration nodeExportInterval() {
    return telemetry.childDemand().current();
  }

  /**
   * Replaces what this cluster sends up (empty: the cluster defaults). What the old rules
   * aggregated so far is sent at once.
   */
  public void setUplinkRules(List<AggregationRule> rules) {
    telemetry.setUplinkRules(rules);
  }

  /**
   * The series of this cluster's nodes whose agents run in other processes (those in this process
   * are read directly), asked of them and answered as one.
   */
  public CompletableFuture<Message.SeriesAnswer> remoteNodeSeries(Message.SeriesQuery query) {
    if (!remoteNodes) { // every node's store is in this process: nothing to ask
      return CompletableFuture.completedFuture(new Message.SeriesAnswer(id(), query.queryId(),
          List.of(), List.of(), List.of(), null));
    }
    return loop.call(members::remoteLinks).thenCompose(links -> series.relay(query, links));
  }

  /** Whether a node of this cluster runs in another process. */
  public boolean hasRemoteNodes() {
    return remoteNodes;
  }

  /**
   * The cluster's telemetry pipeline: what it sends up (uplink rules) and its own figures about
   * its nodes (e.g. their trust), kept and sent up like the nodes' own.
   */
  ClusterTelemetry pipeline() {
    return telemetry;
  }

  /** Adds an observer of the nodes' registrations, heartbeats, failures and telemetry. */
  public void observeNodes(NodeObserver observer) {
    observers.add(Objects.requireNonNull(observer, "observer"));
  }

  /** Accepts a link from a node agent; the node identifies itself by registering. */
  public void attach(Link nodeLink) {
    nodeLink.onReceive(m -> onNodeMessage(nodeLink, m));
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
   * Serves the models the continuum sends here and hands them on to this cluster's nodes (an agent
   * in its own process; in one process every agent reads the continuum's registry directly).
   */
  public void useModels(ModelReplica replica) {
    this.models = Objects.requireNonNull(replica);
  }

  private volatile ModelReplica models;

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

  /** Names and health of the nodes that registered (as of the loop's last turn). */
  public Map<String, Boolean> nodeHealth() {
    return view.health();
  }

  /** An app's descriptor as this cluster runs it (with its stored spec changes), if assigned. */
  public Optional<AppDescriptor> appDescriptor(String name) {
    return Optional.ofNullable(view.app(name));
  }

  int placementCount() {
    return view.placements();
  }

  public void start() {
    synchronized (lifecycle) {
      if (running) {
        return;
      }
      running = true;
      kernel.start(settings.heartbeatInterval().toMillis(), NodeAgent.HEALTH_INTERVAL_MILLIS,
          true);
      kernel.await(loop.call(() -> {
        reactions.publishApps(apps.names());
        registerUp();
        // After a crash in the middle of a spec change: finish it (nodes re-register meanwhile).
        applier.rollOutdated(app -> true);
        return null;
      }), "start");
      long hb = settings.heartbeatInterval().toMillis();
      kernel.every(settings.detectionTick().toMillis(), this::detectFailures);
      kernel.every(hb, this::reportUp);
      telemetry.start(env.timers());
    }
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      running = false;
      telemetry.close();
      kernel.close(disk::close); // events queued before see running false and leave it alone
    }
  }

  /**
   * Forgets a node that was unregistered: it leaves the inventory and its instances are placed
   * elsewhere at once (no grace period: the administrator said it is gone).
   */
  public boolean forget(String node) {
    return kernel.await(loop.call(() -> {
      requests.forget(node);
      failures.forget(node);
      return nodes.forget(node);
    }), "forget node " + node);
  }

  // ---- the loop's events ----

  private void onParentMessage(Message m) {
    if (m instanceof Message.Control c) {
      relay.fromParent(c, members::links);
    } else if (m instanceof Message.ModelSet || m instanceof Message.ModelChunk) {
      ModelReplica r = models;
      if (r != null) {
        r.fromParent(m, members::links);
      }
    } else if (m instanceof Message.TelemetryDemand d) {
      telemetry.parentDemand(Duration.ofMillis(d.intervalMillis()));
    } else if (m instanceof Message.DesiredState ds) {
      desiredState(ds);
    } else if (m instanceof Message.SeriesQuery q) {
      if (q.tier() == Message.Tier.CLUSTER) { // a scan: off the loop (the store is thread-safe)
        env.workers().execute(() -> uplink.send(SeriesQueries.answer(id(), q, telemetry())));
      } else {
        remoteNodeSeries(q).thenAccept(uplink::send);
      }
    }
  }

  private void desiredState(Message.DesiredState ds) {
    loop.checkInLoop();
    if (apps.isOlder(ds.epoch())) {
      return;
    }
    Map<String, AppDescriptor> next = AssignedApps.index(ds.apps());
    AssignedApps.Change change = apps.accept(ds.epoch(), ds.apps(), slots.dropped(next));
    unschedulable.retain(next.keySet());
    version.bump();
    // Slots of components no longer assigned here go away with the next desired state.
    slots.retain(next);
    java.util.Set<String> touched = new java.util.HashSet<>(change.changed());
    touched.addAll(change.removed());
    crashLoops.forgetApps(touched); // a new descriptor may fix what kept failing
    for (String r : change.removed()) {
      engine.appRemoved(r);
      scheduler.cancelApp(r, "app " + r + " was removed");
      applier.appRemoved(r);
      event("app", "app " + r + " removed from this cluster");
    }
    reactions.publishApps(apps.names());
    members.names().forEach(nodes::push);
    // Only a changed descriptor can outdate instances (digests cost a hash per component).
    if (!change.changed().isEmpty()) {
      applier.rollOutdated(change.changed()::contains);
    }
  }

  private void onNodeMessage(Link link, Message m) {
    if (!running || relay.fromNode(m)
        || (m instanceof Message.SeriesAnswer a && series.answered(a))) {
      return;
    }
    if (m instanceof Message.ModelWant w) {
      ModelReplica r = models;
      if (r != null) {
        r.fromChild(link, w); // off the loop: files are read and sent here
      }
    } else if (m instanceof Message.TelemetryBatch tb) {
      telemetry.fromNode(tb); // off the loop: ingest never waits behind a placement
    } else if (m instanceof Message.Heartbeat h) {
      // Noted with its arrival time; the next detection tick takes them all at once (thousands
      // of nodes need no event each, and a busy loop does not make a heartbeat look late).
      watch.arrived(h.from(), link, env.clock().millis());
      if (view.health().containsKey(h.from())) {
        observers.forEach(o -> o.heartbeat(h.from())); // trust judges arrival times too
      }
    } else if (m instanceof Message.PlanForward f) {
      loop.execute(() -> {
        if (requests.add(f, link)) {
          event("request", "node " + f.from() + " asks for " + f.mechanism() + " " + f.action()
              + " " + new TreeMap<>(f.args())
              + (f.explanation() == null ? "" : ": " + f.explanation()));
          engine.wakeAll("request from " + f.from());
        }
      });
    } else {
      loop.execute(() -> {
        if (!running) {
          return;
        }
        if (m instanceof Message.Register r && r.node() != null) {
          remoteNodes |= link.crossesProcess();
          watch.registered(r.from());
          nodes.registered(r, link, reports::registeredWith);
          ModelReplica replica = models;
          if (replica != null) {
            replica.registered(link);
          }
        } else if (m instanceof Message.StatusReport sr) {
          reports.status(sr);
        }
      });
    }
  }

  private void detectFailures() {
    if (!running) {
      return;
    }
    requests.expire();
    if (watch.tick(env.clock()::millis)) {
      nodes.sendInventory();
      reactions.wake("node failure");
    }
    long now = env.clock().millis();
    if (crashLoops.retriesDue(lastDetection, now)) {
      view.changed(); // back-offs that ended: those slots are failed instances to move again
      applier.rollOutdated(app -> true); // or outdated ones to roll out again
      reactions.wake("back-off ended");
    }
    lastDetection = now;
  }

  private void reportUp() {
    if (running) {
      uplink.send(new Message.StatusReport(id(), slots.fullReport(env.clock().millis()), true));
    }
  }

  private void onPlan(PlanRecord r) {
    loop.execute(() -> requests.planChanged(r));
    if (r.status().isTerminal()) {
      String app = r.app();
      loop.execute(() -> {
        if (applier.rolloutFinished(r.id()) && running) {
          // An update that came while it ran may have left instances on a middle spec.
          applier.rollOutdated(app::equals);
        }
      });
    }
    if (PlacementVersion.refusedAsStale(r)) {
      // Finished and out of the active plans now: its policy plans again from the new state.
      // After the snapshot of this turn is published: woken now, it would plan on the old one.
      loop.execute(() -> reactions.wake("stale plan " + r.id()));
    }
  }

  private void registerUp() {
    uplink.send(new Message.Register(id(), Message.Tier.CLUSTER, null, descriptor, List.of()));
    nodes.sendInventory();
  }

  private void policiesDemandChanged() {
    engine.telemetryDemand().ifPresentOrElse(
        d -> telemetry.childDemand().request("policies", d),
        () -> telemetry.childDemand().withdraw("policies"));
  }

  /** The engine's mode; heuristic while the constructor has not made the engine yet. */
  private PolicyContext.Mode mode() {
    PolicyEngine e = engine;
    return e == null ? PolicyContext.Mode.HEURISTIC : e.mode();
  }

  private void event(String kind, String message) {
    kernel.event(kind, message);
  }

  /** What policies read: the snapshot, and the nodes' open requests. */
  private final class Views implements ViewSource {
    @Override
    public List<PolicyView.Request> requests() {
      return requests.open();
    }

    @Override
    public List<AppDescriptor> apps() {
      return view.apps();
    }

    @Override
    public SystemView system() {
      return view.system();
    }
  }
}
