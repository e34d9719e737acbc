package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.core.ClusterPlacementPolicy;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.ViewSource;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.kernel.FailureDetector;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ContinuumDescriptor;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.pipeline.NegotiatedInterval;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The top of the hierarchy: accepts apps (persisted before they are acknowledged), assigns their
 * components to clusters, and keeps the whole continuum's status from what clusters report.
 *
 * <p>Its state (apps, assignments, instance reports, clusters) is owned by its {@link AgentLoop}:
 * API calls, cluster messages, timer ticks and placement commands are events there. Readers get a
 * {@link ContinuumSnapshot} the loop publishes after each turn that changed something; a call that
 * changes state publishes before it answers, so its caller reads its own write. Telemetry stays
 * off the loop.
 */
public final class ContinuumAgent implements AutoCloseable {
  private final ContinuumDescriptor descriptor;
  private final AgentEnvironment env;
  private final AgentKernel kernel;
  private final AgentLoop loop;
  private final MetricStore telemetry;
  private final PlanScheduler scheduler;
  private final PolicyEngine engine;
  private final ClusterSettings failureDetection;
  private final Placer placer;
  private final ChildTelemetry fromClusters;
  /** When each cluster was last heard from since the last detection tick. */
  private final Map<String, Long> heard = new ConcurrentHashMap<>();
  /** How often clusters export telemetry here: what the continuum's policies ask for. */
  private final NegotiatedInterval clusterDemand = new NegotiatedInterval(
      ClusterAgent.DEFAULT_EXPORT_INTERVAL, ClusterAgent.MIN_EXPORT_INTERVAL);
  private volatile Consumer<Message> fromBelow = m -> {};
  private final SeriesQueries series;
  private volatile boolean running;
  /** How long after start an empty continuum waits for clusters before apps are unschedulable. */
  static final long REJOIN_GRACE_MILLIS = 30_000;
  private volatile long startedMillis;

  // Owned by the loop.
  private final ContinuumStore store;
  private final ContinuumClusters clusters;
  private final ContinuumApps apps;
  private final ContinuumInstances instances;
  private Message.Control control;
  private Message.ModelSet models;
  private volatile java.util.function.BiConsumer<Link, Message.ModelWant> modelWants =
      (l, w) -> {};
  private boolean changed = true;
  private volatile ContinuumSnapshot snapshot;

  public ContinuumAgent(ContinuumDescriptor descriptor, AgentEnvironment env, Placer placer) {
    this(descriptor, env, placer, ClusterSettings.defaults());
  }

  /**
   * @param failureDetection how a silent cluster is detected: every message from a cluster counts
   *     as a heartbeat (clusters report every heartbeat interval); after {@code missedHeartbeats}
   *     intervals it is unreachable, after {@code lostGrace} more it is lost and its components are
   *     assigned to other clusters
   */
  public ContinuumAgent(ContinuumDescriptor descriptor, AgentEnvironment env, Placer placer,
      ClusterSettings failureDetection) {
    this.failureDetection = Objects.requireNonNull(failureDetection);
    this.descriptor = Objects.requireNonNull(descriptor);
    this.series = new SeriesQueries(descriptor.continuumId());
    this.env = Objects.requireNonNull(env);
    this.placer = Objects.requireNonNull(placer);
    this.snapshot = ContinuumSnapshot.empty(id());
    this.store = new ContinuumStore(env.dataDir().resolve("continuum.db"));
    this.telemetry = TierStores.continuum(env.clock());
    this.kernel = new AgentKernel(id(), "continuum", env, telemetry, new Views(), () -> 0);
    this.fromClusters = ChildTelemetry.ofClusters(telemetry, env.clock());
    this.loop = kernel.loop();
    this.apps = new ContinuumApps(loop, store);
    this.clusters = new ContinuumClusters(loop, new FailureDetector(
        failureDetection.heartbeatInterval(), failureDetection.missedHeartbeats(),
        failureDetection.detectionTick(), env.clock().millis(), System::nanoTime));
    this.instances = new ContinuumInstances(loop, this::event,
        id -> telemetry.markStale(Map.of("instance", id), env.clock().millis()));
    this.scheduler = kernel.scheduler();
    this.engine = kernel.engine();
    loop.afterTurn(this::publishIfChanged);
    // Desired state survives restarts: reload it before anything else can change it.
    kernel.await(loop.call(() -> {
      apps.restore(env.clock().millis());
      publishIfChanged();
      return null;
    }), "restore its state");
    scheduler.register(new ClusterPlacementMechanism(this));
    engine.add(() -> new ClusterPlacementPolicy(placer,
        (app, byInstance) -> loop.execute(() -> onUnassignable(app, byInstance))), "built-in");
    engine.onTelemetryDemandChange(() -> engine.telemetryDemand().ifPresentOrElse(
        d -> clusterDemand.request("policies", d), () -> clusterDemand.withdraw("policies")));
    engine.telemetryDemand().ifPresent(d -> clusterDemand.request("policies", d));
    clusterDemand.onChange(d -> loop.execute(() -> clusters.links().forEach(
        l -> l.send(new Message.TelemetryDemand(id(), d.toMillis())))));
  }

