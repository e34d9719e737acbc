package eu.mlsysops.security;

import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.TrustSource;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A reputation per node from three kinds of evidence, each explained:
 *
 * <ul>
 *   <li><b>identity</b>: the node registered, and its descriptor agrees with how it identifies
 *       itself (the name it registers under, the cluster it registers with, the peer identity of
 *       its connection when there is one);
 *   <li><b>behaviour</b>: penalties for failed instances, failed plans, missed heartbeats, late
 *       heartbeats, registration flapping and telemetry anomalies (a streaming {@link
 *       AnomalyDetector} over the node's utilisation, load, power and memory). Each penalty decays
 *       exponentially with {@link Builder#halfLife}: a node recovers by behaving;
 *   <li><b>capability</b>: what the node declares against what it reports, only for what the
 *       descriptor declares: less memory or fewer CPUs than declared, or a CPU frequency above
 *       the declared maximum. Not for a node that shares its host with other nodes ({@link
 *       Builder#sharedHost}): what it reports is the host's, not its own.
 * </ul>
 *
 * <p>{@code score = identity × behaviour^0.6 × capability^0.4} (see {@link NodeTrust}). It
 * is a {@link TrustSource}: give it to a placer with a threshold and untrusted nodes are filtered
 * out. Listeners hear when a node's {@link TrustLevel} changes.
 *
 * <p>Time comes from the injected clock. Thread-safe; listeners run on the calling thread after
 * the engine's lock is released.
 */
public final class TrustEngine implements TrustSource {
  static final double W_INSTANCE_FAILED = 0.15;
  static final double W_PLAN_FAILED = 0.10;
  static final double W_UNREACHABLE = 0.30;
  static final double W_LATE_HEARTBEAT = 0.05;
  static final double W_FLAP = 0.05;
  static final double W_ANOMALY = 0.10;
  /** The least time between two unreachability penalties of one node. */
  static final long UNREACHABLE_COOLDOWN_MILLIS = 60_000;
  /** Tolerance between declared and reported capability before it counts. */
  static final double CAPABILITY_TOLERANCE = 0.05;
  /** Events kept per node: older ones contribute almost nothing anyway. */
  static final int MAX_EVENTS = 256;

  static final String UTILIZATION = "node_cpu_utilization";
  static final String LOAD1 = "node_load1";
  static final String POWER = "node_power_watts";
  static final String MEM_TOTAL = "node_memory_MemTotal_bytes";
  static final String MEM_AVAILABLE = "node_memory_MemAvailable_bytes";
  static final String FREQUENCY = "node_cpu_scaling_frequency_hertz";
  static final String CPU_SECONDS = "node_cpu_seconds_total";
  static final List<String> DETECTOR_DIMENSIONS =
      List.of(UTILIZATION, LOAD1 + "_per_core", POWER, "node_memory_used_fraction");

  private final Clock clock;
  private final double halfLifeMillis;
  private final long heartbeatMillis;
  private final long anomalyCooldownMillis;
  private final long pointIntervalMillis;
  private final long seed;
  private final java.util.function.Predicate<String> sharedHost;
  private final Map<String, Entry> nodes = new LinkedHashMap<>();
  private final List<Consumer<TrustChange>> listeners = new CopyOnWriteArrayList<>();

  private TrustEngine(Builder b) {
    this.clock = b.clock;
    this.halfLifeMillis = b.halfLife.toMillis();
    this.heartbeatMillis = b.heartbeatInterval.toMillis();
    this.anomalyCooldownMillis = b.anomalyCooldown.toMillis();
    this.pointIntervalMillis = b.detectorInterval.toMillis();
    this.seed = b.seed;
    this.sharedHost = b.sharedHost;
  }

  /**
   * A builder. Defaults: system clock, 10 min half-life, 1 s expected heartbeat interval, 30 s
   * between two anomaly penalties of one node, one anomaly-detector point per node per second,
   * seed 42.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Calls {@code listener} when a node's trust level changes. */
  public void onLevelChange(Consumer<TrustChange> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  // ---- evidence ----

  /**
   * A node registered (or re-registered).
   *
   * @param claimedName the name it registered under (the sender of the message)
   * @param descriptor the descriptor it sent
   * @param cluster the cluster it registered with
   * @param peerIdentity the authenticated identity of its connection (mTLS subject), if any
   */
  public void registered(
      String claimedName, NodeDescriptor descriptor, String cluster, Optional<String> peerIdentity) {
    Objects.requireNonNull(descriptor, "descriptor");
    long now = clock.millis();
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      Entry e = entry(claimedName);
      List<String> problems = new ArrayList<>();
      double identity = 1;
      if (!claimedName.equals(descriptor.name())) {
        identity = Math.min(identity, 0.2);
        problems.add("registered as " + claimedName + " with a descriptor named "
            + descriptor.name());
      }
      if (peerIdentity.isPresent() && !peerIdentity.get().equals(claimedName)) {
        identity = 0;
        problems.add("connection authenticated as " + peerIdentity.get() + ", not "
            + claimedName);
      }
      String declaredCluster = descriptor.clusterId();
      if (declaredCluster != null && !declaredCluster.isBlank() && cluster != null
          && !declaredCluster.equals(cluster)) {
        identity = Math.min(identity, 0.5);
        problems.add("descriptor names cluster " + declaredCluster + " but registered with "
            + cluster);
      }
      if (e.descriptor != null) {
        String change = declarationChange(e.descriptor, descriptor);
        if (!change.isEmpty()) {
          e.add(new Event(Kind.FLAP, now, W_FLAP, "declared " + change + " on re-registration"));
        } else if (now - e.lastRegisteredMillis < 60_000) {
          e.add(new Event(Kind.FLAP, now, W_FLAP, "re-registered within a minute"));
        }
      }
      e.descriptor = descriptor;
      e.identity = identity;
      e.identityProblems = problems;
      e.lastRegisteredMillis = now;
      e.lastHeartbeatMillis = now;
      e.detector = null; // the declared capacity may have changed: normalise afresh
      evaluate(e, now, after);
    }
    after.forEach(Runnable::run);
  }

  /** A heartbeat arrived; one much later than expected counts as a small penalty. */
  public void heartbeat(String node) {
    long now = clock.millis();
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      Entry e = nodes.get(node);
      if (e == null) {
        return;
      }
      long gap = now - e.lastHeartbeatMillis;
      boolean changed = e.unreachable;
      if (e.lastHeartbeatMillis > 0 && gap > lateAfterMillis() && !e.unreachable) {
        e.add(new Event(Kind.LATE_HEARTBEAT, now, W_LATE_HEARTBEAT,
            "heartbeat " + gap + " ms after the previous one (expected every " + heartbeatMillis
                + " ms)"));
        changed = true;
      }
      e.unreachable = false;
      e.lastHeartbeatMillis = now;
      if (changed) { // an on-time heartbeat changes nothing that trust is computed from
        evaluate(e, now, after);
      }
    }
    after.forEach(Runnable::run);
  }

  /**
   * A gap that counts as a late heartbeat: three intervals, but at least 2 s, so scheduling
   * jitter on a busy host with sub-second heartbeats is not held against the node.
   */
  private long lateAfterMillis() {
    return Math.max(3 * heartbeatMillis, 2000);
  }

  /**
   * The cluster stopped hearing from the node. Counted at most once per {@link
   * #UNREACHABLE_COOLDOWN_MILLIS} per node: a node that flaps is penalised per minute of flapping,
   * not per flap, so an overloaded host with sub-second heartbeats is not shut out in seconds.
   */
  public void unreachable(String node, String why) {
    long now = clock.millis();
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      Entry e = entry(node);
      e.unreachable = true;
      if (now - e.lastUnreachableMillis >= UNREACHABLE_COOLDOWN_MILLIS) {
        e.lastUnreachableMillis = now;
        e.add(new Event(Kind.UNREACHABLE, now, W_UNREACHABLE, why));
      }
      evaluate(e, now, after);
    }
    after.forEach(Runnable::run);
  }

  /** An instance failed on the node. */
  public void instanceFailed(String node, String instanceId, String reason) {
    record(node, Kind.INSTANCE_FAILED, W_INSTANCE_FAILED,
        instanceId + (reason == null || reason.isBlank() ? "" : ": " + reason), e -> {});
  }

  /** A plan executed on the node failed. */
  public void planFailed(String node, String policy, String reason) {
    record(node, Kind.PLAN_FAILED, W_PLAN_FAILED,
        policy + (reason == null || reason.isBlank() ? "" : ": " + reason), e -> {});
  }

  /** The node left the continuum: its record is dropped. */
  public synchronized void forget(String node) {
    nodes.remove(node);
  }

  /**
   * A telemetry sample with a {@code node} label. Node gauges feed the anomaly detector (one point
   * per {@code node_cpu_utilization} sample, with the latest value of each other dimension) and
   * the capability check; other samples are ignored.
   */
  public void telemetry(Sample sample) {
    String node = sample.labels().get("node");
    if (node == null || !Double.isFinite(sample.value())) {
      return;
    }
    String metric = sample.metric();
    switch (metric) {
      case UTILIZATION, LOAD1, POWER, MEM_TOTAL, MEM_AVAILABLE, FREQUENCY, CPU_SECONDS -> { }
      default -> {
        return;
      }
    }
    long now = clock.millis();
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      Entry e = nodes.get(node);
      if (e == null || e.descriptor == null) {
        return; // unregistered: identity 0 already, nothing to compare with
      }
      // Only a changed capability fact or a detector point can change the node's trust here;
      // evaluating on every sample cost more than the forest at thousands of nodes.
      boolean changed = false;
      switch (metric) {
        case MEM_TOTAL -> {
          changed = e.reportedMemory != sample.value();
          e.reportedMemory = sample.value();
        }
        case FREQUENCY -> {
          changed = sample.value() > e.reportedMaxHz;
          e.reportedMaxHz = Math.max(e.reportedMaxHz, sample.value());
        }
        case CPU_SECONDS -> {
          String cpu = sample.labels().get("cpu");
          changed = cpu != null && e.cpus.size() < 4096 && e.cpus.add(cpu);
        }
        default -> e.latest.put(metric, sample.value());
      }
      if (metric.equals(UTILIZATION) && now - e.lastPointMillis >= pointIntervalMillis) {
        // At most one detector point per interval: the forest's cost (tens of µs a point) stays
        // the same whatever the telemetry rate, and its memory spans the same time.
        e.lastPointMillis = now;
        detect(e, now);
        changed = true;
      }
      if (changed) {
        evaluate(e, now, after);
      }
    }
    after.forEach(Runnable::run);
  }

  // ---- answers ----

  /** The node's trust now; empty for a node never seen. */
  public Optional<NodeTrust> trust(String node) {
    long now = clock.millis();
    List<Runnable> after = new ArrayList<>();
    NodeTrust t;
    synchronized (this) {
      Entry e = nodes.get(node);
      if (e == null) {
        return Optional.empty();
      }
      t = evaluate(e, now, after);
    }
    after.forEach(Runnable::run);
    return Optional.of(t);
  }

  /** Every known node's trust now, by name. */
  public Map<String, NodeTrust> all() {
    long now = clock.millis();
    List<Runnable> after = new ArrayList<>();
    Map<String, NodeTrust> out = new TreeMap<>();
    synchronized (this) {
      for (Entry e : nodes.values()) {
        out.put(e.name, evaluate(e, now, after));
      }
    }
    after.forEach(Runnable::run);
    return out;
  }

  /** {@inheritDoc} An unknown node scores 0. */
  @Override
  public double trust(NodeDescriptor node) {
    return trust(node.name()).map(NodeTrust::score).orElse(0.0);
  }

  /**
   * Re-evaluates every node at the clock's time, so levels recover (and listeners hear it) even
   * when no new evidence arrives. Agents call it periodically.
   */
  public void refresh() {
    all();
  }

  // ---- internals ----

  private void record(String node, Kind kind, double weight, String detail, Consumer<Entry> also) {
    long now = clock.millis();
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      Entry e = entry(node);
      e.add(new Event(kind, now, weight, detail));
      also.accept(e);
      evaluate(e, now, after);
    }
    after.forEach(Runnable::run);
  }

  private Entry entry(String node) {
    return nodes.computeIfAbsent(Objects.requireNonNull(node, "node"), Entry::new);
  }

  private void detect(Entry e, long now) {
    NodeCandidate declared = NodeCandidate.idle(e.descriptor);
    double cores = Math.max(1, declared.cpuCapacityMillis() / 1000.0);
    Double util = e.latest.get(UTILIZATION);
    Double load = e.latest.get(LOAD1);
    Double power = e.latest.get(POWER);
    Double avail = e.latest.get(MEM_AVAILABLE);
    double total = e.reportedMemory > 0 ? e.reportedMemory : declared.memoryCapacityBytes();
    if (util == null) {
      return;
    }
    // Power has no declared scale: divide by a slow moving average, so a spike stands out
    // (a running maximum would absorb the spike into the scale).
    if (power != null && power > 0) {
      e.powerScale = e.powerScale <= 0 ? power : 0.99 * e.powerScale + 0.01 * power;
    }
    double[] point = {
      util,
      load == null ? 0 : load / cores,
      power == null || e.powerScale <= 0 ? 0 : power / e.powerScale,
      avail == null || total <= 0 ? 0 : 1 - avail / total
    };
    if (e.detector == null) {
      e.detector = AnomalyDetector.randomCutForest(DETECTOR_DIMENSIONS, seed ^ e.name.hashCode());
    }
    Optional<AnomalyDetector.Anomaly> a = e.detector.observe(point);
    if (a.isPresent() && now - e.lastAnomalyMillis >= anomalyCooldownMillis) {
      e.lastAnomalyMillis = now;
      e.add(new Event(Kind.ANOMALY, now, W_ANOMALY, a.get().describe()));
    }
  }

  private NodeTrust evaluate(Entry e, long now, List<Runnable> after) {
    List<String> reasons = new ArrayList<>();
    double identity;
    if (e.descriptor == null) {
      identity = 0;
      reasons.add("not registered");
    } else {
      identity = e.identity;
      reasons.addAll(e.identityProblems);
    }
    // behaviour
    double mass = 0;
    Map<Kind, List<Event>> recent = new EnumMap<>(Kind.class);
    while (!e.events.isEmpty() && decay(e.events.peekFirst(), now) < 1e-4) {
      e.events.removeFirst();
    }
    for (Event ev : e.events) {
      double w = decay(ev, now);
      mass += w;
      if (w >= 0.1 * ev.weight) {
        recent.computeIfAbsent(ev.kind, k -> new ArrayList<>()).add(ev);
      }
    }
    double behaviour = Math.exp(-mass);
    for (Map.Entry<Kind, List<Event>> r : recent.entrySet()) {
      List<Event> evs = r.getValue();
      long ageMin = Math.max(1, (now - evs.get(0).atMillis + 59_999) / 60_000);
      Event last = evs.get(evs.size() - 1);
      reasons.add(evs.size() + " " + r.getKey().noun(evs.size()) + " in the last " + ageMin
          + " min (latest: " + last.detail + ")");
    }
    // capability
    double capability = 1;
    // A node on a host shared with other nodes (local processes of one machine) reports the
    // host's memory, CPUs and frequency: they say nothing about what the node was declared with.
    if (e.descriptor != null && !sharedHost.test(e.name)) {
      capability = capability(e, reasons);
    }
    double score = clamp(identity * Math.pow(behaviour, 0.6) * Math.pow(capability, 0.4));
    NodeTrust t = new NodeTrust(e.name, round(score), round(identity), round(behaviour),
        round(capability), TrustLevel.of(score), reasons, now);
    if (e.level != null && e.level != t.level()) {
      TrustChange change = new TrustChange(e.name, e.level, t.level(), t);
      for (Consumer<TrustChange> l : listeners) {
        after.add(() -> l.accept(change));
      }
    }
    e.level = t.level();
    return t;
  }

  private static double capability(Entry e, List<String> reasons) {
    double worst = 1;
    var hw = e.descriptor.hardware();
    // Only less than declared counts: placement trusts the declaration, so a node that has less
    // overcommits what runs there; one that has more (a host described modestly) harms nothing.
    if (hw != null && hw.memory() != null && e.reportedMemory > 0) {
      double declared = hw.memoryBytes();
      double ratio = Math.min(1, e.reportedMemory / declared);
      if (ratio < 1 - CAPABILITY_TOLERANCE) {
        worst = Math.min(worst, ratio);
        reasons.add("memory reported " + bytes(e.reportedMemory) + " vs declared "
            + bytes(declared));
      }
    }
    if (hw != null && hw.cpu() != null) {
      List<Double> ghz = hw.cpu().frequencyGhz();
      if (!ghz.isEmpty() && e.reportedMaxHz > 0) {
        double declaredMax = ghz.stream().mapToDouble(Double::doubleValue).max().orElse(0) * 1e9;
        if (e.reportedMaxHz > declaredMax * (1 + CAPABILITY_TOLERANCE)) {
          worst = Math.min(worst, declaredMax / e.reportedMaxHz);
          reasons.add(String.format(Locale.ROOT, "cpu frequency reported %.2f GHz above the declared"
              + " maximum %.2f GHz", e.reportedMaxHz / 1e9, declaredMax / 1e9));
        }
      }
      Integer cores = hw.cpu().cores();
      if (cores != null && cores > 0 && !e.cpus.isEmpty() && e.cpus.size() < cores) {
        double ratio = (double) e.cpus.size() / cores;
        worst = Math.min(worst, ratio);
        reasons.add("reports " + e.cpus.size() + " cpus vs " + cores + " declared cores");
      }
    }
    return worst;
  }

  /** What differs between two declarations of the same node's capacity, or "". */
  private static String declarationChange(NodeDescriptor before, NodeDescriptor now) {
    NodeCandidate a = NodeCandidate.idle(before);
    NodeCandidate b = NodeCandidate.idle(now);
    List<String> out = new ArrayList<>();
    if (a.memoryCapacityBytes() != b.memoryCapacityBytes()) {
      out.add("memory " + bytes(a.memoryCapacityBytes()) + " → " + bytes(b.memoryCapacityBytes()));
    }
    if (a.cpuCapacityMillis() != b.cpuCapacityMillis()) {
      out.add("cpu " + a.cpuCapacityMillis() / 1000.0 + " → " + b.cpuCapacityMillis() / 1000.0
          + " cores");
    }
    return String.join(", ", out);
  }

  private double decay(Event ev, long now) {
    return ev.weight * Math.pow(2, -Math.max(0, now - ev.atMillis) / halfLifeMillis);
  }

  private static String bytes(double b) {
    double gib = b / (1L << 30);
    if (gib >= 1) {
      return String.format(Locale.ROOT, gib == Math.rint(gib) ? "%.0f GiB" : "%.1f GiB", gib);
    }
    return String.format(Locale.ROOT, "%.0f MiB", b / (1L << 20));
  }

  private static double clamp(double v) {
    return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private enum Kind {
    INSTANCE_FAILED("failed instance", "failed instances"),
    PLAN_FAILED("failed plan", "failed plans"),
    UNREACHABLE("time unreachable", "times unreachable"),
    LATE_HEARTBEAT("late heartbeat", "late heartbeats"),
    FLAP("re-registration", "re-registrations"),
    ANOMALY("telemetry anomaly", "telemetry anomalies");

    private final String one;
    private final String many;

    Kind(String one, String many) {
      this.one = one;
      this.many = many;
    }

    String noun(int n) {
      return n == 1 ? one : many;
    }
  }

  private record Event(Kind kind, long atMillis, double weight, String detail) {}

  private static final class Entry {
    final String name;
    NodeDescriptor descriptor;
    double identity;
    List<String> identityProblems = List.of();
    long lastRegisteredMillis;
    long lastHeartbeatMillis;
    long lastAnomalyMillis = Long.MIN_VALUE / 2;
    long lastUnreachableMillis = Long.MIN_VALUE / 2;
    long lastPointMillis = Long.MIN_VALUE / 2;
    boolean unreachable;
    final Deque<Event> events = new ArrayDeque<>();
    final Map<String, Double> latest = new LinkedHashMap<>();
    final TreeSet<String> cpus = new TreeSet<>();
    double reportedMemory;
    double reportedMaxHz;
    double powerScale;
    AnomalyDetector detector;
    TrustLevel level;

    Entry(String name) {
      this.name = name;
    }

    void add(Event ev) {
      events.addLast(ev);
      if (events.size() > MAX_EVENTS) {
        events.removeFirst();
      }
    }
  }

  /** Builder for {@link TrustEngine}. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Duration halfLife = Duration.ofMinutes(10);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration anomalyCooldown = Duration.ofSeconds(30);
    private Duration detectorInterval = Duration.ofSeconds(1);
    private long seed = 42;
    private java.util.function.Predicate<String> sharedHost = node -> false;

    private Builder() {}

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long until a penalty weighs half as much: the pace of recovery. */
    public Builder halfLife(Duration halfLife) {
      this.halfLife = positive("halfLife", halfLife);
      return this;
    }

    /** The heartbeat interval nodes were told to keep. */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = positive("heartbeatInterval", interval);
      return this;
    }

    /** The least time between two anomaly penalties of one node (a burst counts once). */
    public Builder anomalyCooldown(Duration cooldown) {
      this.anomalyCooldown = Objects.requireNonNull(cooldown, "anomalyCooldown");
      return this;
    }

    /** The least time between two points of one node's anomaly detector. */
    public Builder detectorInterval(Duration interval) {
      this.detectorInterval = Objects.requireNonNull(interval, "detectorInterval");
      return this;
    }

    /**
     * Which nodes share their host with other nodes (default: none), as the nodes of {@code mls
     * up --runtime process} share this machine: what their host reports (memory, CPUs,
     * frequency) is the host's, so it is not compared with what they declare. Asked at each
     * evaluation, so nodes that join later are covered.
     */
    public Builder sharedHost(java.util.function.Predicate<String> nodes) {
      this.sharedHost = Objects.requireNonNull(nodes, "nodes");
      return this;
    }

    /** Seed of the anomaly detectors' forests. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public TrustEngine build() {
      return new TrustEngine(this);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
