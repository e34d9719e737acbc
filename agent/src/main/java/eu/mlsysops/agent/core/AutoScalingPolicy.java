package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.ComponentId;
import eu.mlsysops.agent.PlacementCommand;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Scaling;
import eu.mlsysops.model.SingleNodeGroup;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.TelemetryQuery;

/**
 * Cluster policy for {@code scaling_mode: auto}: keeps a component's instance count where its
 * {@code scaling_criteria} signal says, reacting to telemetry within a second or two rather than a
 * 15 s HPA sync period. Target tracking as the HPA does it: with {@code v} each reporting
 * instance's signal averaged over {@link Settings#metricWindow}, {@code Σv} their sum and {@code t}
 * the target, the recommendation is {@code ceil(Σv / t)} unless the mean is within the tolerance,
 * bounded below by the descriptor's {@code instances} (and {@link Settings#minInstances}) and above
 * by {@link Settings#maxInstances}.
 *
 * <p>The average only covers samples taken since the count or the number of running instances
 * last changed (at least {@value #MIN_SIGNAL_MILLIS} ms of them): per-instance figures from before
 * describe load spread over other instances, and would make a scale-up overshoot.
 *
 * <p>Stabilisation: a scale-up applies the lowest recommendation of the last {@link
 * Settings#upWindow} (0: at once), and waits until the previous scale-up's instances run; a
 * scale-down applies the highest recommendation of the last {@link Settings#downWindow}, so the
 * count drops only after load has stayed low for a whole window.
 *
 * <p>Criteria (the CRD's enum names a signal, not a threshold; thresholds are settings): {@code
 * min_cpu_utilization}, {@code max_cpu_utilization} → {@code component_cpu_utilization} (0..1);
 * {@code min_memory_percent}, {@code max_memory_percent} → {@code component_memory_bytes} over
 * the memory request; {@code min_requests_per_sec}, {@code max_request_per_sec} → {@code
 * component_requests_per_second} per instance; {@code min_number_of_instances} and {@code
 * max_number_of_instances} hold the count at the lower or upper bound. No criterion: CPU.
 *
 * <p>Plans are one command, {@code placement scale app=A component=C instances=N}, with the
 * observations as inputs; placement then deploys or removes instances.
 */
public final class AutoScalingPolicy implements Policy<Changes> {
  public static final String NAME = "auto-scaling";
  static final String CPU = "component_cpu_utilization";
  static final String MEMORY = "component_memory_bytes";
  static final String RPS = "component_requests_per_second";
  /** The shortest stretch of telemetry a decision is based on. */
  static final long MIN_SIGNAL_MILLIS = 1_000;

  private final Settings settings;
  /** component → recommendations (time, count), oldest first, and when watching began. */
  private final Map<String, History> history = new HashMap<>();
  /** component → since when its count and running instances have been what they are now. */
  private final Map<String, long[]> settled = new HashMap<>();
  /** component → the count its descriptor asked for when first seen: the floor. */
  private final Map<String, Integer> declared = new HashMap<>();

