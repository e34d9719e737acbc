package eu.mlsysops.agent.core;

import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.agent.Command;
import eu.mlsysops.model.SingleNodeGroup;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.PlacementSnapshot;
import eu.mlsysops.orchestration.Placer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the placement policies share: node candidates and placement snapshots from the view,
 * component ordering, and what unfinished plans are about to do.
 */
public final class PlacementInputs {
  static final String PLACEMENT = "placement";
  private static final Duration UTILISATION_WINDOW = Duration.ofSeconds(5);

  private PlacementInputs() {}

  /** Candidates with allocations from the view and observed utilisation from telemetry. */
  static List<NodeCandidate> candidates(PolicyView view) {
    List<NodeCandidate> out = new ArrayList<>();
    for (SystemView.NodeState n : view.system().nodes()) {
      double util = utilisation(view, n.name());
      out.add(new NodeCandidate(n.descriptor(), n.cpuAllocatedMillis(), n.memoryAllocatedBytes(),
          util, n.healthy()));
    }
    return out;
  }

  static double utilisation(PolicyView view, String node) {
    return view.telemetry()
        .avgOverWindow("node_cpu_utilization", Map.of("node", node), UTILISATION_WINDOW)
        .orElse(0);
  }

  /**
   * Whether a node may still raise its CPU frequency: the newest frequency it reported ({@code
   * node_cpu_scaling_frequency_hertz}) is below the highest its descriptor lists. False when
   * either is unknown (a node without a frequency knob has no local remedy to wait for).
   */
  static boolean belowTopFrequency(PolicyView view, String node) {
    SystemView.NodeState state = view.system().nodes().stream()
        .filter(n -> n.name().equals(node)).findFirst().orElse(null);
    if (state == null || state.descriptor().hardware() == null
        || state.descriptor().hardware().cpu() == null) {
      return false;
    }
    List<Double> levels = state.descriptor().hardware().cpu().frequencyGhz();
    var hz = view.telemetry().latest("node_cpu_scaling_frequency_hertz", Map.of("node", node));
    if (levels == null || levels.isEmpty() || hz.isEmpty()) {
      return false;
    }
    double top = levels.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return hz.getAsDouble() / 1e9 < top * 0.99;
  }

