package eu.mlsysops.agent.core;

import eu.mlsysops.agent.ComponentId;
import eu.mlsysops.agent.NodeId;
import eu.mlsysops.agent.PlacementCommand;
import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.ml.online.OnlineLogisticModel;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.QosMetric;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.Placer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The ML-mode counterpart of {@link QosRelocationPolicy}: where to move an instance whose QoS
 * target is violated is decided by a model that learns online, from every QoS observation of the
 * cluster, the probability that an instance meets its target on a node like this one ({@link
 * OnlineLogisticModel} over {@link #FEATURES}).
 *
 * <p>Before each analysis the policy learns ({@link #learn}): every running instance with a QoS
 * metric contributes one observation (features of its component on its node now, outcome met or
 * not over the window), at most once per window. Then the analysis, for a violated target, the cluster's placer gives the feasible
 * nodes (its filters, trust included, still apply) and the model picks the one with the highest
 * P(QoS met); the instance moves only when that beats its current node by {@link #MIN_GAIN}. The
 * plan's explanation gives both probabilities and the feature attributions of the difference.
 *
 * <p>The model is shared by the policy's instances of one cluster agent (one per app), so every
 * app's experience teaches it.
 */
public final class MlQosRelocationPolicy implements Policy<MlQosRelocationPolicy.Relocation> {
  public static final String NAME = "ml-qos-relocation";
  /** The model's inputs for (component, node). */
  public static final List<String> FEATURES = List.of(
      "node_utilization", "cpu_allocated_fraction", "request_share", "log2_cores");
  /** The least time between two saves of the model file. */
  static final Duration SAVE_EVERY = Duration.ofSeconds(10);
  /** How much better (in P(QoS met)) the target must be. */
  static final double MIN_GAIN = 0.1;

  private final Placer placer;
  private final OnlineLogisticModel model;
  private final Duration window;
  private final Duration cooldown;
  private final Map<String, Long> lastMove = new HashMap<>();
  private final Map<String, Long> lastLearned = new HashMap<>();
  private final Optional<Path> modelFile;
  private long lastSavedMillis = Long.MIN_VALUE / 2;
  private long nowMillis;
  private long savedUpdates = -1;

  /**
   * An instance to move where the model expects its QoS target to be met.
   *
   * @param component the component
   * @param slot the instance's slot
   * @param to the node the model prefers
   * @param explanation both probabilities and the features that make the difference
   * @param inputs the observations and model figures behind it
   */
  public record Relocation(String app, String component, int slot, String to,
      String explanation, Map<String, String> inputs) {
    public Relocation {
      inputs = Map.copyOf(inputs);
    }
  }

  /** Defaults: 3 s window, 15 s cooldown, like the heuristic; the model kept in memory only. */
  public MlQosRelocationPolicy(Placer placer, OnlineLogisticModel model) {
    this(placer, model, Optional.empty(), Duration.ofSeconds(3), Duration.ofSeconds(15));
  }

  /**
   * A policy whose model is also saved to {@code modelFile} (at most every {@link #SAVE_EVERY},
   * when it learned something since).
   */
  public MlQosRelocationPolicy(Placer placer, OnlineLogisticModel model, Optional<Path> modelFile,
      Duration window, Duration cooldown) {
    this.modelFile = Objects.requireNonNull(modelFile, "modelFile");
    this.placer = Objects.requireNonNull(placer);
    this.model = Objects.requireNonNull(model);
    if (!model.features().equals(FEATURES)) {
      throw new IllegalArgumentException("model features must be " + FEATURES);
    }
    this.window = window;
    this.cooldown = cooldown;
  }

  /** A fresh model of the right shape: learning rate 0.2, L2 1e-4. */
  public static OnlineLogisticModel newModel() {
    return new OnlineLogisticModel(FEATURES, 0.2, 1e-4);
  }

  @Override
  public PolicyContext initialize() {
    return PolicyContext.builder(NAME)
        .scope(PolicyContext.Scope.APPLICATION)
        .metrics(PolicyContext.APP_QOS_METRICS)
        .analyzeInterval(Duration.ofSeconds(1))
        .mechanisms(PlacementInputs.PLACEMENT)
        .mode(PolicyContext.Mode.ML)
        .build();
  }

  /**
   * One observation per running instance and QoS metric, at most once per window. Says the model
   * changed while updates are unsaved, so that the last ones are saved once {@link #SAVE_EVERY}
   * has passed even when learning stops.
   */
  @Override
  public boolean learn(PolicyView view) {
    long now = view.nowMillis();
    nowMillis = now;
    AppDescriptor app = view.app().orElse(null);
    if (app == null) {
      return false;
    }
    Map<String, NodeCandidate> byName = byName(PlacementInputs.candidates(view));
    boolean learned = false;
    for (Component c : app.components()) {
      for (Observed o : observe(view, app, c, byName)) {
        String key = o.placement().instanceId() + "/" + o.metric().applicationMetricId();
        if (now - lastLearned.getOrDefault(key, Long.MIN_VALUE / 2) >= window.toMillis()) {
          lastLearned.put(key, now);
          model.update(features(c, o.here(), true), o.met() ? 1 : 0);
          learned = true;
        }
      }
    }
    return learned || model.updates() != savedUpdates;
  }

  /** At most every {@link #SAVE_EVERY}, when the model learned something since. */
  @Override
  public void saveModel() throws IOException {
    if (modelFile.isEmpty() || nowMillis - lastSavedMillis < SAVE_EVERY.toMillis()
        || model.updates() == savedUpdates) {
      return;
    }
    lastSavedMillis = nowMillis;
    savedUpdates = model.updates();
    model.save(modelFile.get());
  }

  @Override
  public Optional<Relocation> analyze(PolicyView view) {
    AppDescriptor app = view.app().orElse(null);
    if (app == null || !relocationPermitted(app)) {
      return Optional.empty();
    }
    long now = view.nowMillis();
    List<NodeCandidate> candidates = PlacementInputs.candidates(view);
    Map<String, NodeCandidate> byName = byName(candidates);
    for (Component c : app.components()) {
      for (Observed o : observe(view, app, c, byName)) {
        if (o.met()) {
          continue;
        }
        // The first violation decides, as before: a pinned or cooling component waits.
        String named = c.nodePlacement() == null ? null : c.nodePlacement().node();
        if ((named != null && !named.isBlank())
            || now - lastMove.getOrDefault(c.name(), Long.MIN_VALUE / 2) < cooldown.toMillis()) {
          return Optional.empty();
        }
        return relocate(app, c, o, byName, candidates);
      }
    }
    return Optional.empty();
  }

  @Override
  public Plan plan(PolicyView view, Relocation r) {
    lastMove.put(r.component(), view.nowMillis());
    return Plan.of(new PlacementCommand.Move(new ComponentId(r.app(), r.component())
        .slot(r.slot()), new NodeId(r.to())).toCommand(), r.explanation(), r.inputs());
  }

  /** Each running instance of {@code c} with a QoS metric measured over the window. */
  private List<Observed> observe(PolicyView view, AppDescriptor app, Component c,
      Map<String, NodeCandidate> byName) {
    List<Observed> out = new java.util.ArrayList<>();
    for (SystemView.InstancePlacement p : view.system().placementsOf(app.name(), c.name())) {
      NodeCandidate here = byName.get(p.node());
      if (!p.running() || here == null) {
        continue;
      }
      for (QosMetric q : c.qosMetrics()) {
        Map<String, String> series =
            Map.of("app", app.name(), "component", c.name(), "instance", p.instanceId());
        if (!QosChecks.warmedUp(view, q.applicationMetricId(), series, window,
            c.qosWarmupIn(app))) {
          continue; // a starting instance teaches the model nothing about serving
        }
        OptionalDouble v = view.telemetry().avgOverWindow(q.applicationMetricId(), series,
            window);
        if (v.isPresent()) {
          out.add(new Observed(p, here, q, v.getAsDouble(),
              q.relation().holds(v.getAsDouble(), q.target())));
        }
      }
    }
    return out;
  }

  private static Map<String, NodeCandidate> byName(List<NodeCandidate> candidates) {
    Map<String, NodeCandidate> byName = new HashMap<>();
    candidates.forEach(n -> byName.put(n.name(), n));
    return byName;
  }

  private Optional<Relocation> relocate(AppDescriptor app, Component c, Observed v,
      Map<String, NodeCandidate> byName, List<NodeCandidate> candidates) {
    NodeCandidate here = v.here();
    Placement feasible = placer.place(app.name(), c, candidates, Set.of(here.name()));
    double[] xHere = features(c, here, true);
    double pHere = model.predict(xHere);
    String best = null;
    double pBest = -1;
    double[] xBest = null;
    for (Placement.CandidateScore s : feasible.ranking()) {
      NodeCandidate n = byName.get(s.node());
      if (n == null) {
        continue;
      }
      double[] x = features(c, n, false);
      double p = model.predict(x);
      if (p > pBest) {
        best = n.name();
        pBest = p;
        xBest = x;
      }
    }
    if (best == null || pBest < pHere + MIN_GAIN) {
      return Optional.empty();
    }
    String why = OnlineLogisticModel.describe(model.compare(xBest, xHere), 3);
    int slot = InstanceIds.slotOf(v.placement().instanceId());
    QosMetric q = v.metric();
    String explanation = String.format(Locale.ROOT,
        "ML relocation (logistic model, %d observations): %s of %s#%d averages %.1f over %d s,"
            + " violating %s %s on %s; P(QoS met) %.2f there vs %.2f on %s: %s",
        model.updates(), q.applicationMetricId(), c.name(), slot, v.value(), window.toSeconds(),
        q.relation().wireName(), fmt(q.target()), here.name(), pHere, pBest, best, why);
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put(q.applicationMetricId(), String.format(Locale.ROOT, "%.2f", v.value()));
    inputs.put("target", q.relation().wireName() + " " + fmt(q.target()));
    inputs.put("p_qos." + here.name(), String.format(Locale.ROOT, "%.3f", pHere));
    inputs.put("p_qos." + best, String.format(Locale.ROOT, "%.3f", pBest));
    inputs.put("attribution", why);
    inputs.put("model", "online logistic regression, " + model.updates() + " observations");
    return Optional.of(new Relocation(app.name(), c.name(), slot, best, explanation, inputs));
  }

  /**
   * The model's inputs for one instance of {@code c} on {@code n}: utilisation now, the CPU
   * allocated with the instance counted once ({@code already} on that node or not), the share of
   * the node one instance asks, and the node's size.
   */
  static double[] features(Component c, NodeCandidate n, boolean already) {
    double capacity = Math.max(1, n.cpuCapacityMillis());
    long request = c.cpuRequests().millis();
    double allocated = (n.cpuAllocatedMillis() + (already ? 0 : request)) / capacity;
    return new double[] {
      n.cpuUtilization(),
      Math.min(2, allocated),
      Math.min(1, request / capacity),
      Math.log(capacity / 1000.0) / Math.log(2) / 6
    };
  }

  private static boolean relocationPermitted(AppDescriptor app) {
    List<String> allowed = app.permittedActions();
    return allowed.isEmpty() || allowed.contains("*") || allowed.contains("component_relocation");
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** One QoS metric of one running instance, averaged over the window. */
  private record Observed(SystemView.InstancePlacement placement, NodeCandidate here,
      QosMetric metric, double value, boolean met) {}
}
