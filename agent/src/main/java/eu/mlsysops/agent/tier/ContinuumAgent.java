package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.core.ClusterPlacementPolicy;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.ViewSource;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.ContinuumDescriptor;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import eu.mlsysops.telemetry.pipeline.NegotiatedInterval;
import eu.mlsysops.telemetry.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The top of the hierarchy: accepts apps (persisted before they are acknowledged), assigns their
 * components to clusters, and keeps the whole continuum's status from what clusters report.
 */
public final class ContinuumAgent implements AutoCloseable {
  private final ContinuumDescriptor descriptor;
  private final AgentEnvironment env;
  private final ContinuumStore store;
  private final MetricStore telemetry;
  private final PlanScheduler scheduler;
  private final PolicyEngine engine;

  private final Map<String, ClusterEntry> clusters = new LinkedHashMap<>();
  private final Map<String, ContinuumStore.StoredApp> apps = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> assignments = new LinkedHashMap<>();
  private final Map<String, Message.InstanceReport> instances = new LinkedHashMap<>();
  private long epoch;
  private long epochReserved;
  private final ClusterAgent.Settings failureDetection;
  private java.util.concurrent.ScheduledFuture<?> detectionTimer;
  private final Placer placer;
  /** app → component → why no cluster can take it. */
  private final Map<String, Map<String, String>> unassignable = new HashMap<>();
  private volatile boolean running;
  private final AgentHealth health;
  private final Map<String, OtlpMetricsTranslator> fromClusters =
      new java.util.concurrent.ConcurrentHashMap<>();
  private java.util.concurrent.ScheduledFuture<?> healthTimer;
  /** How often clusters export telemetry here: what the continuum's policies ask for. */
  private final NegotiatedInterval clusterDemand = new NegotiatedInterval(
      ClusterAgent.DEFAULT_EXPORT_INTERVAL, ClusterAgent.MIN_EXPORT_INTERVAL);

  public ContinuumAgent(ContinuumDescriptor descriptor, AgentEnvironment env, Placer placer) {
    this(descriptor, env, placer, ClusterAgent.Settings.defaults());
  }

  /**
   * @param failureDetection how a silent cluster is detected: every message from a cluster counts
   *     as a heartbeat (clusters report every heartbeat interval); after {@code missedHeartbeats}
   *     intervals it is unreachable, after {@code lostGrace} more it is lost and its components are
   *     assigned to other clusters
   */
  public ContinuumAgent(ContinuumDescriptor descriptor, AgentEnvironment env, Placer placer,
      ClusterAgent.Settings failureDetection) {
    this.failureDetection = Objects.requireNonNull(failureDetection);
    this.descriptor = Objects.requireNonNull(descriptor);
    this.env = Objects.requireNonNull(env);
    this.placer = Objects.requireNonNull(placer);
    this.store = new ContinuumStore(env.dataDir().resolve("continuum.db"));
    this.telemetry = TierStores.continuum(env.clock());
    this.scheduler = PlanScheduler.builder(id()).clock(env.clock()).log(env.planLog())
        .shared(env.timers(), env.workers()).build();
    scheduler.register(new ClusterPlacementMechanism(this));
    scheduler.onTransition(this::onPlan);
    this.engine = new PolicyEngine(id(), env.clock(), telemetry, scheduler, new Views(),
        env.timers(), env.workers());
    this.health = new AgentHealth(id(), "continuum", telemetry, engine, scheduler, () -> 0);
    engine.add(() -> new ClusterPlacementPolicy(placer, this::onUnassignable), "built-in");
    engine.onTelemetryDemandChange(() -> engine.telemetryDemand().ifPresentOrElse(
        d -> clusterDemand.request("policies", d), () -> clusterDemand.withdraw("policies")));
    engine.telemetryDemand().ifPresent(d -> clusterDemand.request("policies", d));
    clusterDemand.onChange(d -> {
      List<Link> links;
      synchronized (this) {
        links = clusters.values().stream().map(c -> c.link).toList();
      }
      links.forEach(l -> l.send(new Message.TelemetryDemand(id(), d.toMillis())));
    });
    // Desired state survives restarts: reload it before anything else can change it.
    for (ContinuumStore.StoredApp a : store.apps()) {
      apps.put(a.descriptor().name(), a);
    }
    assignments.putAll(store.assignments());
    // The epoch must grow across restarts so clusters never ignore a restarted continuum: blocks
    // of epochs are reserved on disk, and a fresh store starts at the wall clock.
    epoch = Math.max(store.meta("epoch_reserved", 0), env.clock().millis());
    epochReserved = epoch + ClusterStore.EPOCH_BLOCK;
    store.setMeta("epoch_reserved", epochReserved);
  }

