package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.ComponentId;
import eu.mlsysops.agent.NodeId;
import eu.mlsysops.agent.PlacementCommand;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.QosMetric;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.Placer;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Relocates an instance whose QoS target ({@code qos_metrics}) is violated to a node where it
 * should do better. Woken by the app's own QoS samples. A violation must hold on average over a
 * window (one slow sample is noise), the target node must be clearly less loaded than the current
 * one (otherwise moving only moves the problem), and a component is not moved again within a
 * cooldown (its metrics need time to reflect the move).
 *
 * <p>Node-local remedies come first: while the instance's node runs below its top CPU frequency
 * (its {@code cpu-frequency} policy raises it for a violated target), the move waits up to {@code
 * localRemedyGrace} from the first violation seen; the node's own request to relocate (it is at
 * its top frequency) is honoured at once.
 */
public final class QosRelocationPolicy implements Policy<QosRelocationPolicy.Move> {
  public static final String NAME = "qos-relocation";
  private final Placer placer;
  private final Duration window;
  private final Duration cooldown;
  private final double margin;
  private final Duration localRemedyGrace;
  private final Map<String, Long> lastMove = new HashMap<>();
  /** Instances seen violating while their node could still raise its frequency: since when. */
  private final Map<String, Long> waitingForNode = new HashMap<>();

  /**
   * One instance to move: from its node to a clearly less loaded one.
   *
   * @param app the app
   * @param component the component
   * @param slot the instance's slot
   * @param from where it runs
   * @param to where it should run
   * @param why what is wrong (a violation, or a node's request)
   * @param inputs the observations behind it
   */
  public record Move(String app, String component, int slot, String from, String to, String why,
      Map<String, String> inputs) {
    public Move {
      inputs = Map.copyOf(inputs);
    }
  }

  /**
   * Defaults: 3 s window, 15 s cooldown, target at least 10 points less utilised, 20 s for the
   * node to raise its frequency (a few of the node policy's 3 s steps, each observed over 3 s).
   */
  public QosRelocationPolicy(Placer placer) {
    this(placer, Duration.ofSeconds(3), Duration.ofSeconds(15), 0.10);
  }

  public QosRelocationPolicy(Placer placer, Duration window, Duration cooldown, double margin) {
    this(placer, window, cooldown, margin, Duration.ofSeconds(20));
  }

  public QosRelocationPolicy(Placer placer, Duration window, Duration cooldown, double margin,
      Duration localRemedyGrace) {
    this.placer = Objects.requireNonNull(placer);
    this.window = window;
    this.cooldown = cooldown;
    this.margin = margin;
    this.localRemedyGrace = Objects.requireNonNull(localRemedyGrace);
  }

  @Override
  public PolicyContext initialize() {
    return PolicyContext.builder(NAME)
        .scope(PolicyContext.Scope.APPLICATION)
        .metrics(PolicyContext.APP_QOS_METRICS)
        .analyzeInterval(Duration.ofSeconds(1))
        .mechanisms(PlacementInputs.PLACEMENT)
        .mode(PolicyContext.Mode.HEURISTIC)
        .build();
  }