  /**
   * Thresholds, bounds and windows.
   *
   * @param cpuTarget target CPU utilisation per instance, 0..1
   * @param memoryTarget target memory use over the memory request, 0..1
   * @param rpsTarget target requests per second per instance
   * @param tolerance no change while |value / target − 1| is within it
   * @param minInstances lower bound (at least 1)
   * @param maxInstances upper bound
   * @param metricWindow the signal is averaged over it
   * @param upWindow a scale-up applies the lowest recommendation within it
   * @param downWindow a scale-down applies the highest recommendation within it, and only once
   *     the component has been watched for that long
   * @param analyzeInterval how often the policy looks (it also wakes on every new sample)
   */
  public record Settings(double cpuTarget, double memoryTarget, double rpsTarget,
      double tolerance, int minInstances, int maxInstances, Duration metricWindow,
      Duration upWindow, Duration downWindow, Duration analyzeInterval) {
    public Settings {
      positive("cpuTarget", cpuTarget);
      positive("memoryTarget", memoryTarget);
      positive("rpsTarget", rpsTarget);
      if (!(tolerance >= 0 && tolerance < 1)) {
        throw new IllegalArgumentException("tolerance must be within 0..1, got " + tolerance);
      }
      if (minInstances < 1 || maxInstances < minInstances) {
        throw new IllegalArgumentException("need 1 <= minInstances <= maxInstances, got "
            + minInstances + " and " + maxInstances);
      }
      Objects.requireNonNull(metricWindow, "metricWindow");
      Objects.requireNonNull(upWindow, "upWindow");
      Objects.requireNonNull(downWindow, "downWindow");
      Objects.requireNonNull(analyzeInterval, "analyzeInterval");
    }

    /**
     * CPU 60 %, memory 70 %, 50 requests/s per instance, tolerance 10 %, 1 to 10 instances,
     * averaged over 3 s, scale up at once, scale down after 30 s, look every second.
     */
    public static Settings defaults() {
      return new Settings(0.6, 0.7, 50, 0.1, 1, 10, Duration.ofSeconds(3), Duration.ZERO,
          Duration.ofSeconds(30), Duration.ofSeconds(1));
    }

    private static void positive(String name, double v) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(name + " must be positive, got " + v);
      }
    }
  }

  public AutoScalingPolicy(Settings settings) {
    this.settings = Objects.requireNonNull(settings);
  }

  @Override
  public PolicyContext initialize() {
    return PolicyContext.builder(NAME)
        .scope(PolicyContext.Scope.APPLICATION)
        .core(true)
        .metrics(CPU, MEMORY, RPS)
        .analyzeInterval(settings.analyzeInterval())
        .mechanisms(PlacementInputs.PLACEMENT)
        .build();
  }

  @Override
  public Optional<Changes> analyze(PolicyView view) {
    AppDescriptor app = view.app().orElse(null);
    if (app == null) {
      return Optional.empty();
    }
    long now = view.nowMillis();
    List<Command> cs = new ArrayList<>();
    List<String> why = new ArrayList<>();
    Map<String, String> in = new LinkedHashMap<>();
    for (Component c : app.components()) {
      Scaling s = c.nodePlacement() == null ? null : c.nodePlacement().scaling();
      if (s == null || !"auto".equals(s.scalingMode()) || inScaledGroup(app, c)
          || scaleInFlight(view, app.name(), c.name())) {
        continue;
      }
      int current = c.instances();
      // The first count seen is the descriptor's own (later ones are what this policy set).
      int floor = declared.computeIfAbsent(c.name(), k -> current);
      int running = 0;
      for (SystemView.InstancePlacement p : view.system().placementsOf(app.name(), c.name())) {
        if (p.running()) {
          running++;
        }
      }
      // Per-instance figures from before the count or the running instances changed describe a
      // load spread over other instances: only samples since the last change count.
      int seen = running;
      long[] st = settled.computeIfAbsent(c.name(),
          k -> new long[] {current, seen, seen < current ? now : Long.MIN_VALUE / 2});
      if (st[0] != current || st[1] != running || running < current) {
        st[0] = current;
        st[1] = running;
        st[2] = now;
      }
      long window = Math.min(settings.metricWindow().toMillis(), now - st[2]);
      if (window < MIN_SIGNAL_MILLIS && !pinned(s.scalingCriteria())) {
        continue;
      }
      Signal sig = signal(view, app, c, s.scalingCriteria(), running, floor,
          Duration.ofMillis(window));
      if (sig == null) {
        continue;
      }
      History h = history.computeIfAbsent(c.name(), k -> new History(now));
      h.add(now, sig.recommendation, Math.max(settings.upWindow().toMillis(),
          settings.downWindow().toMillis()));
      int target = current;
      if (sig.recommendation > current) {
        int up = settings.upWindow().isZero()
            ? sig.recommendation : h.min(now - settings.upWindow().toMillis());
        if (up > current && running >= current) {
          target = up;
        }
      } else if (sig.recommendation < current
          && now - h.since >= settings.downWindow().toMillis()) {
        int down = h.max(now - settings.downWindow().toMillis());
        if (down < current) {
          target = down;
        }
      }
      if (target == current) {
        continue;
      }
      cs.add(new PlacementCommand.Scale(new ComponentId(app.name(), c.name()), target)
          .toCommand());
      why.add(String.format(Locale.ROOT, "%s %d → %d: %s", c.name(), current, target,
          sig.text));
      in.put(c.name() + "." + sig.name, fmt(sig.value));
      in.put(c.name() + ".target", fmt(sig.target));
      in.put(c.name() + ".running", Integer.toString(running));
      in.put(c.name() + ".recommended", Integer.toString(sig.recommendation));
      in.put(c.name() + ".window",
          target > current ? "up " + settings.upWindow().toMillis() + " ms"
              : "down " + settings.downWindow().toMillis() + " ms");
    }
    return Changes.of(cs, why, in);
  }

  @Override
  public Plan plan(PolicyView view, Changes changes) {
    // "; " between reasons: each one already lists its figures with commas.
    return new Plan(changes.commands(), "scale " + String.join("; ", changes.reasons()),
        changes.inputs());
  }

  /** The criterion's signal and recommendation, or null when there is nothing to go on yet. */
  private Signal signal(PolicyView view, AppDescriptor app, Component c, String criterion,
      int running, int floor, Duration window) {
    String crit = criterion == null ? "max_cpu_utilization" : criterion;
    int min = Math.max(settings.minInstances(), floor);
    int max = Math.max(min, settings.maxInstances());
    if (crit.equals("min_number_of_instances") || crit.equals("max_number_of_instances")) {
      int n = crit.startsWith("min") ? min : max;
      return new Signal("instances", n, n, n, crit + " holds " + n);
    }
    String metric;
    double target;
    double scale = 1;
    String name;
    if (crit.endsWith("cpu_utilization")) {
      metric = CPU;
      target = settings.cpuTarget();
      name = "cpu";
    } else if (crit.endsWith("memory_percent")) {
      long request = c.memoryRequests().longValue();
      if (request <= 0) {
        return null; // no request to measure against: nothing to scale on
      }
      metric = MEMORY;
      target = settings.memoryTarget();
      scale = 1.0 / request;
      name = "memory";
    } else if (crit.endsWith("per_sec")) {
      metric = RPS;
      target = settings.rpsTarget();
      name = "rps";
    } else {
      return null; // the descriptor validation names the accepted values
    }
    if (running == 0) {
      return null;
    }
    // The HPA's sum over instances: each instance's average over the window, added up. Only
    // instances that report count, so one still starting neither dilutes nor inflates the figure.
    double sum = 0;
    int reporting = 0;
    for (TelemetryQuery.Series series : view.telemetry().range(metric,
        Map.of("app", app.name(), "component", c.name()), window)) {
      if (series.samples().isEmpty()) {
        continue;
      }
      double total = 0;
      for (Sample x : series.samples()) {
        total += x.value();
      }
      sum += total / series.samples().size() * scale;
      reporting++;
    }
    if (reporting == 0) {
      return null;
    }
    double value = sum / reporting;
    double ratio = value / target;
    int rec = Math.abs(ratio - 1) <= settings.tolerance()
        ? c.instances() : (int) Math.ceil(sum / target - 1e-9);
    rec = Math.max(min, Math.min(max, rec));
    String text = String.format(Locale.ROOT, "%s %s averages %s over %s s on %d running, target %s",
        crit, name, fmt(value), fmt(window.toMillis() / 1000.0), reporting, fmt(target));
    return new Signal(name, value, target, rec, text);
  }

  private static boolean pinned(String criterion) {
    return "min_number_of_instances".equals(criterion)
        || "max_number_of_instances".equals(criterion);
  }

  private static boolean inScaledGroup(AppDescriptor app, Component c) {
    for (SingleNodeGroup g : app.singleNode()) {
      if (g.components().contains(c.name()) && g.scaling() != null
          && g.scaling().instances() != null) {
        return true;
      }
    }
    return false;
  }

  private static boolean scaleInFlight(PolicyView view, String app, String component) {
    for (PlanRecord p : view.activePlans()) {
      for (Command c : p.commands()) {
        if (c.mechanism().equals(PlacementInputs.PLACEMENT) && c.action().equals("scale")
            && app.equals(c.arg("app", "")) && component.equals(c.arg("component", ""))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15
        ? Long.toString((long) d) : String.format(Locale.ROOT, "%.3f", d);
  }

  private record Signal(String name, double value, double target, int recommendation,
      String text) {}

  /** Recommendations within the longest window. */
  private static final class History {
    final long since;
    final ArrayDeque<long[]> recs = new ArrayDeque<>();

    History(long since) {
      this.since = since;
    }

    void add(long now, int rec, long keepMillis) {
      recs.addLast(new long[] {now, rec});
      while (!recs.isEmpty() && recs.peekFirst()[0] < now - keepMillis) {
        recs.removeFirst();
      }
    }

    int min(long from) {
      long m = Long.MAX_VALUE;
      for (long[] r : recs) {
        if (r[0] >= from) {
          m = Math.min(m, r[1]);
        }
      }
      return (int) m;
    }

    int max(long from) {
      long m = Long.MIN_VALUE;
      for (long[] r : recs) {
        if (r[0] >= from) {
          m = Math.max(m, r[1]);
        }
      }
      return (int) m;
    }
  }
}