  /** The continuum id. */
  public String id() {
    return descriptor.continuumId();
  }

  public MetricStore telemetry() {
    return telemetry;
  }

  public PlanScheduler scheduler() {
    return scheduler;
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
    return new Views().system();
  }

  public PolicyEngine engine() {
    return engine;
  }

  private final Object controlLock = new Object();
  private Message.Control control;
  private volatile java.util.function.Consumer<Message> fromBelow = m -> {};

  /**
   * Sends a control set to every cluster now and to every cluster that (re)registers later; the
   * clusters relay it to their nodes. Used when agents run in their own processes.
   */
  public void sendControl(Message.Control c) {
    Objects.requireNonNull(c);
    // Under the lock registrations take too (after adding the cluster): a cluster never gets an
    // older set after a newer one, and one registering meanwhile is either listed or sent it.
    synchronized (controlLock) {
      control = c;
      List<Link> links;
      synchronized (this) {
        links = clusters.values().stream().map(e -> e.link).filter(Objects::nonNull).toList();
      }
      links.forEach(l -> l.send(c));
    }
  }

  /**
   * Sets who takes what remote agents send up besides the tier protocol: control reports and
   * plan/event records ({@code eu.mlsysops.agent.control.RecordIntake}).
   */
  public void onRecords(java.util.function.Consumer<Message> handler) {
    this.fromBelow = Objects.requireNonNull(handler);
  }

  /** Whether a cluster's latest inventory lists a node (without copying any list). */
  public synchronized boolean clusterHasNode(String cluster, String node) {
    ClusterEntry c = clusters.get(cluster);
    return c != null && c.nodes.stream().anyMatch(n -> n.name().equals(node));
  }

  /** Accepts a cluster agent's link; the cluster identifies itself by registering. */
  public void attach(Link clusterLink) {
    clusterLink.onReceive(m -> onClusterMessage(clusterLink, m));
  }

