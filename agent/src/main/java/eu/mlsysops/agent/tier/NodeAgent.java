package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.core.CpuFrequencyMechanism;
import eu.mlsysops.agent.core.CpuFrequencyPolicy;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.ViewSource;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.CpuFrequencyControl;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.Runtime;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleBatch;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.OtlpMetricsEncoder;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import eu.mlsysops.telemetry.pipeline.UplinkAggregator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The agent on one host: local telemetry, local knobs (CPU frequency), and the instances its
 * cluster assigned to it, run through a {@link Runtime}. Its MAPE loop runs node policies on local
 * telemetry; desired state from the cluster is reconciled against what the runtime reports.
 *
 * <p>Its state (the desired instances and their epoch) is owned by its {@link AgentLoop}: link
 * messages, connection changes and runtime events are events on it, so none of it needs a lock.
 * Policies read a snapshot the loop publishes. Telemetry ingest, heartbeats and export do not
 * touch that state and stay off the loop (they must not wait behind a reconciliation).
 */
public final class NodeAgent implements AutoCloseable {
  private final NodeDescriptor descriptor;
  private final Runtime runtime;
  private final AgentEnvironment env;
  private final Link uplink;
  /** Keeps what the uplink refuses while the cluster is unreachable. */
  private final UplinkBuffer up;
  /** The instances the cluster wants here, reconciled with the runtime's, journaled. */
  private final NodeInstances instances;
  private final MetricStore store;
  private final TierStores.SilenceSweep silence;
  private final AgentKernel kernel;
  private final PlanScheduler scheduler;
  private final PolicyEngine engine;
  private volatile UplinkAggregator uplinkAggregator =
      UplinkAggregator.builder().rules(UplinkAggregator.NODE_DEFAULTS).build();
  private IntervalTask exportTask;
  private final OtlpMetricsEncoder encoder;
  private volatile Duration exportInterval;
  private final Duration heartbeatInterval;
  /** How often agents record their own health metrics. */
  static final long HEALTH_INTERVAL_MILLIS = 1000;
  /** How long start waits for the loop to read the journal and register (a generous ceiling). */
  static final long START_TIMEOUT_SECONDS = 120;
  /**
   * How often a node agent records its own health metrics: about 16 series each, more than the
   * host's own gauges, so with thousands of nodes every second would double the ingest.
   */
  static final long NODE_HEALTH_INTERVAL_MILLIS = 5000;
  private final ForwardingMechanism forwarding;
  private final AgentLoop loop;
  /** Guards start and close (timers), not agent state. */
  private final Object lifecycle = new Object();
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private volatile boolean running;

  /**
   * @param descriptor this node's description
   * @param runtime runs the instances
   * @param cpuFrequency the node's DVFS knob (real or simulated)
   * @param uplink the link to the cluster agent
   * @param env shared clock, threads, events
   * @param heartbeatInterval how often to tell the cluster this node is alive
   */
  public NodeAgent(
      NodeDescriptor descriptor, Runtime runtime, CpuFrequencyControl cpuFrequency, Link uplink,
      AgentEnvironment env, Duration heartbeatInterval) {
    this.descriptor = Objects.requireNonNull(descriptor);
    this.runtime = Objects.requireNonNull(runtime);
    this.uplink = Objects.requireNonNull(uplink);
    this.env = Objects.requireNonNull(env);
    this.heartbeatInterval = heartbeatInterval;
    this.up = new UplinkBuffer(uplink, UplinkBuffer.DEFAULT_CAPACITY);
    // Until the cluster says how often it wants telemetry, export at the heartbeat pace.
    this.exportInterval = heartbeatInterval;
    this.store = TierStores.node(env.clock());
    this.silence = new TierStores.SilenceSweep(store, TierStores.NODE_SWEEP_EVERY_MILLIS,
        env.staleAfterIntervals());
    this.kernel = new AgentKernel(descriptor.name(), "node", env, store, new Views(),
        () -> uplinkAggregator.dropped() + up.dropped());
    this.loop = kernel.loop();
    this.instances = new NodeInstances(descriptor, loop, runtime, new NodeJournal(
        env.dataDir().resolve("nodes").resolve(descriptor.name()).resolve("desired-state.pb")),
        up, env.clock());
    this.scheduler = kernel.scheduler();
    this.engine = kernel.engine();
    scheduler.register(new CpuFrequencyMechanism(cpuFrequency));
    // Placement is the cluster's: node policies may ask for it, and hear how it ended.
    this.forwarding = new ForwardingMechanism(PlacementMechanism.NAME, descriptor.name(),
        m -> up.send(m), () -> scheduler.active());
    scheduler.register(forwarding);
    this.encoder = new OtlpMetricsEncoder(descriptor.name());
    runtime.onStatusChange(s -> loop.execute(() -> onInstanceStatus(s)));
    uplink.onReceive(m -> loop.execute(() -> onMessage(m)));
    uplink.onConnectionChange(connected -> loop.execute(() -> {
      if (connected && running) {
        // What waited goes first; the registration after it is the freshest word on what runs.
        up.flush();
        register();
      }
    }));
  }

