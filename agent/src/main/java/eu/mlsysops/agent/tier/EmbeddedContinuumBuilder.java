package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.tier.EmbeddedContinuum.RuntimeKind;
import eu.mlsysops.model.Descriptor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** How an {@link EmbeddedContinuum} is made: {@link EmbeddedContinuum#builder(Path)}. */
public final class EmbeddedContinuumBuilder {
  final Path dataDir;
  // Read by the continuum as it is built.
  List<Descriptor> topology = Topologies.defaultTopology();
  Clock clock = Clock.systemUTC();
  long seed = 42;
  Duration tick = Duration.ofMillis(250);
  EventSink events = EventSink.none();
  ClusterSettings clusterSettings = ClusterSettings.defaults();
  Path policyRoot;
  double trustThreshold = TrustFeed.DEFAULT_THRESHOLD;
  java.util.function.BiFunction<String, String, eu.mlsysops.orchestration.LoadModel>
      defaultLoad;
  RuntimeKind runtimeKind = RuntimeKind.SIMULATED;
  Path workingDirectory = Path.of("").toAbsolutePath();
  boolean remoteClusters;
  String workloadUser = eu.mlsysops.orchestration.process.WorkloadUser.DEFAULT;
  java.util.Map<String, List<String>> mechanisms = java.util.Map.of();
  int staleAfterIntervals = AgentEnvironment.DEFAULT_STALE_AFTER_INTERVALS;

  EmbeddedContinuumBuilder(Path dataDir) {
    this.dataDir = Objects.requireNonNull(dataDir);
  }

  public EmbeddedContinuumBuilder topology(List<Descriptor> topology) {
    this.topology = List.copyOf(topology);
    return this;
  }

  public EmbeddedContinuumBuilder clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  public EmbeddedContinuumBuilder seed(long seed) {
    this.seed = seed;
    return this;
  }

  public EmbeddedContinuumBuilder tick(Duration tick) {
    this.tick = tick;
    return this;
  }

  public EmbeddedContinuumBuilder events(EventSink events) {
    this.events = events;
    return this;
  }

  public EmbeddedContinuumBuilder clusterSettings(ClusterSettings settings) {
    this.clusterSettings = settings;
    return this;
  }

  /**
   * The simulated load a component gets when it first runs, by (app, component); null from the
   * function means the simulation's steady default. Used by {@code mls up --trace}.
   */
  public EmbeddedContinuumBuilder defaultLoad(
      java.util.function.BiFunction<String, String, eu.mlsysops.orchestration.LoadModel> load) {
    this.defaultLoad = load;
    return this;
  }

  /**
   * How nodes run instances (default {@link RuntimeKind#SIMULATED}). With {@link
   * RuntimeKind#PROCESS} each node gets a {@link eu.mlsysops.orchestration.process.ProcessRuntime} logging under {@code
   * <dataDir>/logs/<node>}.
   */
  public EmbeddedContinuumBuilder runtime(RuntimeKind kind) {
    this.runtimeKind = Objects.requireNonNull(kind, "runtime");
    return this;
  }

  /** The working directory of processes with {@link RuntimeKind#PROCESS} (default: the JVM's). */
  public EmbeddedContinuumBuilder workingDirectory(Path dir) {
    this.workingDirectory = Objects.requireNonNull(dir, "workingDirectory").toAbsolutePath();
    return this;
  }

  /**
   * The trust (0..1) a node needs for cluster agents to place new instances on it; default
   * 0.5 (nodes of low trust get none). 0 turns the filter off.
   */
  public EmbeddedContinuumBuilder trustThreshold(double threshold) {
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("trust threshold must be within 0..1: " + threshold);
    }
    this.trustThreshold = threshold;
    return this;
  }

  /** Where the tier policy directories are (default: {@code <dataDir>/policies}). */
  public EmbeddedContinuumBuilder policyRoot(Path policyRoot) {
    this.policyRoot = policyRoot;
    return this;
  }

  /**
   * After how many of its reporting intervals without a sample a series has stopped at every
   * tier (1 to 100; default 2): telemetry that stops arriving goes stale then, not after the
   * 5-minute lookback.
   */
  public EmbeddedContinuumBuilder staleAfterIntervals(int intervals) {
    if (intervals < 1 || intervals > 100) {
      throw new IllegalArgumentException("stale_after_intervals: must be 1 to 100, got "
          + intervals);
    }
    this.staleAfterIntervals = intervals;
    return this;
  }

  /**
   * The plug-in mechanisms ({@code MechanismProvider}s on the class path or in a jar of the tier's
   * policy directory) the agents of each tier use, by tier name ({@code node}, {@code cluster},
   * {@code continuum}); built-in names may be listed too. Default: none. A name no provider has
   * for its tier makes {@link #build()} fail naming it.
   */
  public EmbeddedContinuumBuilder mechanisms(java.util.Map<String, List<String>> byTier) {
    this.mechanisms = java.util.Map.copyOf(byTier);
    return this;
  }

  /**
   * The unprivileged user instances of the process runtime run as (default {@code nobody}),
   * where this process runs as root.
   */
  public EmbeddedContinuumBuilder workloadUser(String name) {
    this.workloadUser = java.util.Objects.requireNonNull(name);
    return this;
  }

  /**
   * Cluster agents run in other processes and attach through {@code continuum().attach(link)}
   * (e.g. from a gRPC server), so the topology may hold only the continuum descriptor. This is
   * what {@code mls agent continuum} runs. Default: false.
   */
  public EmbeddedContinuumBuilder remoteClusters(boolean remoteClusters) {
    this.remoteClusters = remoteClusters;
    return this;
  }

  /**
   * Builds the continuum, taking the data directory's lock first.
   *
   * @throws IllegalStateException when another process (or this one) already runs a continuum
   *     on the data directory, naming its pid
   */
  public EmbeddedContinuum build() {
    // A mechanism nobody provides is refused before the data directory is touched.
    new PluggedMechanisms(mechanisms, policyRoot != null ? policyRoot
        : dataDir.resolve("policies"), EmbeddedContinuum.class.getClassLoader());
    EmbeddedContinuum.createPrivateDirectory(dataDir);
    DataDirLock lock = DataDirLock.acquire(dataDir);
    try {
      return new EmbeddedContinuum(this, lock);
    } catch (RuntimeException | Error e) {
      lock.close();
      throw e;
    }
  }
}