  /** Runs a change on the loop and answers once readers can see it. */
  private <T> T change(Supplier<T> change) {
    return kernel.await(loop.call(() -> {
      T t = change.get();
      publishIfChanged();
      return t;
    }), "change its state");
  }

  /** The continuum id. */
  public String id() {
    return descriptor.continuumId();
  }

  public MetricStore telemetry() {
    return telemetry;
  }

  /**
   * Asks every cluster whose agent runs in another process for the series {@code query} names (its
   * own, or its nodes'), waiting for their answers at most {@code timeout}.
   */
  CompletableFuture<SeriesQueries.Gathered> remoteSeries(Message.SeriesQuery query,
      Duration timeout) {
    return loop.call(clusters::remoteLinks)
        .thenCompose(links -> series.ask(query, links, timeout));
  }

  /** Makes this agent's telemetry queries. */
  SeriesQueries seriesQueries() {
    return series;
  }

  public PlanScheduler scheduler() {
    return scheduler;
  }

  public PolicyEngine engine() {
    return engine;
  }

  /** The placer this continuum assigns components with (and dry runs use). */
  public Placer placer() {
    return placer;
  }

  /**
   * The continuum's system view now: every cluster's nodes with their health and what is
   * allocated on them, and where instances run. For dry runs and placement explanations.
   */
  public SystemView systemView() {
    return snapshot.system();
  }

  /**
   * Sends a control set to every cluster now and to every cluster that (re)registers later; the
   * clusters relay it to their nodes. Used when agents run in their own processes.
   */
  public void sendControl(Message.Control c) {
    Objects.requireNonNull(c);
    // On the loop, like registrations: a cluster never gets an older set after a newer one, and
    // one registering meanwhile is either listed or sent it.
    loop.execute(() -> {
      control = c;
      clusters.links().forEach(l -> l.send(c));
    });
  }

  /**
   * Sends the ML Connector's serving versions to every cluster now and to every cluster that
   * (re)registers later, as {@link #sendControl} does with control ({@link ModelSource}); the
   * clusters relay it to their nodes and ask for the files they lack, which {@code wants} answers.
   */
  public void sendModels(Message.ModelSet s,
      java.util.function.BiConsumer<Link, Message.ModelWant> wants) {
    Objects.requireNonNull(s);
    modelWants = Objects.requireNonNull(wants);
    loop.execute(() -> {
      models = s;
      clusters.links().forEach(l -> l.send(s));
    });
  }

  /**
   * Sets who takes what remote agents send up besides the tier protocol: control reports and
   * plan/event records ({@code eu.mlsysops.agent.control.RecordIntake}).
   */
  public void onRecords(Consumer<Message> handler) {
    this.fromBelow = Objects.requireNonNull(handler);
  }

  /** Whether a cluster's latest inventory lists a node. */
  public boolean clusterHasNode(String cluster, String node) {
    return snapshot.clusterHasNode(cluster, node);
  }

  /** Accepts a cluster agent's link; the cluster identifies itself by registering. */
  public void attach(Link clusterLink) {
    clusterLink.onReceive(m -> onClusterMessage(clusterLink, m));
  }

  public void start() {
    startedMillis = env.clock().millis();
    running = true;
    kernel.start(NodeAgent.HEALTH_INTERVAL_MILLIS, NodeAgent.HEALTH_INTERVAL_MILLIS, true);
    kernel.every(failureDetection.detectionTick().toMillis(), this::detectFailures);
    // A cluster's aggregate that stops (its last instance of a component moved elsewhere) ends.
    TierStores.SilenceSweep silence =
        new TierStores.SilenceSweep(telemetry, TierStores.SWEEP_EVERY_MILLIS,
            env.staleAfterIntervals());
    kernel.every(TierStores.SWEEP_EVERY_MILLIS, () -> silence.run(env.clock().millis()));
    snapshot.descriptors().forEach(engine::appAdded);
  }