  /** A copy of the candidate list with one more instance of {@code c} allocated on {@code node}. */
  static List<NodeCandidate> withAllocation(List<NodeCandidate> cs, String node, Component c) {
    List<NodeCandidate> out = new ArrayList<>(cs.size());
    for (NodeCandidate n : cs) {
      if (n.node().name().equals(node)) {
        out.add(new NodeCandidate(n.node(), n.cpuAllocatedMillis() + c.cpuRequests().millis(),
            n.memoryAllocatedBytes() + c.memoryRequests().longValue(), n.cpuUtilization(),
            n.healthy()));
      } else {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * A placement snapshot of the view's nodes (allocations and observed utilisation) with every
   * instance the view places recorded as running, except lost and failed ones (those are to be
   * replaced), so spreading, locality and {@code single_node} pins see them.
   */
  static PlacementSnapshot snapshot(Placer placer, PolicyView view) {
    PlacementSnapshot s = placer.snapshot(candidates(view));
    for (SystemView.InstancePlacement p : view.system().placements()) {
      if (!gone(p) && p.node() != null && !p.node().isEmpty()) {
        s.recordRunning(p.app(), p.component(), p.node());
      }
    }
    return s;
  }

  /** True for an instance that is to be replaced: its node was lost, or it failed. */
  static boolean gone(SystemView.InstancePlacement p) {
    return p.phase().isGone();
  }

  /**
   * How many instances of {@code c} the app asks for: a {@code single_node} group's {@code
   * scaling.instances} for its members when given (as {@link PlacementSnapshot#placeApp} reads
   * it), else the component's own count.
   */
  static int desiredInstances(AppDescriptor app, Component c) {
    for (SingleNodeGroup g : app.singleNode()) {
      if (g.components().contains(c.name()) && g.scaling() != null
          && g.scaling().instances() != null) {
        return Math.max(1, g.scaling().instances());
      }
    }
    return c.instances();
  }

  /** Placements an unfinished plan is about to make: {@code component/slot} → target node. */
  static Map<String, String> targetsInFlight(PolicyView view, String app) {
    return inFlight(view, PLACEMENT, app, c -> c.arg("component", "") + "/" + c.arg("slot", "0"),
        c -> c.arg("node", c.arg("to", "")));
  }

  /**
   * What the app's active plans ask of {@code mechanism}, planned but not applied yet: {@code
   * key} of each command → its {@code target}.
   */
  static Map<String, String> inFlight(PolicyView view, String mechanism, String app,
      java.util.function.Function<Command, String> key,
      java.util.function.Function<Command, String> target) {
    Map<String, String> out = new HashMap<>();
    for (eu.mlsysops.agent.plan.PlanRecord p : view.activePlans()) {
      for (Command c : p.commands()) {
        if (c.mechanism().equals(mechanism) && app.equals(c.arg("app", ""))) {
          out.put(key.apply(c), target.apply(c));
        }
      }
    }
    return out;
  }

  /** Components in an order where each comes after those it depends on (cycles keep file order). */
  static List<Component> dependencyOrder(AppDescriptor app) {
    Map<String, Component> byName = new LinkedHashMap<>();
    for (Component c : app.components()) {
      byName.put(c.name(), c);
    }
    List<Component> out = new ArrayList<>();
    Set<String> done = new java.util.HashSet<>();
    Set<String> visiting = new java.util.HashSet<>();
    for (Component c : byName.values()) {
      visit(c, byName, done, visiting, out);
    }
    return out;
  }

  private static void visit(Component c, Map<String, Component> byName, Set<String> done,
      Set<String> visiting, List<Component> out) {
    if (done.contains(c.name()) || !visiting.add(c.name())) {
      return;
    }
    for (String d : c.dependsOn()) {
      Component dep = byName.get(d);
      if (dep != null) {
        visit(dep, byName, done, visiting, out);
      }
    }
    visiting.remove(c.name());
    done.add(c.name());
    out.add(c);
  }

  /** Current placements of an app's component by slot index. */
  static Map<Integer, SystemView.InstancePlacement> bySlot(PolicyView view, String app,
      String component) {
    Map<Integer, SystemView.InstancePlacement> out = new HashMap<>();
    for (SystemView.InstancePlacement p : view.system().placementsOf(app, component)) {
      out.put(InstanceIds.slotOf(p.instanceId()), p);
    }
    return out;
  }

  /** Slots ({@code component/slot}) of an app that an unfinished placement plan acts on. */
  static Set<String> slotsInFlight(PolicyView view, String app) {
    Set<String> out = new java.util.HashSet<>();
    for (eu.mlsysops.agent.plan.PlanRecord p : view.activePlans()) {
      for (eu.mlsysops.agent.Command c : p.commands()) {
        if (c.mechanism().equals(PLACEMENT) && app.equals(c.arg("app", ""))) {
          out.add(c.arg("component", "") + "/" + c.arg("slot", "0"));
        }
      }
    }
    return out;
  }

  /** The best {@code n} candidates with their scores, e.g. {@code edge-3 0.82, edge-2 0.71}. */
  static String ranking(eu.mlsysops.orchestration.Placement p, int n) {
    return String.join(", ", p.ranking().stream().limit(n)
        .map(c -> String.format("%s %.2f", c.node(), c.score())).toList());
  }

  /** True when every instance of every dependency of {@code c} runs. */
  static boolean dependenciesRunning(PolicyView view, AppDescriptor app, Component c) {
    for (String d : c.dependsOn()) {
      Component dep = app.component(d).orElse(null);
      if (dep == null) {
        continue;
      }
      long running = view.system().placementsOf(app.name(), d).stream()
          .filter(p -> p.running())
          .count();
      if (running < desiredInstances(app, dep)) {
        return false;
      }
    }
    return true;
  }
}