  @Override
  public Optional<Move> analyze(PolicyView view) {
    AppDescriptor app = view.app().orElse(null);
    if (app == null || !QosChecks.relocationPermitted(app)) {
      return Optional.empty();
    }
    long now = view.nowMillis();
    waitingForNode.values().removeIf(since -> now - since > 10 * localRemedyGrace.toMillis());
    for (PolicyView.Request r : view.requests()) {
      Optional<Move> move = onRequest(view, app, r, now);
      if (move.isPresent()) {
        return move;
      }
    }
    for (Component c : app.components()) {
      if (!QosChecks.relocatable(c) || coolingDown(c.name(), now)) {
        continue;
      }
      for (SystemView.InstancePlacement p : view.system().placementsOf(app.name(), c.name())) {
        if (!p.running()) {
          continue;
        }
        var violated = QosChecks.violation(view, app, c, p.instanceId(), window);
        if (violated.isEmpty()) {
          waitingForNode.remove(p.instanceId());
          continue;
        }
        String waited = "";
        if (PlacementInputs.belowTopFrequency(view, p.node())) {
          long since = waitingForNode.computeIfAbsent(p.instanceId(), id -> now);
          if (now - since < localRemedyGrace.toMillis()) {
            continue; // its node can still raise its frequency: let it
          }
          waited = String.format(" (%s, below its top frequency, did not meet it in %d s)",
              p.node(), localRemedyGrace.toSeconds());
        }
        Optional<Move> move = relocate(view, app, c, p, violated.get().metric(),
            violated.get().value(), waited);
        if (move.isPresent()) {
          return move;
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public Plan plan(PolicyView view, Move m) {
    lastMove.put(m.component(), view.nowMillis());
    waitingForNode.keySet().removeIf(id -> id.startsWith(m.app() + "/" + m.component() + "/"));
    return Plan.of(new PlacementCommand.Move(new ComponentId(m.app(), m.component())
        .slot(m.slot()), new NodeId(m.to())).toCommand(), m.why(), m.inputs())
        .basedOn(view.system().version());
  }

  private boolean coolingDown(String component, long now) {
    return now - lastMove.getOrDefault(component, Long.MIN_VALUE / 2) < cooldown.toMillis();
  }

  /**
   * A node's request to relocate one of this app's instances (its own remedies are exhausted):
   * honoured like a violation seen here, to a clearly less loaded node, outside the cooldown.
   */
  private Optional<Move> onRequest(PolicyView view, AppDescriptor app, PolicyView.Request r,
      long now) {
    PlacementCommand.Relocate asked;
    try {
      if (!(PlacementCommand.from(new Command(r.mechanism(), r.action(), r.args()))
          instanceof PlacementCommand.Relocate relocate)) {
        return Optional.empty();
      }
      asked = relocate;
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // not a placement request, or not one a cluster can read
    }
    if (!app.name().equals(asked.component().app())) {
      return Optional.empty();
    }
    Component c = app.component(asked.component().component()).orElse(null);
    if (c == null || !QosChecks.relocatable(c) || coolingDown(c.name(), now)) {
      return Optional.empty();
    }
    int slot = asked.slot().slot();
    for (SystemView.InstancePlacement p : view.system().placementsOf(app.name(), c.name())) {
      if (p.node().equals(r.from()) && p.running()
          && eu.mlsysops.agent.InstanceIds.slotOf(p.instanceId()) == slot) {
        return move(view, app, c, p, "node " + r.from() + " asks to relocate "
            + c.name() + "#" + slot + " (" + (r.policy() == null ? "" : r.policy()
            + ": ") + (r.explanation() == null ? "no reason given" : r.explanation()) + ")",
            Map.of(PolicyView.Request.INPUT, r.id()));
      }
    }
    return Optional.empty();
  }

  private Optional<Move> relocate(PolicyView view, AppDescriptor app, Component c,
      SystemView.InstancePlacement p, QosMetric q, double value, String waited) {
    int slot = eu.mlsysops.agent.InstanceIds.slotOf(p.instanceId());
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put(q.applicationMetricId(), String.format("%.2f", value));
    inputs.put("target", q.relation().wireName() + " " + fmt(q.target()));
    return move(view, app, c, p, String.format("%s of %s#%d averages %.1f over %d s, violating %s %s%s",
        q.applicationMetricId(), c.name(), slot, value, window.toSeconds(),
        q.relation().wireName(), fmt(q.target()), waited), inputs);
  }

  /** A move of the instance to a clearly less loaded node, if the placer finds one. */
  private Optional<Move> move(PolicyView view, AppDescriptor app, Component c,
      SystemView.InstancePlacement p, String why, Map<String, String> given) {
    List<NodeCandidate> candidates = PlacementInputs.candidates(view);
    double here = PlacementInputs.utilisation(view, p.node());
    Placement choice = placer.place(app.name(), c, candidates, Set.of(p.node()));
    if (choice.node().isEmpty()) {
      return Optional.empty();
    }
    String to = choice.node().get();
    double there = PlacementInputs.utilisation(view, to);
    if (there > here - margin) {
      return Optional.empty();
    }
    int slot = eu.mlsysops.agent.InstanceIds.slotOf(p.instanceId());
    String explanation = String.format("%s; %s runs at %.0f%% cpu: move to %s (%.0f%% cpu)",
        why, p.node(), here * 100, to, there * 100);
    Map<String, String> inputs = new LinkedHashMap<>(given);
    inputs.put("cpu." + p.node(), String.format("%.3f", here));
    inputs.put("cpu." + to, String.format("%.3f", there));
    return Optional.of(new Move(app.name(), c.name(), slot, p.node(), to, explanation, inputs));
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

}