  /**
   * Accepts an app: persists it, then starts placing it.
   *
   * @throws IllegalStateException when an app of that name exists
   */
  public void deploy(AppDescriptor app) {
    long now = env.clock().millis();
    change(() -> {
      apps.accept(app, now);
      changed = true;
      return null;
    });
    int n = app.components().size();
    event("app", "app " + app.name() + " accepted (" + n + (n == 1 ? " component)" : " components)"));
    engine.appAdded(app);
  }

  /**
   * Replaces an app's descriptor (a declarative update): clusters get the new one at once and
   * replace the instances of components whose containers or runtime settings changed, one at a
   * time; new components are placed, removed ones stop, instance counts follow the descriptor.
   * Cluster assignments of the components that stay are kept.
   *
   * @return false when the descriptor is the one in force already (nothing happens)
   * @throws IllegalStateException when no app of that name exists
   */
  public boolean update(AppDescriptor app) {
    List<String> removed = change(() -> {
      ContinuumApps.Update u = apps.update(app);
      if (u == null) {
        return null;
      }
      instances.updated(app);
      changed = true;
      u.clusters().forEach(this::pushCluster);
      return u.removedComponents();
    });
    if (removed == null) {
      return false;
    }
    event("app", "app " + app.name() + " updated" + (removed.isEmpty() ? ""
        : " (removed: " + String.join(", ", removed) + ")"));
    engine.appAdded(app);
    return true;
  }

  /** Removes an app everywhere; false when unknown. */
  public boolean remove(String name) {
    boolean removed = change(() -> {
      List<String> ranOn = apps.remove(name);
      if (ranOn == null) {
        return false;
      }
      instances.removed(name);
      // Its per-cluster aggregates end with it (instance series end as each instance stops).
      telemetry.markStale(Map.of("app", name), env.clock().millis());
      changed = true;
      ranOn.forEach(this::pushCluster);
      return true;
    });
    if (removed) {
      engine.appRemoved(name);
      scheduler.cancelApp(name, "app " + name + " was removed");
      event("app", "app " + name + " removed");
    }
    return removed;
  }

  /** Status of every app. */
  public List<AppStatus> apps() {
    return snapshot.statuses();
  }

  /** Status of one app. */
  public Optional<AppStatus> app(String name) {
    return snapshot.status(name);
  }

  /** The descriptor of an app as accepted. */
  public Optional<AppDescriptor> descriptor(String name) {
    return snapshot.descriptor(name);
  }

  /** Clusters with their nodes and health. */
  public List<ClusterStatus> clusters() {
    return snapshot.clusterStatuses();
  }

  /**
   * A node's descriptor as its cluster reported it (the inventory), wherever its agent runs: what
   * the continuum knows of a node in another process.
   */
  public Optional<NodeDescriptor> nodeDescriptor(String name) {
    return snapshot.node(name);
  }

  // ---- mechanism ----

  CompletionStage<ApplyResult> assign(String app, String component, String cluster) {
    return loop.call(() -> {
      ContinuumStore.StoredApp a = apps.get(app);
      if (a == null || a.descriptor().component(component).isEmpty()) {
        return ApplyResult.failure("no component " + app + "/" + component);
      }
      if (!clusters.has(cluster)) {
        return ApplyResult.failure("cluster \"" + cluster + "\" is not registered");
      }
      String before = apps.assign(app, component, cluster);
      changed = true;
      if (before != null) {
        pushCluster(before);
      }
      pushCluster(cluster);
      publishIfChanged(); // the plan's success is read as "assigned" at once
      return ApplyResult.success(app + "/" + component + " assigned to cluster " + cluster);
    });
  }

  /** Sends a cluster the apps it is responsible for, each cut down to its assigned components. */
  private void pushCluster(String clusterId) {
    loop.checkInLoop();
    Link link = clusters.link(clusterId);
    if (link == null) {
      return;
    }
    link.send(apps.desiredState(id(), clusterId));
  }

  // ---- the loop's events ----

  private void onClusterMessage(Link link, Message m) {
    if (!(m instanceof Message.Register)) {
      // Noted as it arrives; the next detection tick takes it (after forgiving a stall).
      heard.put(m.from(), env.clock().millis());
    }
    if (m instanceof Message.SeriesAnswer a) {
      series.answered(a);
    } else if (m instanceof Message.ModelWant w) {
      modelWants.accept(link, w); // files read off the loop
    } else if (m instanceof Message.Records || m instanceof Message.ControlReport
        || m instanceof Message.AgentStatus) {
      fromBelow.accept(m);
    } else if (m instanceof Message.TelemetryBatch tb) {
      fromClusters.take(tb);
    } else if (m instanceof Message.Register r && r.cluster() != null) {
      loop.execute(() -> registered(r, link));
    } else if (m instanceof Message.Inventory inv) {
      loop.execute(() -> inventory(inv));
    } else if (m instanceof Message.StatusReport sr) {
      loop.execute(() -> status(sr));
    }
  }