  /** Registers with the cluster and starts heartbeats, telemetry export and node policies. */
  public void start() {
    synchronized (lifecycle) {
      if (running) {
        return;
      }
      running = true;
      kernel.start(heartbeatInterval.toMillis(), NODE_HEALTH_INTERVAL_MILLIS, false);
      engine.add(CpuFrequencyPolicy::new, "built-in");
      engine.add(() -> BuiltInPolicies.cpuFrequency(name(), env.dataDir()), "built-in");
      try {
        loop.call(() -> {
          coldStart();
          register();
          return null;
        }).get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException(name() + ": could not start: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(name() + ": interrupted while starting", e);
      }
      startTimers();
    }
  }

  private void startTimers() {
    long hb = heartbeatInterval.toMillis();
    timers.add(env.timers().scheduleAtFixedRate(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS));
    exportTask = new IntervalTask(env.timers(), name() + " telemetry export", exportInterval,
        this::exportTelemetry);
  }

  /**
   * Picks up the journal of the last committed desired state. Without an uplink the node runs it
   * at once (a restart or reboot while the cluster is unreachable); with one it only remembers the
   * epoch, and the cluster's answer to the registration decides.
   */
  private void coldStart() {
    loop.checkInLoop();
    Message.DesiredState ds = instances.journaled().orElse(null);
    if (ds == null) {
      return;
    }
    if (uplink.isConnected()) {
      instances.remember(ds);
      return;
    }
    env.events().publish(new AgentEvent(env.clock().millis(), name(), "node",
        "cluster unreachable at start: running " + ds.instances().size()
            + " instance(s) from the local journal (epoch " + ds.epoch() + ")"));
    instances.reconcile(ds, false);
  }

  /** Messages waiting for the cluster link, and those dropped because too many waited. */
  public long[] uplinkBacklog() {
    return new long[] {up.buffered(), up.dropped()};
  }

  /** This node's name. */
  public String name() {
    return descriptor.name();
  }

  /** This node's description. */
  public NodeDescriptor descriptor() {
    return descriptor;
  }

  /** The node's local telemetry. */
  public MetricStore telemetry() {
    return store;
  }

  /** The node's plan scheduler (for its own knobs). */
  public PlanScheduler scheduler() {
    return scheduler;
  }

  /** An app as this node runs it (the components desired here), if any of it is. */
  public java.util.Optional<AppDescriptor> appDescriptor(String app) {
    return instances.apps().stream().filter(a -> a.name().equals(app)).findFirst();
  }

  /** The node's policy engine (to load extra policies). */
  public PolicyEngine engine() {
    return engine;
  }

  /**
   * Takes a telemetry sample produced on this node (host collector, simulation, app SDKs): stores
   * it, wakes subscribed policies and folds it into what goes up to the cluster.
   *
   * @return false when the agent is stopped or the store refused the sample
   */
  public boolean ingest(Sample sample) {
    return offer(sample) == null;
  }

  /** As {@link #ingest}, saying why a sample was not stored: null when it was. */
  SampleBatch.Refusal offer(Sample sample) {
    if (!running) {
      return SampleBatch.Refusal.UNSPECIFIED;
    }
    SampleBatch.Refusal refusal = store.offer(sample);
    if (refusal == null) {
      uplinkAggregator.accept(sample);
    }
    return refusal;
  }

  /** Where receivers and collectors on this node write: {@link #ingest} plus metadata. */
  public SampleSink sink() {
    return new SampleSink() {
      @Override
      public boolean accept(Sample sample) {
        return ingest(sample);
      }

      @Override
      public SampleBatch.Refusal offer(Sample sample) {
        return NodeAgent.this.offer(sample);
      }

      /** A metric's points at once (OTLP gauges and sums): store, then fold what it kept. */
      @Override
      public void acceptBatch(SampleBatch batch) {
        if (running) {
          store.acceptBatch(batch);
          uplinkAggregator.foldAccepted(batch);
        }
      }

      @Override
      public void describe(String metric, MetricMetadata metadata) {
        store.describe(metric, metadata);
        uplinkAggregator.describe(metric, metadata);
      }
    };
  }

  /**
   * Replaces what this node sends up (empty: {@link UplinkAggregator#NODE_DEFAULTS}). What the
   * old rules aggregated so far is sent at once, so a change loses no interval.
   */
  public void setUplinkRules(List<AggregationRule> rules) {
    UplinkAggregator old = uplinkAggregator;
    uplinkAggregator = UplinkAggregator.builder()
        .rules(rules.isEmpty() ? UplinkAggregator.NODE_DEFAULTS : rules).build();
    send(old.drain());
  }

  /** How often this node sends telemetry to its cluster now. */
  public Duration exportInterval() {
    return exportInterval;
  }

  private void register() {
    uplink.send(new Message.Register(name(), Message.Tier.NODE, descriptor, null,
        instances.reports()));
  }

  private void heartbeat() {
    if (running) {
      uplink.send(new Message.Heartbeat(name(), env.clock().millis()));
    }
  }

  private void exportTelemetry() {
    if (running) {
      silence.run(env.clock().millis());
      send(uplinkAggregator.drain());
    }
  }

  private void send(UplinkAggregator.Batch batch) {
    if (!batch.isEmpty()) {
      up.send(UplinkSamples.message(name(), batch, encoder));
    }
  }

  private void onMessage(Message m) {
    loop.checkInLoop();
    if (!running) {
      return;
    }
    if (m instanceof Message.DesiredState ds) {
      if (instances.reconcile(ds, true)) {
        // State sync: the cluster learns everything this node runs, whatever it missed.
        up.send(new Message.StatusReport(name(), instances.reports(), true));
      }
    } else if (m instanceof Message.TelemetryDemand d) {
      exportInterval = Duration.ofMillis(d.intervalMillis());
      IntervalTask t = exportTask;
      if (t != null) {
        t.setPeriod(exportInterval);
      }
    } else if (m instanceof Message.Control c) {
      lastControl = c;
      controlListener.accept(c);
    } else if (m instanceof Message.ModelSet || m instanceof Message.ModelChunk) {
      ModelReplica r = models;
      if (r != null) {
        r.fromParent(m, List::of);
      }
    } else if (m instanceof Message.PlanResult r) {
      forwarding.result(r);
    } else if (m instanceof Message.SeriesQuery q) {
      // A scan: off the loop (the store is thread-safe). Not buffered: once the link is down the
      // asker has stopped waiting.
      env.workers().execute(() -> uplink.send(SeriesQueries.answer(name(), q, telemetry())));
    }
  }

  private volatile java.util.function.Consumer<Message.Control> controlListener = c -> {};
  private volatile ModelReplica models;

  /**
   * Serves the models the continuum sends (relayed by the cluster): an agent in its own process;
   * in one process every agent reads the continuum's registry directly.
   */
  public void useModels(ModelReplica replica) {
    this.models = Objects.requireNonNull(replica);
  }
  /** The last control set received, handed to a listener set later. */
  private volatile Message.Control lastControl;

  /**
   * Sets who takes the control sets the cluster relays (mode, configuration, policy files); an
   * agent in its own process applies them ({@code eu.mlsysops.agent.control.ControlApplier}).
   * Without a listener they are ignored: in one process the continuum configures agents directly.
   */
  public void onControl(java.util.function.Consumer<Message.Control> listener) {
    this.controlListener = Objects.requireNonNull(listener);
    Message.Control c = lastControl;
    if (c != null) {
      loop.execute(() -> listener.accept(c)); // in order with the sets that arrive later
    }
  }

  /**
   * Sends a message to the cluster on this agent's link, kept in order with its own messages and
   * buffered like them while the cluster is unreachable: control reports and plan records.
   *
   * @return true: what the link refuses waits in the agent's uplink buffer
   */
  public boolean sendUp(Message m) {
    up.send(m);
    return true;
  }

  /** Whether the link to the cluster is up. */
  public boolean uplinkConnected() {
    return uplink.isConnected();
  }

  private void onInstanceStatus(InstanceStatus s) {
    loop.checkInLoop();
    if (s.state().isTerminal()) {
      // Its series end now: instant queries and /metrics stop showing a stopped instance.
      store.markStale(Map.of("instance", s.instanceId()), env.clock().millis());
    }
    // A runtime tells its listeners as it changes, but each word reaches this loop later: one
    // that starts an instance at once (the process runtime: STARTING, then RUNNING, both within
    // start()) is heard after the state sync that followed the desired state had already sent
    // RUNNING. Sending the older STARTING then would make the cluster see the instance start
    // twice (two "running" events, a RUNNING → STARTING → RUNNING flap at the continuum). A
    // superseded word is dropped: the change that superseded it has its own word queued.
    if (running && instances.isCurrent(s)) {
      up.send(new Message.StatusReport(name(), List.of(instances.report(s)), false));
    }
  }

  /** Stops everything as a crash would: no goodbye to the cluster, instances left to the runtime. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      running = false;
      for (ScheduledFuture<?> f : timers) {
        f.cancel(false);
      }
      timers.clear();
      if (exportTask != null) {
        exportTask.close();
        exportTask = null;
      }
      kernel.close(() -> {});
    }
  }

  /** Whether the agent is running. */
  public boolean isRunning() {
    return running;
  }

  private final class Views implements ViewSource {
    @Override
    public List<AppDescriptor> apps() {
      return instances.apps();
    }

    @Override
    public SystemView system() {
      return instances.system();
    }
  }
}
