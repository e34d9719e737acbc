package eu.mlsysops.agent.core;

import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.NodeCandidate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the placement policies share: node candidates from the view, and component ordering. */
final class PlacementInputs {
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
          .filter(p -> "RUNNING".equals(p.state()))
          .count();
      if (running < dep.instances()) {
        return false;
      }
    }
    return true;
  }
}
