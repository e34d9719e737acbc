package eu.mlsysops.agent.engine;

import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.MlConnector;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.plan.PlanRequest;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.query.QueryEngine;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.TelemetryQuery;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The Analyze and Plan stages of one agent's MAPE loop. Runs every loaded policy periodically and
 * whenever a sample arrives for a metric it subscribed to; wake-ups are coalesced so that at most
 * one analysis per policy instance is in flight and a burst of samples causes one more analysis, not
 * one per sample. Plans go to the {@link PlanScheduler}. A policy that throws is counted and logged;
 * it never stops the loop.
 */
public final class PolicyEngine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PolicyEngine.class.getName());

  private final String agentId;
  private final Clock clock;
  private final MetricStore telemetry;
  private final QueryEngine queries;
  private final PlanScheduler scheduler;
  private final ViewSource source;
  private final ScheduledExecutorService timers;
  private final Executor workers;
  private final Map<String, LoadedPolicy> policies = new LinkedHashMap<>();
  private final Map<String, AppDescriptor> apps = new LinkedHashMap<>();
  private final Map<String, List<Runner>> byMetric = new ConcurrentHashMap<>();
  private final Map<String, AutoCloseable> subscriptions = new HashMap<>();
  private volatile PolicyContext.Mode mode = PolicyContext.Mode.HEURISTIC;
  private volatile java.util.Set<String> disabled = java.util.Set.of();
  private final List<Runnable> demandListeners = new CopyOnWriteArrayList<>();

  /**
   * @param agentId the agent, for plan records
   * @param clock time source for views
   * @param telemetry the agent's store: its samples wake subscribed policies
   * @param scheduler where plans go
   * @param source apps and system view of the agent
   * @param timers runs periodic analyses
   * @param workers runs analyses
   */
  public PolicyEngine(
      String agentId, Clock clock, MetricStore telemetry, PlanScheduler scheduler,
      ViewSource source, ScheduledExecutorService timers, Executor workers) {
    this.agentId = Objects.requireNonNull(agentId);
    this.clock = Objects.requireNonNull(clock);
    this.telemetry = Objects.requireNonNull(telemetry);
    this.queries = new QueryEngine(telemetry);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.source = Objects.requireNonNull(source);
    this.timers = Objects.requireNonNull(timers);
    this.workers = Objects.requireNonNull(workers);
  }

  /**
   * Loads a policy. The factory makes one instance per app for application-scoped policies.
   * Names are unique per agent: loading a second policy of a loaded name is refused.
   *
   * @return the policy's name (from its context)
   * @throws IllegalArgumentException when the policy cannot be instantiated or initialised
   */
  public synchronized String add(
      Supplier<? extends Policy<?>> factory, String sourceDescription) {
    Policy<?> first;
    PolicyContext ctx;
    try {
      first = factory.get();
      ctx = first.initialize();
    } catch (RuntimeException | LinkageError e) {
      throw new IllegalArgumentException(
          sourceDescription + ": initialize() failed: " + describe(e), e);
    }
    if (ctx == null || ctx.name() == null || ctx.name().isBlank()) {
      throw new IllegalArgumentException(
          sourceDescription + ": initialize() must return a context with a name");
    }
    LoadedPolicy existing = policies.get(ctx.name());
    if (existing != null) {
      // Silently replacing (say) the built-in qos-relocation with a user file of the same name
      // would leave no relocation at all once the file is deleted.
      throw new IllegalArgumentException(sourceDescription + ": a policy named \"" + ctx.name()
          + "\" is already loaded from " + existing.source + "; choose another name");
    }
    LoadedPolicy lp = new LoadedPolicy(ctx, factory, sourceDescription);
    policies.put(ctx.name(), lp);
    if (ctx.scope() == PolicyContext.Scope.GLOBAL) {
      lp.start(null, first);
    } else {
      boolean firstUsed = false;
      for (AppDescriptor app : apps.values()) {
        lp.start(app.name(), firstUsed ? null : first);
        firstUsed = true;
      }
    }
    demandChanged();
    return ctx.name();
  }

  /** Stops and removes a policy; unknown names are ignored. */
  public synchronized void remove(String name) {
    LoadedPolicy lp = policies.remove(name);
    if (lp != null) {
      lp.stopAll();
      demandChanged();
    }
  }

  /**
   * How often this agent's active policies want fresh telemetry: the shortest analysis interval
   * among the enabled policies of the current mode that subscribe to metrics; empty when none
   * does. Agents pass it down so that children export exactly as often as someone needs.
   */
  public synchronized Optional<Duration> telemetryDemand() {
    Duration min = null;
    for (LoadedPolicy lp : policies.values()) {
      PolicyContext c = lp.context;
      boolean active = !disabled.contains(c.name())
          && (c.mode() == PolicyContext.Mode.ANY || c.mode() == mode);
      if (active && !c.metrics().isEmpty()
          && (min == null || c.analyzeInterval().compareTo(min) < 0)) {
        min = c.analyzeInterval();
      }
    }
    return Optional.ofNullable(min);
  }

  /** Runs {@code listener} whenever {@link #telemetryDemand()} may have changed. */
  public void onTelemetryDemandChange(Runnable listener) {
    demandListeners.add(listener);
  }

  private void demandChanged() {
    for (Runnable l : demandListeners) {
      l.run();
    }
  }

  /** Starts application-scoped instances for a new app (or refreshes its descriptor). */
  public synchronized void appAdded(AppDescriptor app) {
    boolean isNew = apps.put(app.name(), app) == null;
    if (isNew) {
      for (LoadedPolicy lp : policies.values()) {
        if (lp.context.scope() == PolicyContext.Scope.APPLICATION) {
          lp.start(app.name(), null);
        }
      }
    }
    wakeAll("app " + app.name(), app.name());
  }

  /** Stops the app's application-scoped instances. */
  public synchronized void appRemoved(String app) {
    apps.remove(app);
    for (LoadedPolicy lp : policies.values()) {
      lp.stop(app);
    }
  }

  /** Wakes every instance of every policy (e.g. after a topology change). */
  public void wakeAll(String trigger) {
    List<Runner> all = new ArrayList<>();
    synchronized (this) {
      for (LoadedPolicy lp : policies.values()) {
        all.addAll(lp.runners.values());
      }
    }
    for (Runner r : all) {
      r.wake(trigger);
    }
  }
  /**
   * Wakes every policy instance because of something that concerns {@code app}: its own instances
   * and system-wide ones hear why; other apps' instances hear only that another app changed (a
   * trigger is recorded with their plans, which that app's developer reads: tenants are isolated).
   */
  public void wakeAll(String trigger, String app) {
    List<Runner> all = new ArrayList<>();
    synchronized (this) {
      for (LoadedPolicy lp : policies.values()) {
        all.addAll(lp.runners.values());
      }
    }
    for (Runner r : all) {
      r.wake(r.app == null || r.app.equals(app) ? trigger : "a change of another app");
    }
  }


  /**
   * Switches between heuristic and ML-driven operation: policies declared for the other mode
   * pause (their analyses are skipped) until the mode changes back.
   */
  public void setMode(PolicyContext.Mode mode) {
    if (mode == PolicyContext.Mode.ANY) {
      throw new IllegalArgumentException("the agents run in heuristic or ml mode, not \"any\"");
    }
    this.mode = mode;
    demandChanged();
    wakeAll("mode " + mode.name().toLowerCase());
  }

  /**
   * Disables the named policies (the agent's configuration): they stay loaded but skip their
   * analyses until enabled again. Names not loaded (yet) take effect when such a policy loads.
   */
  public void setDisabled(java.util.Set<String> names) {
    this.disabled = java.util.Set.copyOf(names);
    demandChanged();
    wakeAll("configuration");
  }

  /** The current operating mode. */
  public PolicyContext.Mode mode() {
    return mode;
  }

  /** Status of every loaded policy. */
  public synchronized List<PolicyStatus> status() {
    List<PolicyStatus> out = new ArrayList<>();
    PolicyContext.Mode now = mode;
    for (LoadedPolicy lp : policies.values()) {
      PolicyContext.Mode wanted = lp.context.mode();
      // A policy of the other mode is loaded and counted but does not run: say so, or a listing
      // shows the ML policies of a heuristic continuum as if they ran.
      boolean paused = wanted != PolicyContext.Mode.ANY && wanted != now;
      out.add(
          new PolicyStatus(
              lp.context.name(), lp.source, lp.context.scope().name().toLowerCase(),
              lp.context.core(), lp.runners.size(), lp.analyses.get(), lp.plans.get(),
              lp.errors.get(), lp.lastError, !disabled.contains(lp.context.name()),
              lp.analysisNanos.get() / 1e9,
              paused ? now.name().toLowerCase(java.util.Locale.ROOT) : ""));
    }
    return out;
  }

  @Override
  public synchronized void close() {
    for (LoadedPolicy lp : new ArrayList<>(policies.values())) {
      lp.stopAll();
    }
    policies.clear();
    for (AutoCloseable c : subscriptions.values()) {
      closeQuietly(c);
    }
    subscriptions.clear();
  }

  private void onSample(Sample sample) {
    List<Runner> runners = byMetric.get(sample.metric());
    if (runners == null) {
      return;
    }
    String app = sample.labels().get("app");
    for (Runner r : runners) {
      PolicyContext.Mode wanted = r.owner.context.mode();
      if (wanted != PolicyContext.Mode.ANY && wanted != mode) {
        continue; // paused by the mode: not worth a worker per sample
      }
      // A sample that names an app wakes only that app's instance (and global ones).
      if (app == null || r.app == null || r.app.equals(app)) {
        r.wake(sample.metric());
      }
    }
  }

  /** The context's metrics with {@link PolicyContext#APP_QOS_METRICS} replaced by the app's. */
  private java.util.Set<String> resolveMetrics(PolicyContext ctx, String app) {
    java.util.Set<String> out = new java.util.TreeSet<>(ctx.metrics());
    if (out.remove(PolicyContext.APP_QOS_METRICS) && app != null) {
      AppDescriptor a = apps.get(app);
      if (a != null) {
        for (var c : a.components()) {
          for (var q : c.qosMetrics()) {
            out.add(q.applicationMetricId());
          }
        }
      }
    }
    return out;
  }

  private void subscribe(String metric, Runner r) {
    byMetric.computeIfAbsent(metric, m -> new CopyOnWriteArrayList<>()).add(r);
    subscriptions.computeIfAbsent(metric, m -> telemetry.subscribe(m, this::onSample));
  }

  private void unsubscribe(String metric, Runner r) {
    List<Runner> list = byMetric.get(metric);
    if (list != null) {
      list.remove(r);
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // Nothing useful to do when removing a listener fails.
    }
  }

  /** A policy as loaded: its context, factory and the running instances. */
  private final class LoadedPolicy {
    final PolicyContext context;
    final Supplier<? extends Policy<?>> factory;
    final String source;
    final Map<String, Runner> runners = new ConcurrentHashMap<>();
    final AtomicLong analyses = new AtomicLong();
    final AtomicLong plans = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong analysisNanos = new AtomicLong();
    volatile String lastError = "";

    LoadedPolicy(PolicyContext context, Supplier<? extends Policy<?>> factory, String source) {
      this.context = context;
      this.factory = factory;
      this.source = source;
    }

    void start(String app, Policy<?> existing) {
      String key = app == null ? "" : app;
      if (runners.containsKey(key)) {
        return;
      }
      Policy<?> p = existing;
      if (p == null) {
        try {
          p = factory.get();
          p.initialize();
        } catch (RuntimeException | LinkageError e) {
          recordError(e);
          return;
        }
      }
      Runner r = new Runner(this, p, app, resolveMetrics(context, app));
      runners.put(key, r);
      for (String m : r.metrics) {
        subscribe(m, r);
      }
      long period = context.analyzeInterval().toMillis();
      r.timer = timers.scheduleAtFixedRate(() -> r.tick(period), 0, period,
          TimeUnit.MILLISECONDS);
    }

    void stop(String app) {
      Runner r = runners.remove(app == null ? "" : app);
      if (r != null) {
        r.stop();
      }
    }

    void stopAll() {
      for (String key : new ArrayList<>(runners.keySet())) {
        stop(key.isEmpty() ? null : key);
      }
    }

    void recordError(Throwable e) {
      long n = errors.incrementAndGet();
      lastError = describe(e);
      // Log the first few and then every 100th, so a broken policy cannot flood the log.
      if (n <= 3 || n % 100 == 0) {
        LOG.log(System.Logger.Level.WARNING,
            agentId + ": policy " + context.name() + " failed (" + n + " times): " + lastError);
      }
    }
  }

  /** One policy instance; serialises and coalesces its analyses. */
  private final class Runner {
    final LoadedPolicy owner;
    final Policy<?> policy;
    final String app;
    final java.util.Set<String> metrics;
    final AtomicInteger wip = new AtomicInteger();
    volatile String trigger = "interval";
    volatile boolean stopped;
    /** When the last analysis started (the engine's clock); none yet: MIN_VALUE. */
    volatile long lastAnalysisMillis = Long.MIN_VALUE;
    ScheduledFuture<?> timer;

    Runner(LoadedPolicy owner, Policy<?> policy, String app, java.util.Set<String> metrics) {
      this.owner = owner;
      this.policy = policy;
      this.app = app;
      this.metrics = metrics;
    }

    void wake(String why) {
      if (stopped) {
        return;
      }
      trigger = why;
      if (wip.getAndIncrement() == 0) {
        workers.execute(this::drain);
      }
    }

    /**
     * The periodic tick: skipped when the policy was analyzed in the last half interval (its
     * metrics wake it more often than its interval), so at most 1.5 intervals pass between
     * analyses. Thousands of node agents whose utilisation arrives every second analyzed
     * cpu-frequency half as often again for nothing.
     */
    void tick(long periodMillis) {
      long last = lastAnalysisMillis;
      if (last == Long.MIN_VALUE || clock.millis() - last >= periodMillis / 2) {
        wake("interval");
      }
    }

    private void drain() {
      int missed = 1;
      do {
        int seen = wip.get();
        if (!stopped) {
          analyzeOnce();
        }
        missed = wip.addAndGet(-seen);
      } while (missed != 0);
    }

    private void analyzeOnce() {
      PolicyContext.Mode wanted = owner.context.mode();
      if (wanted != PolicyContext.Mode.ANY && wanted != mode
          || disabled.contains(owner.context.name())) {
        return;
      }
      owner.analyses.incrementAndGet();
      long started = System.nanoTime();
      lastAnalysisMillis = clock.millis();
      try {
        PolicyView view = new View(this);
        learn(view);
        Plan plan = decide(policy, view);
        if (plan == null || plan.isEmpty() || stopped) {
          return;
        }
        Map<String, String> inputs = new LinkedHashMap<>(plan.inputs());
        inputs.putIfAbsent("trigger", view.trigger());
        ((View) view).models().ifPresent(m -> m.addTo(inputs));
        Plan recorded = new Plan(plan.commands(), plan.explanation(), inputs, plan.version());
        owner.plans.incrementAndGet();
        scheduler.submit(
            new PlanRequest(null, owner.context.name(), app, owner.context.core(), recorded));
      } catch (RuntimeException | LinkageError e) {
        owner.recordError(e);
      } finally {
        owner.analysisNanos.addAndGet(System.nanoTime() - started);
      }
    }

    /**
     * The learning step, before the analysis: a model it changed is saved here, so that neither a
     * slow disk nor a failed save sits inside {@code analyze}. A failure is the policy's error,
     * and the analysis still runs on the model in memory.
     */
    private void learn(PolicyView view) {
      try {
        if (policy.learn(view)) {
          policy.saveModel();
        }
      } catch (java.io.IOException | RuntimeException e) {
        owner.recordError(e);
      }
    }

    void stop() {
      stopped = true;
      if (timer != null) {
        timer.cancel(false);
      }
      for (String m : metrics) {
        unsubscribe(m, this);
      }
    }
  }

  /** Analyze, and plan with what it found; null when it found nothing. */
  private static <A> Plan decide(Policy<A> policy, PolicyView view) {
    Optional<A> analysis = policy.analyze(view);
    return analysis == null || analysis.isEmpty() ? null : policy.plan(view, analysis.get());
  }

  /** The view handed to one analysis. */
  private final class View implements PolicyView {
    private final Runner runner;
    private final String trigger;
    private List<AppDescriptor> appsSnapshot;
    private SystemView system;
    private Map<String, MechanismInfo> mechanisms;
    private ModelCalls models;

    View(Runner runner) {
      this.runner = runner;
      this.trigger = runner.trigger;
    }

    @Override
    public Optional<AppDescriptor> app() {
      if (runner.app == null) {
        return Optional.empty();
      }
      synchronized (PolicyEngine.this) {
        return Optional.ofNullable(apps.get(runner.app));
      }
    }

    @Override
    public List<AppDescriptor> apps() {
      if (appsSnapshot == null) {
        appsSnapshot = source.apps();
      }
      return appsSnapshot;
    }

    @Override
    public SystemView system() {
      if (system == null) {
        system = source.system();
      }
      return system;
    }

    @Override
    public Map<String, MechanismInfo> mechanisms() {
      if (mechanisms == null) {
        Map<String, MechanismInfo> m = new LinkedHashMap<>();
        for (Mechanism mech : scheduler.mechanisms().values()) {
          m.put(mech.name(), new MechanismInfo(mech.name(), mech.options(), mech.state()));
        }
        mechanisms = m;
      }
      return mechanisms;
    }

    @Override
    public TelemetryQuery telemetry() {
      return telemetry;
    }

    @Override
    public QueryEngine query() {
      return queries;
    }

    @Override
    public MlConnector ml() {
      if (models == null) {
        models = new ModelCalls(source.ml());
      }
      return models;
    }

    /** What the analysis asked of models, when it asked any. */
    Optional<ModelCalls> models() {
      return Optional.ofNullable(models);
    }

    @Override
    public List<Request> requests() {
      return source.requests();
    }

    @Override
    public long nowMillis() {
      return clock.millis();
    }

    @Override
    public String trigger() {
      return trigger;
    }

    @Override
    public List<eu.mlsysops.agent.plan.PlanRecord> activePlans() {
      return scheduler.active();
    }
  }
}
