package eu.mlsysops.orchestration;

import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A simulated continuum: nodes built from {@link NodeDescriptor}s, each with a {@link Runtime} that
 * "runs" component instances and a {@link CpuFrequencyControl}, and a deterministic performance
 * model that turns offered load into node and instance telemetry.
 *
 * <h2>Model</h2>
 *
 * <ul>
 *   <li>Each (app, component) has a {@link LoadModel}: a request rate split evenly across its
 *       running instances. The default is steady at {@value #DEFAULT_RPS_PER_INSTANCE} requests per
 *       second per declared instance.
 *   <li>A request costs {@code cpuSecondsPerRequest} of CPU at the node's maximum frequency. The
 *       default is {@code cpuRequest × 0.6 / 10}, so the default load keeps each instance's
 *       requested CPU 60% busy. A node's capacity is {@code cores × f / fMax}.
 *   <li>Each instance is an M/M/1-like queue: it gets a share of the node's capacity (its demand
 *       plus an equal part of the idle capacity, or a part proportional to its demand when the node
 *       is overloaded, never more than its CPU limit), serves {@code μ = share / cost} requests per
 *       second, and its latency is {@code 1/(μ − λ)}, capped at {@value #MAX_LATENCY_SECONDS} s
 *       when {@code λ ≥ μ}.
 *   <li>Power follows DVFS: {@code P = P_idle + (P_max − P_idle) × utilisation × (f/fMax)²},
 *       integrated into an energy counter.
 * </ul>
 *
 * <h2>Telemetry</h2>
 *
 * Every {@link #step()}, each healthy node emits to its sink, with labels {@code node} (and {@code
 * cluster} when its descriptor has a cluster id): {@code node_cpu_utilization} (0..1), {@code
 * node_load1}, {@code node_memory_MemTotal_bytes}, {@code node_memory_MemAvailable_bytes}, {@code
 * node_cpu_scaling_frequency_hertz}, {@code node_power_watts}, {@code node_energy_joules_total}.
 * Each running instance emits, with labels {@code node, app, component, instance}: {@code
 * component_cpu_utilization} (0..1 of its CPU limit, or request when it has no limit), {@code
 * component_memory_bytes}, {@code component_requests_per_second}, {@code component_latency_ms}, and
 * one sample per QoS metric of its component, named by the metric's {@code application_metric_id}:
 * the latency in milliseconds when the id contains "latency" (any case), otherwise the instance's
 * request rate.
 *
 * <h2>Time and determinism</h2>
 *
 * Time comes from the injected clock; {@link #step()} computes one tick at the clock's time and
 * {@link #advanceTo(long)} at a given time. The same seed and the same sequence of calls produce
 * the same samples. All methods are thread-safe; sinks, status listeners and completions are called
 * after the state change, on the calling thread, while the simulation is locked, so they must be
 * quick (they may call back into the simulation).
 */
public final class Simulation {
  /** CPU request assumed for a component that declares none, in millicores. */
  static final long DEFAULT_CPU_REQUEST_MILLIS = 100;

  /** Default offered load, per declared instance. */
  public static final double DEFAULT_RPS_PER_INSTANCE = 10;

  /** Fraction of the requested CPU the default load keeps busy. */
  static final double DEFAULT_BUSY_FRACTION = 0.6;

  /** Latency reported by a saturated instance. */
  public static final double MAX_LATENCY_SECONDS = 10;

  /** Resident memory assumed for an instance that requests none. */
  static final long DEFAULT_MEMORY_USAGE_BYTES = 64L << 20;

  /** The default period of {@link #start(ScheduledExecutorService)}. */
  public static final Duration DEFAULT_TICK = Duration.ofMillis(250);

  private static final double LOAD1_WINDOW_SECONDS = 60;
  private static final int MAX_TERMINAL_PER_NODE = 64;
  private static final System.Logger LOG = System.getLogger(Simulation.class.getName());

  private final LongSupplier clock;
  private final long seed;
  private final Function<String, Consumer<Sample>> sinks;
  private final int startupTicks;
  private final java.util.function.BiFunction<String, String, LoadModel> defaultLoad;
  private final long epochMillis;

  // All state below is guarded by `this`.
  private final Map<String, SimNode> nodes = new LinkedHashMap<>();
  private final Map<String, ComponentLoad> loads = new LinkedHashMap<>();
  private long lastTickMillis = Long.MIN_VALUE;
  private int expectedSamples = 64;

  private final AtomicLong callbackErrors = new AtomicLong();
  private final AtomicLong stepErrors = new AtomicLong();
  private final AtomicBoolean callbackErrorLogged = new AtomicBoolean();
  private final AtomicBoolean stepErrorLogged = new AtomicBoolean();

  private Simulation(Builder b) {
    this.clock = b.clock;
    this.seed = b.seed;
    this.sinks = b.sinks;
    this.startupTicks = b.startupTicks;
    this.defaultLoad = b.defaultLoad;
    this.epochMillis = clock.getAsLong();
  }

  /** A builder; see its methods for the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds a node. Cores, frequencies, memory and power default by continuum layer when the
   * descriptor leaves them out. The node starts at its highest frequency.
   *
   * @throws IllegalArgumentException when a node of that name already exists
   */
  public void addNode(NodeDescriptor node) {
    Objects.requireNonNull(node, "node");
    addNode(NodeDefaults.profile(node));
  }

  synchronized void addNode(NodeProfile profile) {
    if (nodes.containsKey(profile.name())) {
      throw new IllegalArgumentException("node " + profile.name() + " already exists");
    }
    Consumer<Sample> sink = Objects.requireNonNull(sinks.apply(profile.name()), "telemetry sink");
    nodes.put(profile.name(), new SimNode(profile, sink));
  }

  /** Names of the nodes, in the order they were added. */
  public synchronized List<String> nodeNames() {
    return List.copyOf(nodes.keySet());
  }

  /**
   * The runtime of one node.
   *
   * @throws IllegalArgumentException for an unknown node
   */
  public synchronized Runtime runtime(String node) {
    return node(node).runtime;
  }

  /**
   * The DVFS knob of one node: {@code setGhz} snaps to the nearest step at or above the request,
   * and the node's capacity and power follow from the next tick.
   *
   * @throws IllegalArgumentException for an unknown node
   */
  public synchronized CpuFrequencyControl frequencyControl(String node) {
    return node(node).frequency;
  }

  /**
   * Sets the load of one component (a surge, a trace replay…), effective from the next tick. The
   * model's time starts now.
   */
  public synchronized void setLoad(String app, String component, LoadModel load) {
    Objects.requireNonNull(load, "load");
    ComponentLoad g = group(app, component);
    g.model = load;
    g.setAtMillis = now();
  }

  /** Overrides the CPU cost of one request of a component, in seconds at the node's fMax. */
  public synchronized void setCpuSecondsPerRequest(String app, String component, double seconds) {
    if (!(seconds > 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException("cpu seconds per request must be positive: " + seconds);
    }
    group(app, component).costOverride = seconds;
  }

  /**
   * Fails a node: its live instances go FAILED, it refuses new instances and stops emitting
   * telemetry until {@link #recoverNode}.
   */
  public synchronized void failNode(String name) {
    SimNode n = node(name);
    if (n.failed) {
      return;
    }
    n.failed = true;
    List<Runnable> events = new ArrayList<>();
    long now = now();
    for (SimInstance i : n.instances.values()) {
      if (!i.state.isTerminal()) {
        transition(i, InstanceState.FAILED, "node " + name + " failed", now, events);
      }
    }
    dispatch(events);
  }

  /**
   * Brings a failed node back, empty of running instances (those that failed stay FAILED; the
   * agents decide whether to restart them).
   */
  public synchronized void recoverNode(String name) {
    SimNode n = node(name);
    if (n.failed) {
      n.failed = false;
      n.load1 = 0; // a node that comes back has rebooted: nothing queued
    }
  }

  /** True while a node is failed. */
  public synchronized boolean isFailed(String node) {
    return node(node).failed;
  }

  /**
   * Fails one instance (on whichever node runs it), as if its process crashed.
   *
   * @return false when no live instance has that id
   */
  public synchronized boolean failInstance(String instanceId) {
    List<Runnable> events = new ArrayList<>();
    long now = now();
    boolean found = false;
    for (SimNode n : nodes.values()) {
      SimInstance i = n.instances.get(instanceId);
      if (i != null && !i.state.isTerminal()) {
        transition(
            i,
            InstanceState.FAILED,
            "instance crashed (fault injected by the simulation)",
            now,
            events);
        found = true;
      }
    }
    dispatch(events);
    return found;
  }

  /** Computes one tick at the clock's current time. */
  public void step() {
    advanceTo(clock.getAsLong());
  }

  /**
   * Computes one tick at {@code millis} (a time before the previous tick counts as the previous
   * tick: simulated time never runs backwards). Cost is O(nodes + instances).
   */
  public synchronized void advanceTo(long millis) {
    long t = lastTickMillis == Long.MIN_VALUE ? millis : Math.max(millis, lastTickMillis);
    double dt = lastTickMillis == Long.MIN_VALUE ? 0 : (t - lastTickMillis) / 1000.0;
    lastTickMillis = t;
    List<Runnable> events = new ArrayList<>();

    // Instances that finished starting take load on this very tick.
    for (SimNode n : nodes.values()) {
      if (n.failed) {
        continue;
      }
      for (SimInstance i : n.instances.values()) {
        if (i.state == InstanceState.STARTING) {
          if (i.ticksLeft <= 0) {
            transition(i, InstanceState.RUNNING, "started", t, events);
          } else {
            i.ticksLeft--;
          }
        }
      }
    }

    for (ComponentLoad g : loads.values()) {
      int running = 0;
      for (SimInstance i : g.members) {
        if (i.state == InstanceState.RUNNING) {
          running++;
        }
      }
      if (running == 0) {
        g.lambda = 0;
        continue;
      }
      double rps =
          g.model().requestsPerSecond(Math.max(0, t - g.setAtMillis), g.fullLoadRps(), g.seed);
      g.lambda = rps / running;
    }

    List<Sample> samples = new ArrayList<>(expectedSamples);
    List<Consumer<Sample>> sinkOf = new ArrayList<>(nodes.size());
    int[] ends = new int[nodes.size()];
    int k = 0;
    for (SimNode n : nodes.values()) {
      if (!n.failed) {
        tick(n, t, dt, samples);
      }
      sinkOf.add(n.sink);
      ends[k++] = samples.size();
    }
    expectedSamples = Math.max(64, samples.size() + samples.size() / 8);

    dispatch(events);
    int from = 0;
    for (int j = 0; j < ends.length; j++) {
      Consumer<Sample> sink = sinkOf.get(j);
      for (int s = from; s < ends[j]; s++) {
        try {
          sink.accept(samples.get(s));
        } catch (RuntimeException e) {
          callbackFailed(e);
        }
      }
      from = ends[j];
    }
  }

  /** One node's tick: shares, latencies, power, and its samples. */
  private void tick(SimNode n, long t, double dt, List<Sample> out) {
    NodeProfile p = n.profile;
    double r = n.ghz / p.maxGhz();
    double capacity = p.cores() * r;
    double demand = 0;
    int running = 0;
    for (SimInstance i : n.instances.values()) {
      if (i.state == InstanceState.RUNNING) {
        i.demand = i.group.lambda * i.group.cost();
        demand += i.demand;
        running++;
      }
    }
    double idle = capacity - demand;
    long memoryUsed = 0;
    for (SimInstance i : n.instances.values()) {
      if (i.state == InstanceState.STARTING) {
        memoryUsed += i.baseMemoryBytes / 2;
        continue;
      }
      if (i.state != InstanceState.RUNNING) {
        continue;
      }
      ComponentProfile cp = i.profile;
      double limit = cp.cpuLimitMillis() > 0 ? cp.cpuLimitMillis() / 1000.0 * r : Double.MAX_VALUE;
      double share;
      if (idle > 0) {
        share = Math.min(limit, i.demand + idle / running);
      } else {
        share = demand > 0 ? Math.min(limit, capacity * i.demand / demand) : 0;
      }
      double cost = i.group.cost();
      double lambda = i.group.lambda;
      double mu = share / cost;
      double latencySeconds =
          mu > lambda ? Math.min(MAX_LATENCY_SECONDS, 1 / (mu - lambda)) : MAX_LATENCY_SECONDS;
      double cpuCores = Math.min(i.demand, share) / r;
      double cpuUtil = Math.min(1, cpuCores / cp.referenceCores());
      long memory = (long) (i.baseMemoryBytes * (0.5 + 0.5 * cpuUtil));
      if (cp.memoryLimitBytes() > 0) {
        memory = Math.min(memory, cp.memoryLimitBytes());
      }
      memoryUsed += memory;
      double latencyMs = latencySeconds * 1000;
      out.add(new Sample("component_cpu_utilization", i.labels, t, cpuUtil));
      out.add(new Sample("component_memory_bytes", i.labels, t, memory));
      out.add(new Sample("component_requests_per_second", i.labels, t, lambda));
      out.add(new Sample("component_latency_ms", i.labels, t, latencyMs));
      for (int q = 0; q < i.qosIds.length; q++) {
        out.add(new Sample(i.qosIds[q], i.labels, t, i.qosIsLatency[q] ? latencyMs : lambda));
      }
    }
    double utilization = capacity > 0 ? Math.min(1, demand / capacity) : 0;
    // Like the kernel's load average: runnable work (which exceeds the cores when overloaded),
    // smoothed exponentially over a minute.
    double runnable = demand / r;
    double decay = Math.exp(-dt / LOAD1_WINDOW_SECONDS);
    n.load1 = n.load1 * decay + runnable * (1 - decay);
    double power = p.idleWatts() + (p.maxWatts() - p.idleWatts()) * utilization * r * r;
    n.energyJoules += power * dt;
    Labels l = n.labels;
    out.add(new Sample("node_cpu_utilization", l, t, utilization));
    out.add(new Sample("node_load1", l, t, n.load1));
    out.add(new Sample("node_memory_MemTotal_bytes", l, t, p.memoryBytes()));
    out.add(
        new Sample(
            "node_memory_MemAvailable_bytes", l, t, Math.max(0, p.memoryBytes() - memoryUsed)));
    out.add(new Sample("node_cpu_scaling_frequency_hertz", l, t, n.ghz * 1e9));
    out.add(new Sample("node_power_watts", l, t, power));
    out.add(new Sample("node_energy_joules_total", l, t, n.energyJoules));
  }

  /** Runs {@link #step()} every {@link #DEFAULT_TICK} on {@code executor}. */
  public ScheduledFuture<?> start(ScheduledExecutorService executor) {
    return start(executor, DEFAULT_TICK);
  }

  /**
   * Runs {@link #step()} every {@code tick} on {@code executor}, starting now; cancel the returned
   * future to stop. A failing step is counted ({@link #stepErrors()}) and the loop goes on.
   */
  public ScheduledFuture<?> start(ScheduledExecutorService executor, Duration tick) {
    Objects.requireNonNull(executor, "executor");
    long ms = tick.toMillis();
    if (ms <= 0) {
      throw new IllegalArgumentException("tick must be at least 1 ms, got " + tick);
    }
    return executor.scheduleAtFixedRate(this::stepSafely, 0, ms, TimeUnit.MILLISECONDS);
  }

  private void stepSafely() {
    try {
      step();
    } catch (RuntimeException e) {
      stepErrors.incrementAndGet();
      if (stepErrorLogged.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "simulation step failed (logged once, counted after)", e);
      }
    }
  }

  /** Steps of {@link #start} that threw. */
  public long stepErrors() {
    return stepErrors.get();
  }

  /** Telemetry sinks, status listeners and completions that threw (each is counted, not fatal). */
  public long callbackErrors() {
    return callbackErrors.get();
  }

  // ---- runtime operations, called by SimulatedRuntime ----

  private synchronized CompletionStage<InstanceStatus> start(SimNode n, InstanceSpec spec) {
    Objects.requireNonNull(spec, "spec");
    if (n.failed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "node "
                  + n.profile.name()
                  + " is down (failed in the simulation): cannot start "
                  + spec.instanceId()));
    }
    SimInstance existing = n.instances.get(spec.instanceId());
    if (existing != null && !existing.state.isTerminal()) {
      return CompletableFuture.completedFuture(existing.status());
    }
    ComponentProfile profile = ComponentProfile.of(spec.component());
    ComponentLoad g = group(spec.app(), spec.componentName());
    if (g.profile == null) {
      g.profile = profile;
    }
    long reserved = 0;
    for (SimInstance i : n.instances.values()) {
      if (!i.state.isTerminal()) {
        reserved += i.profile.memoryRequestBytes();
      }
    }
    long free = n.profile.memoryBytes() - reserved;
    SimInstance i = new SimInstance(n, g, spec, profile, startupTicks);
    // Re-inserting moves a restarted instance to the end: iteration follows start order.
    n.instances.remove(spec.instanceId());
    forgetOldestTerminal(n);
    n.instances.put(spec.instanceId(), i);
    List<Runnable> events = new ArrayList<>();
    long now = now();
    if (profile.memoryRequestBytes() > free) {
      transition(
          i,
          InstanceState.FAILED,
          "insufficient memory on node "
              + n.profile.name()
              + " (need "
              + Units.bytes(profile.memoryRequestBytes())
              + ", free "
              + Units.bytes(Math.max(0, free))
              + ")",
          now,
          events);
      dispatch(events);
      return CompletableFuture.completedFuture(i.status());
    }
    g.members.add(i);
    i.pending = new CompletableFuture<>();
    CompletableFuture<InstanceStatus> result = i.pending.copy();
    transition(i, InstanceState.STARTING, "starting", now, events);
    dispatch(events);
    return result;
  }

  private synchronized CompletionStage<Void> stop(SimNode n, String instanceId) {
    SimInstance i = n.instances.get(instanceId);
    if (i != null && !i.state.isTerminal()) {
      List<Runnable> events = new ArrayList<>();
      transition(i, InstanceState.STOPPED, "stopped on request", now(), events);
      dispatch(events);
    }
    return CompletableFuture.completedFuture(null);
  }

  private synchronized List<InstanceStatus> instances(SimNode n) {
    List<InstanceStatus> out = new ArrayList<>(n.instances.size());
    for (SimInstance i : n.instances.values()) {
      out.add(i.status());
    }
    return out;
  }

  private synchronized void setGhz(SimNode n, double ghz) {
    n.ghz = Frequencies.snapUp(n.profile.freqsGhz(), ghz);
  }

  private synchronized double currentGhz(SimNode n) {
    return n.ghz;
  }

  // ---- internals ----

  /**
   * Keeps at most {@value #MAX_TERMINAL_PER_NODE} stopped or failed instances per node, so that
   * churn under new instance ids cannot grow memory without bound; the oldest goes first.
   */
  private static void forgetOldestTerminal(SimNode n) {
    int terminal = 0;
    String oldest = null;
    for (SimInstance i : n.instances.values()) {
      if (i.state.isTerminal()) {
        terminal++;
        if (oldest == null) {
          oldest = i.id;
        }
      }
    }
    if (terminal >= MAX_TERMINAL_PER_NODE) {
      n.instances.remove(oldest);
    }
  }

  /** Simulated now: the clock, but never before the last tick (advanceTo may run ahead). */
  private long now() {
    long c = clock.getAsLong();
    return lastTickMillis == Long.MIN_VALUE ? c : Math.max(c, lastTickMillis);
  }

  private SimNode node(String name) {
    SimNode n = nodes.get(name);
    if (n == null) {
      throw new IllegalArgumentException("unknown node " + name + "; known: " + nodes.keySet());
    }
    return n;
  }

  private ComponentLoad group(String app, String component) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(component, "component");
    return loads.computeIfAbsent(
        app + '\u0000' + component,
        key -> {
          ComponentLoad g = new ComponentLoad(mix(seed, app, component), epochMillis);
          g.model = defaultLoad == null ? null : defaultLoad.apply(app, component);
          return g;
        });
  }

  /** A per-component seed: distinct components burst independently, yet reproducibly. */
  private static long mix(long seed, String app, String component) {
    long z =
        seed
            ^ (app.hashCode() * 0x9E3779B97F4A7C15L)
            ^ (component.hashCode() * 0xC2B2AE3D27D4EB4FL);
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    return z ^ (z >>> 33);
  }

  private void transition(
      SimInstance i, InstanceState state, String reason, long now, List<Runnable> events) {
    i.state = state;
    i.reason = reason;
    i.sinceMillis = now;
    if (state.isTerminal()) {
      i.group.members.remove(i);
    }
    InstanceStatus status = i.status();
    for (Consumer<InstanceStatus> l : i.node.listeners) {
      events.add(() -> l.accept(status));
    }
    if (state != InstanceState.STARTING && i.pending != null) {
      CompletableFuture<InstanceStatus> f = i.pending;
      i.pending = null;
      events.add(() -> f.complete(status));
    }
  }

  private void dispatch(List<Runnable> events) {
    for (Runnable r : events) {
      try {
        r.run();
      } catch (RuntimeException e) {
        callbackFailed(e);
      }
    }
  }

  private void callbackFailed(RuntimeException e) {
    callbackErrors.incrementAndGet();
    if (callbackErrorLogged.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "a simulation callback threw (logged once, counted after)", e);
    }
  }

  /** Builds a {@link Simulation}. */
  public static final class Builder {
    private LongSupplier clock = Clock.systemUTC()::millis;
    private long seed;
    private Function<String, Consumer<Sample>> sinks = node -> sample -> {};
    private int startupTicks;
    private java.util.function.BiFunction<String, String, LoadModel> defaultLoad;

    private Builder() {}

    /**
     * The load a component gets when first seen, by (app, component); {@code null} from the
     * function (or no function) means the default steady load. {@link #setLoad} still overrides.
     */
    public Builder defaultLoad(java.util.function.BiFunction<String, String, LoadModel> load) {
      this.defaultLoad = load;
      return this;
    }

    /** The time source; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      this.clock = clock::millis;
      return this;
    }

    /** The time source as epoch milliseconds (e.g. a test's fake clock). */
    public Builder millis(LongSupplier millis) {
      this.clock = Objects.requireNonNull(millis, "millis");
      return this;
    }

    /** Seed of every random choice (bursts); default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** One sink for all nodes, told the node name with each sample; default: discard. */
    public Builder telemetry(BiConsumer<String, Sample> sink) {
      Objects.requireNonNull(sink, "sink");
      this.sinks = node -> sample -> sink.accept(node, sample);
      return this;
    }

    /** A sink per node (e.g. each node agent's metric store), looked up when the node is added. */
    public Builder telemetryPerNode(Function<String, Consumer<Sample>> sinks) {
      this.sinks = Objects.requireNonNull(sinks, "sinks");
      return this;
    }

    /**
     * Ticks an instance stays STARTING before the tick that makes it RUNNING; default 0 (RUNNING on
     * the next tick).
     */
    public Builder startupTicks(int ticks) {
      if (ticks < 0) {
        throw new IllegalArgumentException("startupTicks must be non-negative, got " + ticks);
      }
      this.startupTicks = ticks;
      return this;
    }

    /** A simulation with no nodes yet; its load-model clock starts now. */
    public Simulation build() {
      return new Simulation(this);
    }
  }

  /** One simulated node and its mutable state. */
  private final class SimNode {
    final NodeProfile profile;
    final Consumer<Sample> sink;
    final Labels labels;
    final Map<String, SimInstance> instances = new LinkedHashMap<>();
    final List<Consumer<InstanceStatus>> listeners = new CopyOnWriteArrayList<>();
    final Runtime runtime;
    final CpuFrequencyControl frequency;
    double ghz;
    boolean failed;
    double load1;
    double energyJoules;

    SimNode(NodeProfile profile, Consumer<Sample> sink) {
      this.profile = profile;
      this.sink = sink;
      this.labels =
          profile.clusterId() == null
              ? Labels.of("node", profile.name())
              : Labels.of("node", profile.name(), "cluster", profile.clusterId());
      this.ghz = profile.maxGhz();
      this.runtime = new SimulatedRuntime(this);
      this.frequency = new SimulatedFrequencyControl(this);
    }
  }

  /** One instance on one node. */
  private static final class SimInstance {
    final SimNode node;
    final ComponentLoad group;
    final String id;
    final String app;
    final String component;
    final ComponentProfile profile;
    final Labels labels;
    final String[] qosIds;
    final boolean[] qosIsLatency;
    final long baseMemoryBytes;
    InstanceState state = InstanceState.STARTING;
    String reason = "";
    long sinceMillis;
    int ticksLeft;
    double demand;
    CompletableFuture<InstanceStatus> pending;

    SimInstance(
        SimNode node,
        ComponentLoad group,
        InstanceSpec spec,
        ComponentProfile profile,
        int startupTicks) {
      this.node = node;
      this.group = group;
      this.id = spec.instanceId();
      this.app = spec.app();
      this.component = spec.componentName();
      this.profile = profile;
      this.ticksLeft = startupTicks;
      this.labels =
          Labels.of(
              "node", node.profile.name(), "app", app, "component", component, "instance", id);
      this.qosIds = profile.qosMetricIds().toArray(new String[0]);
      this.qosIsLatency = new boolean[qosIds.length];
      for (int q = 0; q < qosIds.length; q++) {
        qosIsLatency[q] = qosIds[q].toLowerCase(Locale.ROOT).contains("latency");
      }
      this.baseMemoryBytes =
          profile.memoryRequestBytes() > 0
              ? profile.memoryRequestBytes()
              : DEFAULT_MEMORY_USAGE_BYTES;
    }

    InstanceStatus status() {
      return new InstanceStatus(
          id, app, component, node.profile.name(), state, reason, sinceMillis);
    }
  }

  /** The load of one (app, component) and its running instances across nodes. */
  private static final class ComponentLoad {
    final long seed;
    final Set<SimInstance> members = new LinkedHashSet<>();
    LoadModel model;
    long setAtMillis;
    double costOverride = Double.NaN;
    ComponentProfile profile;
    double lambda;

    ComponentLoad(long seed, long setAtMillis) {
      this.seed = seed;
      this.setAtMillis = setAtMillis;
    }

    /** CPU seconds per request at fMax. */
    double cost() {
      if (!Double.isNaN(costOverride)) {
        return costOverride;
      }
      return profile.requestCores() * DEFAULT_BUSY_FRACTION / DEFAULT_RPS_PER_INSTANCE;
    }

    LoadModel model() {
      if (model == null) {
        model = LoadModel.steady(DEFAULT_RPS_PER_INSTANCE * profile.declaredInstances());
      }
      return model;
    }

    /** The rate that keeps the declared instances at 100% of their reference CPU. */
    double fullLoadRps() {
      return profile.referenceCores() * profile.declaredInstances() / cost();
    }
  }

  /** The {@link Runtime} of one simulated node. */
  private final class SimulatedRuntime implements Runtime {
    private final SimNode node;

    SimulatedRuntime(SimNode node) {
      this.node = node;
    }

    @Override
    public String nodeName() {
      return node.profile.name();
    }

    @Override
    public CompletionStage<InstanceStatus> start(InstanceSpec spec) {
      return Simulation.this.start(node, spec);
    }

    @Override
    public CompletionStage<Void> stop(String instanceId) {
      return Simulation.this.stop(node, instanceId);
    }

    @Override
    public List<InstanceStatus> instances() {
      return Simulation.this.instances(node);
    }

    @Override
    public void onStatusChange(Consumer<InstanceStatus> listener) {
      node.listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public String toString() {
      return "SimulatedRuntime[" + node.profile.name() + "]";
    }
  }

  /** The DVFS knob of one simulated node. */
  private final class SimulatedFrequencyControl implements CpuFrequencyControl {
    private final SimNode node;

    SimulatedFrequencyControl(SimNode node) {
      this.node = node;
    }

    @Override
    public List<Double> availableGhz() {
      return node.profile.freqsGhz();
    }

    @Override
    public double currentGhz() {
      return Simulation.this.currentGhz(node);
    }

    @Override
    public void setGhz(double ghz) {
      Simulation.this.setGhz(node, ghz);
    }
  }
}
