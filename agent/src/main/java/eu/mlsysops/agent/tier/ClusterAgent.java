package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.core.AutoScalingPolicy;
import eu.mlsysops.agent.core.DynamicPlacementPolicy;
import eu.mlsysops.agent.core.QosModelScorer;
import eu.mlsysops.agent.core.QosRelocationPolicy;
import eu.mlsysops.agent.core.StaticPlacementPolicy;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.ViewSource;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.kernel.FailureDetector;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.ml.online.OnlineLogisticModel;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

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

  /** How often silent nodes are looked for: four times per heartbeat interval. */
  static Duration detectionTick(Settings settings) {
    return Duration.ofMillis(Math.max(1, settings.heartbeatInterval().toMillis() / 4));
  }

  /**
   * Failure-detection and timing settings.
   *
   * @param heartbeatInterval how often nodes send heartbeats (and clusters report up)
   * @param missedHeartbeats intervals of silence before a peer can be unreachable; a peer whose
   *     heartbeats arrive irregularly gets longer ({@link FailureDetector})
   * @param lostGrace how long an unreachable node's instances wait before they are lost
   * @param startTimeout how long a new instance may take to run
   */
  public record Settings(
      Duration heartbeatInterval, int missedHeartbeats, Duration lostGrace, Duration startTimeout) {
    /** 1 s heartbeats, 3 missed → unreachable, 2 s more → lost, 30 s to start an instance. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), 3, Duration.ofSeconds(2), Duration.ofSeconds(30));
    }
  }

  /** What readers on other threads see: the loop's state after its last turn that changed it. */
  private record Snapshot(SystemView system, List<AppDescriptor> apps,
      Map<String, AppDescriptor> byName, Map<String, Boolean> health, int placements) {}

  private final ClusterDescriptor descriptor;
  private final Link uplink;
  private final AgentEnvironment env;
  private final Settings settings;
  private final AgentKernel kernel;
  private final AgentLoop loop;
  private final ClusterTelemetry telemetry;
  private final PlanScheduler scheduler;
  private final PolicyEngine engine;
  private final Placer placer;
  private final ControlRelay relay;
  private final ForwardedRequests requests;
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
  private final NodeWatch watch;
  /** The epoch of the last desired state sent to a node; grows across restarts. */
  private long nodeEpoch;
  private long nodeEpochReserved;
  /** Something readers see changed since the last snapshot (besides the placement version). */
  private boolean changed = true;
  private long lastDetection;
  private long publishedVersion = -1;
  private volatile Snapshot snapshot;

  public ClusterAgent(
      ClusterDescriptor descriptor, Link uplink, AgentEnvironment env, Settings settings,
      Placer placer) {
    this.descriptor = Objects.requireNonNull(descriptor);
    this.uplink = Objects.requireNonNull(uplink);
    this.env = Objects.requireNonNull(env);
    this.settings = Objects.requireNonNull(settings);
    // What the ML-mode relocation learns about QoS on this cluster's nodes, shared by its apps,
    // also scores first placements in ML mode.
    Path qosModelFile = MlPolicies.qosModelFile(env.dataDir(), id());
    OnlineLogisticModel qosModel = MlPolicies.qosModel(qosModelFile);
    this.placer = Objects.requireNonNull(placer)
        .withScorer(new QosModelScorer(qosModel, this::mode), QOS_MODEL_WEIGHT);
    this.relay = new ControlRelay(id(), uplink);
    this.requests = new ForwardedRequests(id(), env.clock());
    this.telemetry = new ClusterTelemetry(id(), uplink, env.clock(), observers);
    this.kernel = new AgentKernel(id(), "cluster", env, telemetry.store(), new Views(),
        telemetry::dropped);
    this.loop = kernel.loop();
    this.scheduler = kernel.scheduler();
    this.engine = kernel.engine();
    this.disk = new ClusterStore(env.dataDir().resolve("cluster-" + id() + ".db"));
    this.members = new ClusterMembership(loop, new FailureDetector(settings.heartbeatInterval(),
        settings.missedHeartbeats(), detectionTick(settings), env.clock().millis(),
        System::nanoTime));
    this.apps = new AssignedApps(loop, disk, settings.lostGrace());
    this.crashLoops = new CrashLoops(loop);
    this.failures = new FailureAttribution(loop);
    this.slots = new InstanceSlots(id(), loop, disk, members, apps, unschedulable, version,
        crashLoops);
    loop.afterTurn(this::publishIfChanged);
    kernel.await(loop.call(() -> {
      restore();
      publishIfChanged(); // readers (policies, the API) must never find no snapshot
      return null;
    }), "restore its state");
    this.applier = new PlacementApplier(id(), loop, members, apps, slots, crashLoops, version,
        scheduler,
        env.timers(), env.clock(), settings.startTimeout(), new PlacementApplier.Effects() {
          @Override
          public void push(String node) {
            pushNode(node);
          }

          @Override
          public void event(String kind, String message) {
            ClusterAgent.this.event(kind, message);
          }

          @Override
          public void appChanged(String app) {
            publishApps(List.of(app));
          }
        });
    this.watch = new NodeWatch(members, slots, apps, version, observers,
        settings.missedHeartbeats(), new NodeWatch.Effects() {
          @Override
          public void event(String kind, String message) {
            ClusterAgent.this.event(kind, message);
          }

          @Override
          public void back(String node, Link link, boolean recovered, boolean reattached) {
            nodeBack(node, link, recovered, reattached);
          }
        });
    scheduler.register(new PlacementMechanism(applier, () -> snapshot().placements()));
    scheduler.onTransition(this::onPlan);
    engine.add(StaticPlacementPolicy::new, "built-in");
    Placer scored = this.placer;
    engine.add(() -> new DynamicPlacementPolicy(scored,
        (app, byInstance) -> loop.execute(() -> onUnschedulable(app, byInstance))), "built-in");
    engine.add(() -> new AutoScalingPolicy(AutoScalingPolicy.Settings.defaults()), "built-in");
    engine.add(() -> new QosRelocationPolicy(scored), "built-in");
    engine.add(() -> MlPolicies.qosRelocation(scored, qosModel, qosModelFile), "built-in");
    uplink.onReceive(m -> loop.execute(() -> onParentMessage(m)));
    uplink.onConnectionChange(up -> loop.execute(() -> {
      if (up && running) {
        registerUp();
      }
    }));
    engine.onTelemetryDemandChange(this::policiesDemandChanged);
    policiesDemandChanged();
    telemetry.childDemand().onChange(d -> loop.execute(this::tellNodes));
  }

  /**
   * Reloads what the agent had accepted before a restart. Restored nodes count as alive from now
   * on: they have the usual detection period to show up (by heartbeat or registration) before
   * their instances are treated as unreachable.
   */
  private void restore() {
    long now = env.clock().millis();
    disk.nodes().forEach(n -> members.restore(n, now));
    slots.restore();
    // A fresh store starts at the wall clock, so a cluster that lost its disk still outranks
    // epochs an earlier incarnation handed out (it sends far fewer than one per millisecond).
    nodeEpoch = Math.max(disk.meta("node_epoch_reserved", 0), now);
    nodeEpochReserved = nodeEpoch + ClusterStore.EPOCH_BLOCK;
    disk.setMeta("node_epoch_reserved", nodeEpochReserved);
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

  /** How often this cluster sends telemetry to the continuum now. */
  public Duration exportInterval() {
    return telemetry.exportInterval();
  }

  /**
   * Replaces what this cluster sends up (empty: the cluster defaults). What the old rules
   * aggregated so far is sent at once.
   */
  public void setUplinkRules(List<AggregationRule> rules) {
    telemetry.setUplinkRules(rules);
  }

  /**
   * A figure of the cluster's own about one of its nodes (e.g. its trust): kept in the cluster's
   * telemetry and sent up like the nodes' own, per the uplink rules.
   */
  public void recordOwn(Sample s) {
    telemetry.recordOwn(s);
  }

  /** Declares the type of a metric recorded with {@link #recordOwn}. */
  public void describeOwn(String metric, MetricMetadata metadata) {
    telemetry.describeOwn(metric, metadata);
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
    return snapshot().health();
  }

  /** An app's descriptor as this cluster runs it (with its stored spec changes), if assigned. */
  public Optional<AppDescriptor> appDescriptor(String name) {
    return Optional.ofNullable(snapshot().byName().get(name));
  }

  int placementCount() {
    return snapshot().placements();
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
        publishApps(apps.names());
        registerUp();
        // After a crash in the middle of a spec change: finish it (nodes re-register meanwhile).
        applier.rollOutdated(app -> true);
        return null;
      }), "start");
      long hb = settings.heartbeatInterval().toMillis();
      kernel.every(detectionTick(settings).toMillis(), this::detectFailures);
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
    requests.forget(node);
    return kernel.await(loop.call(() -> {
      if (members.remove(node) == null) {
        return false;
      }
      disk.removeNode(node);
      version.bump();
      slots.forgetNode(node);
      failures.forget(node);
      event("node", "node " + node + " unregistered");
      observers.forEach(o -> o.forgotten(node));
      sendInventory();
      wake("node " + node + " unregistered");
      return true;
    }), "forget node " + node);
  }

  // ---- the loop's events ----

  private void onParentMessage(Message m) {
    if (m instanceof Message.Control c) {
      relay.fromParent(c, members::links);
    } else if (m instanceof Message.TelemetryDemand d) {
      telemetry.parentDemand(Duration.ofMillis(d.intervalMillis()));
    } else if (m instanceof Message.DesiredState ds) {
      desiredState(ds);
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
    publishApps(apps.names());
    members.names().forEach(this::pushNode);
    // Only a changed descriptor can outdate instances (digests cost a hash per component).
    if (!change.changed().isEmpty()) {
      applier.rollOutdated(change.changed()::contains);
    }
  }

  private void onNodeMessage(Link link, Message m) {
    if (!running || relay.fromNode(m)) {
      return;
    }
    if (m instanceof Message.TelemetryBatch tb) {
      telemetry.fromNode(tb); // off the loop: ingest never waits behind a placement
    } else if (m instanceof Message.Heartbeat h) {
      // Noted with its arrival time; the next detection tick takes them all at once (thousands
      // of nodes need no event each, and a busy loop does not make a heartbeat look late).
      watch.arrived(h.from(), link, env.clock().millis());
      if (snapshot().health().containsKey(h.from())) {
        observers.forEach(o -> o.heartbeat(h.from())); // trust judges arrival times too
      }
    } else if (m instanceof Message.PlanForward f) {
      if (requests.add(f, link)) {
        event("request", "node " + f.from() + " asks for " + f.mechanism() + " " + f.action()
            + " " + new TreeMap<>(f.args())
            + (f.explanation() == null ? "" : ": " + f.explanation()));
        engine.wakeAll("request from " + f.from());
      }
    } else {
      loop.execute(() -> {
        if (!running) {
          return;
        }
        if (m instanceof Message.Register r && r.node() != null) {
          registered(r, link);
        } else if (m instanceof Message.StatusReport sr) {
          status(sr);
        }
      });
    }
  }

  private void registered(Message.Register r, Link link) {
    watch.registered(r.from());
    ClusterMembership.Registration reg =
        members.register(r.node(), link, env.clock().millis());
    if (reg.descriptorChanged()) {
      disk.putNode(r.node());
    }
    version.bump();
    for (Message.InstanceReport ir : r.running()) {
      Message.InstanceReport prev = slots.observe(ir);
      // A registration may be the first word of a replacement's new instance after a restart of
      // this agent: later reports then look unchanged.
      if (prev == null || !prev.state().equals(ir.state())) {
        follow(slots.finishOrphanedReplacement(ir));
      }
    }
    healed(r.from());
    observers.forEach(o -> o.registered(r.from(), r.node(), id()));
    event("node", reg.isNew() ? "node " + r.from() + " joined ("
        + r.node().continuumLayer().wireName() + ")"
        : reg.recovered() ? "node " + r.from() + " is back" : "node " + r.from() + " re-registered");
    pushNode(r.from());
    link.send(new Message.TelemetryDemand(id(), nodeExportInterval().toMillis()));
    relay.nodeRegistered(link);
    sendInventory();
    wake("node " + r.from());
  }

  /** A node is healthy again, or reattached after this agent restarted (its heartbeats say). */
  private void nodeBack(String node, Link link, boolean recovered, boolean reattached) {
    if (recovered) {
      healed(node);
    }
    event("node", "node " + node + (recovered ? " is back" : " reattached"));
    // The continuum places by node health too: tell it, or it keeps avoiding this node.
    sendInventory();
    pushNode(node);
    if (reattached) {
      link.send(new Message.TelemetryDemand(id(), nodeExportInterval().toMillis()));
    }
    wake("node " + node);
  }

  private void status(Message.StatusReport sr) {
    List<Message.InstanceReport> changedReports = new ArrayList<>();
    for (Message.InstanceReport r : sr.instances()) {
      Message.InstanceReport prev = slots.observe(r);
      boolean stateChanged = prev == null || !prev.state().equals(r.state());
      if (stateChanged) {
        changedReports.add(r);
        changed = true;
      }
      if (!applier.reported(r) && stateChanged) {
        follow(slots.finishOrphanedReplacement(r));
      }
    }
    long now = env.clock().millis();
    for (Message.InstanceReport r : changedReports) {
      if ("RUNNING".equals(r.state()) || "FAILED".equals(r.state())) {
        event("instance", r.instanceId() + " " + r.state().toLowerCase() + " on " + r.node()
            + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")"));
      }
      // Any generation: a replacement that failed put the slot back on the instance before it.
      InstanceSlots.Slot slot = slots.of(r);
      if ("RUNNING".equals(r.state()) && slot != null) {
        crashLoops.running(slot.key, now);
      } else if ("FAILED".equals(r.state())) {
        failed(r, slot, now);
      }
    }
    if (!changedReports.isEmpty()) {
      uplink.send(new Message.StatusReport(id(), changedReports, false));
      publishIfChanged();
      for (String app : changedReports.stream().map(Message.InstanceReport::app).distinct()
          .toList()) {
        engine.wakeAll("instance status of " + app, app);
      }
    }
  }

  /**
   * An instance failed: the app's fault unless other apps failed on that node too (then the
   * node's trust hears of it); the slot backs off before it is placed again, or gives up.
   */
  private void failed(Message.InstanceReport r, InstanceSlots.Slot slot, long now) {
    if (failures.nodeAtFault(r.node(), r.app(), now)) {
      observers.forEach(o -> o.instanceFailed(r.node(), r.instanceId(), r.reason()));
    }
    if (slot == null) {
      return;
    }
    changed = true;
    String where = r.app() + "/" + r.component() + "#" + slot.index();
    if (!r.instanceId().equals(slot.instanceId)
        && "RUNNING".equals(slots.report(slot.instanceId, slot, now).state())) {
      // A replacement failed and the slot kept its running instance: the new spec's fault.
      CrashLoops.Loop l = crashLoops.rolloutFailed(slot.key,
          apps.specOf(slot.app(), slot.component()), r.reason(), now);
      event("instance", where + ": its new spec " + l.describe(now).replace("placed again",
          "rolled out again") + "; " + slot.instanceId + " keeps running");
      return;
    }
    CrashLoops.Loop l = crashLoops.failed(slot.key, r.reason(), now);
    event("instance", where + ": " + l.describe(now));
  }

  /** The placement policy's latest word on what it cannot place; reported up as it changes. */
  private void onUnschedulable(String app, Map<String, String> byInstance) {
    if (!apps.has(app) || !unschedulable.update(app, byInstance)) {
      return;
    }
    changed = true;
    List<Message.InstanceReport> reports =
        unschedulable.reports(app, slots::has, env.clock().millis());
    if (!reports.isEmpty()) {
      uplink.send(new Message.StatusReport(id(), reports, false));
    }
  }

  private void detectFailures() {
    if (!running) {
      return;
    }
    requests.expire();
    if (watch.tick(env.clock()::millis)) {
      sendInventory();
      wake("node failure");
    }
    long now = env.clock().millis();
    if (crashLoops.retriesDue(lastDetection, now)) {
      changed = true; // back-offs that ended: those slots are failed instances to move again
      applier.rollOutdated(app -> true); // or outdated ones to roll out again
      wake("back-off ended");
    }
    lastDetection = now;
  }

  private void reportUp() {
    if (running) {
      uplink.send(new Message.StatusReport(id(), slots.fullReport(env.clock().millis()), true));
    }
  }

  private void onPlan(PlanRecord r) {
    requests.planChanged(r);
    if (r.status().isTerminal()) {
      String app = r.app();
      loop.execute(() -> {
        if (applier.rolloutFinished(r.id()) && running) {
          // An update that came while it ran may have left instances on a middle spec.
          applier.rollOutdated(app::equals);
        }
      });
    }
    if ((r.status() == PlanStatus.DISCARDED || r.status() == PlanStatus.FAILED)
        && r.reason().startsWith("stale plan")) {
      // Finished and out of the active plans now: its policy plans again from the new state.
      // After the snapshot of this turn is published: woken now, it would plan on the old one.
      loop.execute(() -> wake("stale plan " + r.id()));
    }
  }

  // ---- on the loop: what events share ----

  private void healed(String node) {
    slots.healed(node, placer, telemetry.store(), env.clock().millis()).forEach(this::follow);
  }

  private void follow(InstanceSlots.Followup f) {
    if (f != null) {
      event("instance", f.message());
      pushNode(f.pushNode());
    }
  }

  /** Hands the policies the effective descriptors of {@code names}. */
  private void publishApps(List<String> names) {
    changed = true;
    publishIfChanged(); // before the engine wakes policies that read it
    for (String n : names) {
      AppDescriptor a = apps.effective(n);
      if (a != null) {
        engine.appAdded(a);
      }
    }
  }

  /** Wakes every policy, once they can read what changed. */
  private void wake(String why) {
    publishIfChanged();
    engine.wakeAll(why);
  }

  private void publishIfChanged() {
    if (!changed && publishedVersion == version.current()) {
      return;
    }
    changed = false;
    publishedVersion = version.current();
    List<AppDescriptor> effective = apps.effective();
    snapshot = new Snapshot(slots.view(env.clock().millis()), effective,
        effective.stream().collect(Collectors.toUnmodifiableMap(AppDescriptor::name, a -> a)),
        Map.copyOf(members.health()), slots.size());
  }

  private Snapshot snapshot() {
    return snapshot;
  }

  private void registerUp() {
    uplink.send(new Message.Register(id(), Message.Tier.CLUSTER, null, descriptor, List.of()));
    sendInventory();
  }

  /**
   * Tells the continuum which nodes this cluster has and which are unhealthy: a full snapshot,
   * the newest wins (sent in order, from the loop).
   */
  private void sendInventory() {
    uplink.send(new Message.Inventory(id(), members.inventory(), members.unhealthy()));
  }

  private void tellNodes() {
    Message demand = new Message.TelemetryDemand(id(), nodeExportInterval().toMillis());
    members.links().forEach(l -> l.send(demand));
  }

  private void policiesDemandChanged() {
    engine.telemetryDemand().ifPresentOrElse(
        d -> telemetry.childDemand().request("policies", d),
        () -> telemetry.childDemand().withdraw("policies"));
  }

  /** Sends a node its complete desired state (level-triggered: no deltas to lose). */
  private void pushNode(String node) {
    ClusterMembership.Member m = members.get(node);
    if (m == null || m.link() == null) {
      return;
    }
    m.link().send(new Message.DesiredState(id(), nextNodeEpoch(), slots.assignments(node),
        List.of()));
  }

  private long nextNodeEpoch() {
    nodeEpoch++;
    if (nodeEpoch >= nodeEpochReserved) {
      nodeEpochReserved = nodeEpoch + ClusterStore.EPOCH_BLOCK;
      disk.setMeta("node_epoch_reserved", nodeEpochReserved);
    }
    return nodeEpoch;
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
      return snapshot().apps();
    }

    @Override
    public SystemView system() {
      return snapshot().system();
    }
  }
}
