package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.ml.rl.QLearner;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.QosMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Node-level DVFS learned online: the ML-mode counterpart of {@link CpuFrequencyPolicy}. A
 * Q-learner ({@link QLearner}) picks {@code down}, {@code stay} or {@code up} one frequency level
 * every {@link #EPOCH}, in a state made of the node's utilisation band and its current level, and
 * learns from the reward the previous choice earned over the epoch that followed:
 *
 * <pre>
 * reward = −(avg power − lowest seen) / (highest seen − lowest seen) − 2 × QoS violation
 * </pre>
 *
 * where the QoS violation is the fraction of this node's instances' {@code qos_metrics} whose
 * average over the epoch misses its target; on a node with no QoS metric it is the CPU saturation
 * {@code clamp((utilisation − 0.9) / 0.1)}, which is where queueing latency explodes. So it
 * learns to lower the frequency while that saves power at no QoS cost, and to raise it when QoS
 * suffers.
 *
 * <p>Each plan explains itself with the Q-values of its state, whether it explored, and the last
 * reward. The Q-table survives mode switches (the policy instance is paused, not dropped) and,
 * with a model file, restarts: it is saved after every update and loaded at start.
 */
public final class MlCpuFrequencyPolicy implements Policy<MlCpuFrequencyPolicy.Observation> {
  public static final String NAME = "ml-cpu-frequency";
  /** One decision per epoch; the reward of a decision is measured over the next epoch. */
  public static final Duration EPOCH = Duration.ofSeconds(2);

  static final String UTILIZATION = "node_cpu_utilization";
  static final String POWER = "node_power_watts";
  static final double[] BANDS = {0.3, 0.6, 0.85, 0.95};
  static final int MAX_LEVELS = 8;
  static final List<String> ACTIONS = List.of("down", "stay", "up");
  static final double QOS_WEIGHT = 2;

  private static final System.Logger LOG = System.getLogger(MlCpuFrequencyPolicy.class.getName());

  private final QLearner learner;
  private final Optional<Path> modelFile;
  private double maxPower;
  private double minPower = Double.POSITIVE_INFINITY;
  private int lastState = -1;
  private int lastAction = -1;
  private long lastDecisionMillis = Long.MIN_VALUE / 2;
  private double lastReward = Double.NaN;
  private String lastRewardText = "";

  /**
   * The node as the learner sees it at an epoch boundary.
   *
   * @param node this node
   * @param levels the available frequencies, GHz
   * @param level the index of the current one
   * @param utilisation average CPU utilisation over the last epoch
   * @param state the learner's state: utilisation band × level
   */
  public record Observation(String node, List<Double> levels, int level, double utilisation,
      int state) {
    public Observation {
      levels = List.copyOf(levels);
    }
  }

  /** A learner with the default settings and seed, kept in memory only. */
  public MlCpuFrequencyPolicy() {
    this(QLearner.builder(states(), ACTIONS.size()).build(), Optional.empty());
  }

  /**
   * A policy around {@code learner} (of {@link #states()} states and 3 actions), saving it to
   * {@code modelFile} after each update and loading it from there now when the file exists.
   */
  public MlCpuFrequencyPolicy(QLearner learner, Optional<Path> modelFile) {
    if (learner.states() != states() || learner.actions() != ACTIONS.size()) {
      throw new IllegalArgumentException("learner must have " + states() + " states and "
          + ACTIONS.size() + " actions");
    }
    this.learner = learner;
    this.modelFile = modelFile;
    modelFile.filter(Files::isRegularFile).ifPresent(f -> {
      try {
        learner.load(f);
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING,
            "ignoring the model file " + f + ": " + e.getMessage());
      }
    });
  }

  /** Utilisation bands × frequency levels. */
  public static int states() {
    return (BANDS.length + 1) * MAX_LEVELS;
  }

  /** The learner, for inspection. */
  public QLearner learner() {
    return learner;
  }

  @Override
  public PolicyContext initialize() {
    return PolicyContext.builder(NAME)
        .analyzeInterval(EPOCH)
        .mechanisms(CpuFrequencyMechanism.NAME)
        .mode(PolicyContext.Mode.ML)
        .build();
  }

  /** An observation at an epoch boundary; empty between them, or when nothing can change. */
  @Override
  public Optional<Observation> analyze(PolicyView view) {
    if (view.nowMillis() - lastDecisionMillis < EPOCH.toMillis() - 50) {
      return Optional.empty(); // woken early (mode switch, reload): keep the epochs the reward assumes
    }
    return observe(view);
  }

  /** Chooses down, stay or up in the observed state; a plan only when the frequency changes. */
  @Override
  public Plan plan(PolicyView view, Observation o) {
    QLearner.Choice choice = learner.choose(o.state());
    lastState = o.state();
    lastAction = choice.action();
    lastDecisionMillis = view.nowMillis();
    int target = Math.max(0, Math.min(o.levels().size() - 1, o.level() + choice.action() - 1));
    if (target == o.level()) {
      return Plan.empty(); // "stay", or a move past the last level: nothing to apply
    }
    return plan(o.levels(), o.level(), target, o.utilisation(), choice);
  }

  /**
   * The reward of the previous decision, measured over the epoch since: learned once, at the next
   * epoch boundary. A decision from long ago (the policy was paused in heuristic mode) teaches
   * nothing: its effect is gone.
   */
  @Override
  public boolean learn(PolicyView view) {
    long now = view.nowMillis();
    if (lastState < 0 || now - lastDecisionMillis < EPOCH.toMillis() - 50) {
      return false;
    }
    if (now - lastDecisionMillis > 3 * EPOCH.toMillis()) {
      lastState = -1;
      return false;
    }
    Optional<Observation> o = observe(view);
    if (o.isEmpty()) {
      return false;
    }
    Duration window = Duration.ofMillis(Math.min(now - lastDecisionMillis, EPOCH.toMillis()));
    boolean learned = learnFrom(view, o.get().node(), o.get().utilisation(), window,
        o.get().state());
    lastState = -1; // learned from; the next decision sets it again
    return learned;
  }

  @Override
  public void saveModel() throws IOException {
    if (modelFile.isPresent()) {
      learner.save(modelFile.get());
    }
  }

  /** The node now, when the frequency can be changed and no change is still on its way. */
  private Optional<Observation> observe(PolicyView view) {
    PolicyView.MechanismInfo mech = view.mechanisms().get(CpuFrequencyMechanism.NAME);
    if (mech == null || !Boolean.TRUE.equals(mech.state().get("available"))) {
      return Optional.empty();
    }
    if (view.activePlans().stream().anyMatch(p -> p.policy().equals(NAME))) {
      return Optional.empty(); // the previous change is still on its way
    }
    @SuppressWarnings("unchecked")
    List<Double> levels = (List<Double>) mech.options().get("available_ghz");
    Object cur = mech.state().get("current_ghz");
    String node = view.system().agentId();
    OptionalDouble util = view.telemetry().avgOverWindow(UTILIZATION, Map.of("node", node),
        EPOCH);
    if (levels == null || levels.isEmpty() || !(cur instanceof Number) || util.isEmpty()) {
      return Optional.empty();
    }
    int level = nearestIndex(levels, ((Number) cur).doubleValue());
    return Optional.of(new Observation(node, levels, level, util.getAsDouble(),
        state(util.getAsDouble(), level)));
  }

  private boolean learnFrom(PolicyView view, String node, double util, Duration window,
      int state) {
    OptionalDouble power = view.telemetry().avgOverWindow(POWER, Map.of("node", node), window);
    if (power.isEmpty()) {
      return false;
    }
    double p = power.getAsDouble();
    maxPower = Math.max(maxPower, p);
    minPower = Math.min(minPower, p);
    // Scaled to the range seen: idle power is paid at any frequency, so only the part the
    // frequency can change should weigh against QoS.
    double powerNorm = maxPower - minPower > 1e-9 ? (p - minPower) / (maxPower - minPower) : 0;
    OptionalDouble qos = qosViolation(view, window);
    double violation = qos.isPresent() ? qos.getAsDouble()
        : Math.max(0, Math.min(1, (util - 0.9) / 0.1));
    double reward = -powerNorm - QOS_WEIGHT * violation;
    learner.update(lastState, lastAction, reward, state);
    lastReward = reward;
    lastRewardText = String.format(Locale.ROOT,
        "%.3f (power %.2f of the range seen, %s %.2f)", reward,
        powerNorm, qos.isPresent() ? "QoS violated" : "saturation", violation);
    return true;
  }

  /** Fraction of this node's (instance, QoS metric) pairs missing their target; empty if none. */
  static OptionalDouble qosViolation(PolicyView view, Duration window) {
    int checked = 0;
    int missed = 0;
    for (AppDescriptor app : view.apps()) {
      for (Component c : app.components()) {
        for (SystemView.InstancePlacement p : view.system().placementsOf(app.name(), c.name())) {
          if (!p.running()) {
            continue;
          }
          for (QosMetric q : c.qosMetrics()) {
            OptionalDouble v = view.telemetry().avgOverWindow(q.applicationMetricId(),
                Map.of("app", app.name(), "component", c.name(), "instance", p.instanceId()),
                window);
            if (v.isPresent()) {
              checked++;
              if (!q.relation().holds(v.getAsDouble(), q.target())) {
                missed++;
              }
            }
          }
        }
      }
    }
    return checked == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) missed / checked);
  }

  private Plan plan(List<Double> levels, int level, int target, double util, QLearner.Choice c) {
    double from = levels.get(level);
    double to = levels.get(target);
    String explanation = String.format(Locale.ROOT,
        "Q-learning (%d updates): utilisation %s at %.2f GHz → %s to %.2f GHz; %s (%s); last"
            + " reward %s",
        learner.updates(), band(util), from, target > level ? "raise" : "lower", to,
        c.qText(ACTIONS),
        c.explored() ? String.format(Locale.ROOT, "explored, ε=%.2f", c.epsilon()) : "greedy",
        Double.isNaN(lastReward) ? "none yet" : lastRewardText);
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("node_cpu_utilization", String.format(Locale.ROOT, "%.3f", util));
    inputs.put("current_ghz", Double.toString(from));
    inputs.put("state", band(util) + " @ level " + level);
    for (int a = 0; a < ACTIONS.size(); a++) {
      inputs.put("q_" + ACTIONS.get(a), String.format(Locale.ROOT, "%.4f", c.qValues()[a]));
    }
    inputs.put("explored", Boolean.toString(c.explored()));
    inputs.put("model", "q-learning, " + learner.updates() + " updates");
    return Plan.of(Command.of(CpuFrequencyMechanism.NAME, "set", "ghz", Double.toString(to)),
        explanation, inputs);
  }

  static int state(double util, int level) {
    int band = 0;
    while (band < BANDS.length && util >= BANDS[band]) {
      band++;
    }
    return band * MAX_LEVELS + Math.min(level, MAX_LEVELS - 1);
  }

  static String band(double util) {
    int band = 0;
    while (band < BANDS.length && util >= BANDS[band]) {
      band++;
    }
    double lo = band == 0 ? 0 : BANDS[band - 1];
    double hi = band == BANDS.length ? 1 : BANDS[band];
    return String.format(Locale.ROOT, "%.0f–%.0f%%", lo * 100, hi * 100);
  }

  private static int nearestIndex(List<Double> levels, double ghz) {
    int best = 0;
    for (int i = 1; i < levels.size(); i++) {
      if (Math.abs(levels.get(i) - ghz) < Math.abs(levels.get(best) - ghz)) {
        best = i;
      }
    }
    return best;
  }
}