  private void registered(Message.Register r, Link link) {
    boolean isNew = clusters.register(r.from(), link, env.clock().millis());
    changed = true;
    event("cluster", (isNew ? "cluster " : "cluster re-registered: ") + r.from()
        + (isNew ? " joined" : ""));
    pushCluster(r.from());
    link.send(new Message.TelemetryDemand(id(), clusterDemand.current().toMillis()));
    if (control != null) {
      link.send(control);
    }
    if (models != null) {
      link.send(models);
    }
    wake("cluster " + r.from());
  }

  private void inventory(Message.Inventory inv) {
    if (!clusters.inventory(inv)) {
      return;
    }
    changed = true;
    wake("inventory of " + inv.from());
  }

  private void status(Message.StatusReport sr) {
    changed |= instances.status(sr, apps::has, this::reportedBy);
  }

  /** The cluster an instance report came from: its node's, or its component's for one without. */
  private String reportedBy(Message.InstanceReport r) {
    if (r.node() == null || r.node().isEmpty()) {
      return apps.clusterOf(r.app(), r.component());
    }
    return clusters.clusterOfNode(r.node());
  }

  /**
   * The cluster placement policy's word on components no cluster can take. Not heard in the
   * first {@link #REJOIN_GRACE_MILLIS} while no cluster has registered (a restart: clusters rejoin
   * within seconds, and each registration has the policy place again): "0/0 nodes" then says
   * nothing about the app. The policy asks again every 5 s, so a continuum that no cluster ever
   * joins says so after the grace.
   */
  private void onUnassignable(String app, Map<String, String> byInstance) {
    boolean rejoining = clusters.links().isEmpty()
        && env.clock().millis() - startedMillis < REJOIN_GRACE_MILLIS;
    if (apps.has(app) && (byInstance.isEmpty() || !rejoining)) {
      changed |= instances.unassignable(app, byInstance);
    }
  }

  /** Takes the messages heard since the last tick: any message shows a cluster is alive. */
  private void takeHeard() {
    for (String cluster : heard.keySet()) {
      Long at = heard.remove(cluster);
      if (at != null) {
        heardFrom(cluster, at);
      }
    }
  }

  private void heardFrom(String cluster, long atMillis) {
    if (clusters.heardFrom(cluster, atMillis)) {
      changed = true;
      event("cluster", "cluster " + cluster + " is back");
      pushCluster(cluster);
      wake("cluster " + cluster + " is back");
    }
  }

  private void detectFailures() {
    if (!running) {
      return;
    }
    long now = env.clock().millis();
    takeHeard(); // then the stall, as the cluster agent does (see its detectFailures)
    clusters.tick();
    List<ContinuumClusters.Detection> found =
        clusters.detect(now, failureDetection.lostGrace().toMillis());
    for (ContinuumClusters.Detection d : found) {
      event("cluster", d.message());
      telemetry.markStale(Map.of("cluster", d.cluster()), now); // its figures are not current

      if (d.lost()) {
        instances.lost(d.cluster(), d.nodes(), now);
      }
    }
    if (!found.isEmpty()) {
      changed = true;
      wake("cluster failure");
    }
  }

  private void event(String kind, String message) {
    kernel.event(kind, message);
  }

  /** Wakes every policy, once they can read what changed. */
  private void wake(String why) {
    publishIfChanged();
    engine.wakeAll(why);
  }

  private void publishIfChanged() {
    if (!changed) {
      return;
    }
    changed = false;
    List<ContinuumSnapshot.Cluster> cs = clusters.snapshot();
    snapshot = new ContinuumSnapshot(id(), apps.appsCopy(), apps.assignmentsCopy(),
        instances.instances(), instances.unassignable(), cs);
  }

  @Override
  public void close() {
    running = false;
    kernel.close(store::close);
  }

  /** Whether {@link #start()} ran and {@link #close()} did not. */
  public boolean isRunning() {
    return running;
  }

  private final class Views implements ViewSource {
    @Override
    public List<AppDescriptor> apps() {
      return snapshot.descriptors();
    }

    @Override
    public SystemView system() {
      return snapshot.system();
    }
  }
}