  public void start() {
    running = true;
    scheduler.start();
    PlanResumption.resume(scheduler, env.planLog(), id(), env.events(), env.clock());
    long every = Math.max(1, failureDetection.heartbeatInterval().toMillis() / 4);
    detectionTimer = env.timers().scheduleAtFixedRate(this::detectFailures, every, every,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    healthTimer = env.timers().scheduleAtFixedRate(() -> health.record(env.clock().millis()),
        NodeAgent.HEALTH_INTERVAL_MILLIS, NodeAgent.HEALTH_INTERVAL_MILLIS,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    List<AppDescriptor> loaded;
    synchronized (this) {
      loaded = apps.values().stream().map(ContinuumStore.StoredApp::descriptor).toList();
    }
    for (AppDescriptor a : loaded) {
      engine.appAdded(a);
    }
  }

  /**
   * Accepts an app: persists it, then starts placing it.
   *
   * @throws IllegalStateException when an app of that name exists
   */
  public void deploy(AppDescriptor app) {
    long now = env.clock().millis();
    synchronized (this) {
      if (apps.containsKey(app.name())) {
        throw new IllegalStateException("an app named \"" + app.name() + "\" already exists");
      }
      store.putApp(app, now);
      apps.put(app.name(), new ContinuumStore.StoredApp(app, now));
    }
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
    List<String> touched;
    List<String> removed;
    synchronized (this) {
      ContinuumStore.StoredApp old = apps.get(app.name());
      if (old == null) {
        throw new IllegalStateException("no app named \"" + app.name() + "\"");
      }
      if (old.descriptor().equals(app)) {
        return false;
      }
      store.putApp(app, old.submittedMillis());
      apps.put(app.name(), new ContinuumStore.StoredApp(app, old.submittedMillis()));
      Map<String, String> assigned = assignments.getOrDefault(app.name(), new LinkedHashMap<>());
      touched = assigned.values().stream().distinct().toList();
      removed = assigned.keySet().stream().filter(c -> app.component(c).isEmpty()).toList();
      for (String c : removed) {
        assigned.remove(c);
        store.unassign(app.name(), c);
      }
      instances.values().removeIf(r -> r.app().equals(app.name())
          && app.component(r.component()).isEmpty());
      Map<String, String> stuck = unassignable.get(app.name());
      if (stuck != null) {
        stuck.keySet().removeIf(c -> app.component(c).isEmpty());
      }
    }
    event("app", "app " + app.name() + " updated" + (removed.isEmpty() ? ""
        : " (removed: " + String.join(", ", removed) + ")"));
    engine.appAdded(app);
    touched.forEach(this::pushCluster);
    return true;
  }

  /** Removes an app everywhere; false when unknown. */
  public boolean remove(String name) {
    List<String> touched;
    synchronized (this) {
      if (apps.remove(name) == null) {
        return false;
      }
      store.removeApp(name);
      Map<String, String> a = assignments.remove(name);
      touched = a == null ? List.of() : a.values().stream().distinct().toList();
      instances.values().removeIf(r -> r.app().equals(name));
      unassignable.remove(name);
    }
    engine.appRemoved(name);
    scheduler.cancelApp(name, "app " + name + " was removed");
    touched.forEach(this::pushCluster);
    event("app", "app " + name + " removed");
    return true;
  }

  /** Status of every app. */
  public synchronized List<AppStatus> apps() {
    List<AppStatus> out = new ArrayList<>();
    for (String name : apps.keySet()) {
      out.add(statusOf(name));
    }
    return out;
  }

  /** Status of one app. */
  public synchronized Optional<AppStatus> app(String name) {
    return apps.containsKey(name) ? Optional.of(statusOf(name)) : Optional.empty();
  }

  /** The descriptor of an app as accepted. */
  public synchronized Optional<AppDescriptor> descriptor(String name) {
    return Optional.ofNullable(apps.get(name)).map(ContinuumStore.StoredApp::descriptor);
  }

  /** Clusters with their nodes and health. */
  public synchronized List<ClusterStatus> clusters() {
    List<ClusterStatus> out = new ArrayList<>();
    for (ClusterEntry c : clusters.values()) {
      List<ClusterStatus.NodeStatus> ns = new ArrayList<>();
      for (NodeDescriptor n : sortedByName(c.nodes)) {
        ns.add(new ClusterStatus.NodeStatus(n.name(), n.continuumLayer().wireName(),
            !c.unhealthy.contains(n.name())));
      }
      out.add(new ClusterStatus(c.id, c.healthy, ns));
    }
    return out;
  }

  /**
   * A node's descriptor as its cluster reported it (the inventory), wherever its agent runs: what
   * the continuum knows of a node in another process.
   */
  public synchronized Optional<NodeDescriptor> nodeDescriptor(String name) {
    for (ClusterEntry c : clusters.values()) {
      for (NodeDescriptor n : c.nodes) {
        if (n.name().equals(name)) {
          return Optional.of(n);
        }
      }
    }
    return Optional.empty();
  }

  /** Nodes register in whatever order their agents start; people read them sorted. */
  private static List<NodeDescriptor> sortedByName(List<NodeDescriptor> nodes) {
    List<NodeDescriptor> sorted = new ArrayList<>(nodes);
    sorted.sort(java.util.Comparator.comparing(NodeDescriptor::name));
    return sorted;
  }

  private AppStatus statusOf(String name) {
    ContinuumStore.StoredApp a = apps.get(name);
    Map<String, String> assigned = assignments.getOrDefault(name, Map.of());
    List<AppStatus.ComponentStatus> cs = new ArrayList<>();
    int desiredTotal = 0;
    int runningTotal = 0;
    boolean broken = false;
    for (Component c : a.descriptor().components()) {
      List<Message.InstanceReport> rs = new ArrayList<>();
      for (Message.InstanceReport r : instances.values()) {
        if (r.app().equals(name) && r.component().equals(c.name())) {
          rs.add(r);
        }
      }
      int running = (int) rs.stream().filter(r -> "RUNNING".equals(r.state())).count();
      String stuck = unassignable.getOrDefault(name, Map.of()).get(c.name());
      if (stuck == null) {
        stuck = String.join("; ", rs.stream().map(ContinuumAgent::unschedulableReason)
            .filter(r -> !r.isEmpty()).distinct().toList());
      }
      broken |= rs.stream().anyMatch(r -> "LOST".equals(r.state()) || "FAILED".equals(r.state())
          || "UNKNOWN".equals(r.state()));
      desiredTotal += c.instances();
      runningTotal += Math.min(running, c.instances());
      cs.add(new AppStatus.ComponentStatus(c.name(), assigned.getOrDefault(c.name(), ""),
          c.instances(), running, rs, stuck));
    }
    String phase;
    if (assigned.isEmpty()) {
      phase = "Pending";
    } else if (runningTotal >= desiredTotal) {
      phase = "Running";
    } else if (broken) {
      phase = "Degraded";
    } else {
      phase = "Deploying";
    }
    return new AppStatus(name, a.submittedMillis(), phase, cs);
  }

  // ---- mechanism ----

  ApplyResult assign(String app, String component, String cluster) {
    synchronized (this) {
      ContinuumStore.StoredApp a = apps.get(app);
      if (a == null || a.descriptor().component(component).isEmpty()) {
        return ApplyResult.failure("no component " + app + "/" + component);
      }
      if (!clusters.containsKey(cluster)) {
        return ApplyResult.failure("cluster \"" + cluster + "\" is not registered");
      }
      String before = assignments.computeIfAbsent(app, k -> new LinkedHashMap<>()).get(component);
      store.assign(app, component, cluster);
      assignments.get(app).put(component, cluster);
      if (before != null && !before.equals(cluster)) {
        pushCluster(before);
      }
    }
    pushCluster(cluster);
    return ApplyResult.success(app + "/" + component + " assigned to cluster " + cluster);
  }

  /** Sends a cluster the apps it is responsible for, each cut down to its assigned components. */
  private void pushCluster(String clusterId) {
    Link link;
    Message.DesiredState ds;
    synchronized (this) {
      ClusterEntry c = clusters.get(clusterId);
      if (c == null) {
        return;
      }
      List<AppDescriptor> mine = new ArrayList<>();
      for (Map.Entry<String, Map<String, String>> e : assignments.entrySet()) {
        ContinuumStore.StoredApp a = apps.get(e.getKey());
        if (a == null) {
          continue;
        }
        List<Component> comps = a.descriptor().components().stream()
            .filter(x -> clusterId.equals(e.getValue().get(x.name())))
            .toList();
        if (!comps.isEmpty()) {
          // Self-contained: references to components on other clusters mean nothing there, and
          // a descriptor naming absent components would not parse on the far side of a gRPC link.
          mine.add(ClusterStore.selfContained(
              AppDescriptors.withComponents(a.descriptor(), comps)));
        }
      }
      epoch++;
      if (epoch >= epochReserved) {
        epochReserved = epoch + ClusterStore.EPOCH_BLOCK;
        store.setMeta("epoch_reserved", epochReserved);
      }
      ds = new Message.DesiredState(id(), epoch, List.of(), mine);
      link = c.link;
    }
    link.send(ds);
  }

  // ---- messages ----

  private void onClusterMessage(Link link, Message m) {
    if (!(m instanceof Message.Register)) {
      heardFrom(m.from());
    }
    if (m instanceof Message.Records || m instanceof Message.ControlReport
        || m instanceof Message.AgentStatus) {
      fromBelow.accept(m);
      return;
    }
    if (m instanceof Message.Register r && r.cluster() != null) {
      boolean isNew;
      synchronized (this) {
        ClusterEntry c = clusters.get(r.from());
        isNew = c == null;
        if (c == null) {
          c = new ClusterEntry(r.from(), link);
          clusters.put(r.from(), c);
        }
        c.link = link;
        c.lastSeen = env.clock().millis();
        c.healthy = true;
        c.lost = false;
      }
      event("cluster", (isNew ? "cluster " : "cluster re-registered: ") + r.from()
          + (isNew ? " joined" : ""));
      pushCluster(r.from());
      link.send(new Message.TelemetryDemand(id(), clusterDemand.current().toMillis()));
      synchronized (controlLock) {
        if (control != null) {
          link.send(control);
        }
      }
      engine.wakeAll("cluster " + r.from());
    } else if (m instanceof Message.Inventory inv) {
      synchronized (this) {
        ClusterEntry c = clusters.get(inv.from());
        if (c == null) {
          return;
        }
        c.nodes = inv.nodes();
        c.unhealthy = inv.unhealthy();
      }
      engine.wakeAll("inventory of " + inv.from());
    } else if (m instanceof Message.StatusReport sr) {
      List<String> stuck = new ArrayList<>();
      synchronized (this) {
        if (sr.full()) {
          instances.values().removeIf(r -> reportedBy(r).equals(sr.from())
              && sr.instances().stream().noneMatch(x -> x.instanceId().equals(r.instanceId())));
        }
        for (Message.InstanceReport r : sr.instances()) {
          if (apps.containsKey(r.app())) {
            Message.InstanceReport before = instances.put(r.instanceId(), r);
            if (UnschedulableInstances.STATE.equals(r.state()) && (before == null
                || !before.state().equals(r.state()) || !before.reason().equals(r.reason()))) {
              stuck.add(r.app() + "/" + r.component() + "/" + InstanceIds.slotOf(r.instanceId())
                  + " unschedulable in cluster " + sr.from() + ": " + r.reason());
            }
          }
        }
      }
      stuck.forEach(e -> event("placement", e));
    } else if (m instanceof Message.TelemetryBatch tb) {
      fromClusters.computeIfAbsent(tb.from(), this::translatorFor).translate(tb.metrics());
    }
  }

  /** Reads one cluster's telemetry; series that name no cluster get this one's id. */
  private OtlpMetricsTranslator translatorFor(String cluster) {
    SampleSink sink = new SampleSink() {
      @Override
      public boolean accept(Sample s) {
        return telemetry.append(s.labels().get("cluster") != null ? s
            : new Sample(s.metric(), s.labels().with("cluster", cluster), s.timestampMillis(),
                s.value()));
      }

      @Override
      public void describe(String metric, MetricMetadata metadata) {
        telemetry.describe(metric, metadata);
      }
    };
    return OtlpMetricsTranslator.builder(sink).clock(env.clock()).build();
  }

  /** Why an instance cannot be placed (or replaced), from its report; empty when it can. */
  private static String unschedulableReason(Message.InstanceReport r) {
    if (UnschedulableInstances.STATE.equals(r.state())) {
      return r.reason();
    }
    int at = r.reason().indexOf(UnschedulableInstances.MARKER);
    return at < 0 ? "" : r.reason().substring(at + UnschedulableInstances.MARKER.length());
  }

  /** The cluster an instance report came from: its node's, or its component's for one without. */
  private String reportedBy(Message.InstanceReport r) {
    if (r.node() == null || r.node().isEmpty()) {
      return assignments.getOrDefault(r.app(), Map.of()).getOrDefault(r.component(), "");
    }
    return clusterOfNode(r.node());
  }

  /** The cluster placement policy's word on components no cluster can take. */
  private void onUnassignable(String app, Map<String, String> byInstance) {
    Map<String, String> now = new LinkedHashMap<>();
    byInstance.forEach((k, v) -> now.put(k.substring(0, k.lastIndexOf('/')), v));
    List<String> changed = new ArrayList<>();
    synchronized (this) {
      if (!apps.containsKey(app)) {
        return;
      }
      Map<String, String> before = unassignable.getOrDefault(app, Map.of());
      now.forEach((c, why) -> {
        if (!why.equals(before.get(c))) {
          changed.add(app + "/" + c + " unschedulable: no cluster can take it: " + why);
        }
      });
      if (now.isEmpty()) {
        unassignable.remove(app);
      } else {
        unassignable.put(app, now);
      }
    }
    changed.forEach(e -> event("placement", e));
  }

  private String clusterOfNode(String node) {
    for (ClusterEntry c : clusters.values()) {
      for (NodeDescriptor n : c.nodes) {
        if (n.name().equals(node)) {
          return c.id;
        }
      }
    }
    return "";
  }

  // ---- failure detection ----

  /** Any message from a cluster shows it is alive; one that was unreachable is back. */
  private void heardFrom(String cluster) {
    boolean back;
    synchronized (this) {
      ClusterEntry c = clusters.get(cluster);
      if (c == null) {
        return;
      }
      c.lastSeen = env.clock().millis();
      back = !c.healthy;
      c.healthy = true;
      c.lost = false;
    }
    if (back) {
      event("cluster", "cluster " + cluster + " is back");
      pushCluster(cluster);
      engine.wakeAll("cluster " + cluster + " is back");
    }
  }

  private void detectFailures() {
    if (!running) {
      return;
    }
    long now = env.clock().millis();
    long unreachableAfter =
        failureDetection.heartbeatInterval().toMillis() * failureDetection.missedHeartbeats();
    List<String> said = new ArrayList<>();
    synchronized (this) {
      for (ClusterEntry c : clusters.values()) {
        if (c.healthy && now - c.lastSeen > unreachableAfter) {
          c.healthy = false;
          c.unhealthySince = now;
          said.add("cluster " + c.id + " is unreachable (silent for " + (now - c.lastSeen)
              + " ms)");
        }
        if (!c.healthy && !c.lost
            && now - c.unhealthySince > failureDetection.lostGrace().toMillis()) {
          c.lost = true;
          said.add("cluster " + c.id + " lost after " + failureDetection.lostGrace().toMillis()
              + " ms grace: its components will be assigned to other clusters");
          Set<String> itsNodes = new java.util.HashSet<>();
          c.nodes.forEach(n -> itsNodes.add(n.name()));
          instances.replaceAll((id, r) -> itsNodes.contains(r.node())
              ? new Message.InstanceReport(r.instanceId(), r.app(), r.component(), r.node(),
                  "LOST", "cluster " + c.id + " unreachable", now)
              : r);
        }
      }
    }
    said.forEach(m -> event("cluster", m));
    if (!said.isEmpty()) {
      engine.wakeAll("cluster failure");
    }
  }

  private void onPlan(PlanRecord r) {
    health.planFinished(r);
    if (r.status().isTerminal()) {
      env.events().publish(new AgentEvent(r.updatedMillis(), id(), "plan", PlanText.describe(r)));
    }
  }

  private void event(String kind, String message) {
    env.events().publish(new AgentEvent(env.clock().millis(), id(), kind, message));
  }

  @Override
  public void close() {
    running = false;
    if (healthTimer != null) {
      healthTimer.cancel(false);
    }
    if (detectionTimer != null) {
      detectionTimer.cancel(false);
    }
    engine.close();
    scheduler.close();
    store.close();
  }

  /** Whether {@link #start()} ran and {@link #close()} did not. */
  public boolean isRunning() {
    return running;
  }

  private final class Views implements ViewSource {
    @Override
    public List<AppDescriptor> apps() {
      synchronized (ContinuumAgent.this) {
        return apps.values().stream().map(ContinuumStore.StoredApp::descriptor).toList();
      }
    }

    @Override
    public SystemView system() {
      synchronized (ContinuumAgent.this) {
        Map<String, long[]> alloc = new HashMap<>();
        List<SystemView.InstancePlacement> placements = new ArrayList<>();
        for (Message.InstanceReport r : instances.values()) {
          placements.add(new SystemView.InstancePlacement(r.app(), r.component(), r.instanceId(),
              r.node(), r.state()));
          ContinuumStore.StoredApp a = apps.get(r.app());
          Component c = a == null ? null : a.descriptor().component(r.component()).orElse(null);
          if (c != null && !"LOST".equals(r.state()) && !r.node().isEmpty()) {
            long[] x = alloc.computeIfAbsent(r.node(), k -> new long[2]);
            x[0] += c.cpuRequests().millis();
            x[1] += c.memoryRequests().longValue();
          }
        }
        List<SystemView.NodeState> nodes = new ArrayList<>();
        List<SystemView.ClusterState> cs = new ArrayList<>();
        for (ClusterEntry c : clusters.values()) {
          List<String> names = new ArrayList<>();
          for (NodeDescriptor n : sortedByName(c.nodes)) {
            long[] x = alloc.getOrDefault(n.name(), new long[2]);
            nodes.add(new SystemView.NodeState(n, !c.unhealthy.contains(n.name()), x[0], x[1]));
            names.add(n.name());
          }
          List<String> assigned = new ArrayList<>();
          assignments.forEach((app, m) -> m.forEach((comp, cl) -> {
            if (cl.equals(c.id)) {
              assigned.add(app + "/" + comp);
            }
          }));
          // Placement sees a cluster as gone only once it is lost, not at the first silence.
          cs.add(new SystemView.ClusterState(c.id, !c.lost, names, assigned));
        }
        return new SystemView(id(), nodes, placements, cs);
      }
    }
  }

  private static final class ClusterEntry {
    final String id;
    Link link;
    List<NodeDescriptor> nodes = List.of();
    List<String> unhealthy = List.of();
    long lastSeen;
    long unhealthySince;
    boolean healthy = true;
    boolean lost;

    ClusterEntry(String id, Link link) {
      this.id = id;
      this.link = link;
    }
  }
}
