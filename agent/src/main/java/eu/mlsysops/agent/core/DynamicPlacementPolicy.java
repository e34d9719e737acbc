package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.Placer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Core cluster policy: places every instance of a component that does not name its node, using
 * the {@link Placer} (filter by the descriptor's constraints, then score; least-allocated by
 * default), in dependency order ({@code depends_on}). Also replaces instances whose node was lost
 * or that failed, on another node.
 */
public final class DynamicPlacementPolicy implements Policy {
  public static final String NAME = "dynamic-placement";
  private final Placer placer;
  private List<Command> commands = List.of();
  private List<String> reasons = List.of();
  private Map<String, String> inputs = Map.of();
  private String unschedulable = "";

  public DynamicPlacementPolicy(Placer placer) {
    this.placer = Objects.requireNonNull(placer);
  }

  @Override
  public PolicyContext initialize() {
    return PolicyContext.builder(NAME)
        .scope(PolicyContext.Scope.APPLICATION)
        .core(true)
        .analyzeInterval(Duration.ofSeconds(5))
        .mechanisms(PlacementInputs.PLACEMENT)
        .build();
  }

  /** Why the last analysis could not place something, or empty. */
  public String lastUnschedulable() {
    return unschedulable;
  }

  @Override
  public boolean analyze(PolicyView view) {
    AppDescriptor app = view.app().orElse(null);
    if (app == null) {
      return false;
    }
    List<NodeCandidate> candidates = PlacementInputs.candidates(view);
    List<Command> cs = new ArrayList<>();
    List<String> why = new ArrayList<>();
    Map<String, String> in = new LinkedHashMap<>();
    List<String> stuck = new ArrayList<>();
    for (Component c : PlacementInputs.dependencyOrder(app)) {
      String named = c.nodePlacement() == null ? null : c.nodePlacement().node();
      if (named != null && !named.isBlank()) {
        continue;
      }
      if (!PlacementInputs.dependenciesRunning(view, app, c)) {
        break;
      }
      Map<Integer, SystemView.InstancePlacement> placed =
          PlacementInputs.bySlot(view, app.name(), c.name());
      Set<String> inFlight = PlacementInputs.slotsInFlight(view, app.name());
      for (int slot = 0; slot < c.instances(); slot++) {
        if (inFlight.contains(c.name() + "/" + slot)) {
          continue;
        }
        SystemView.InstancePlacement p = placed.get(slot);
        boolean replace = p != null && ("LOST".equals(p.state()) || "FAILED".equals(p.state()));
        if (p != null && !replace) {
          continue;
        }
        Placement choice = placer.place(app.name(), c, candidates,
            replace ? Set.of(p.node()) : Set.of());
        if (choice.node().isEmpty()) {
          stuck.add(c.name() + "#" + slot + ": " + choice.explanation());
          continue;
        }
        String node = choice.node().get();
        candidates = PlacementInputs.withAllocation(candidates, node, c);
        String s = Integer.toString(slot);
        if (replace) {
          cs.add(Command.of(PlacementInputs.PLACEMENT, "move", "app", app.name(), "component",
              c.name(), "slot", s, "to", node));
          why.add(c.name() + "#" + slot + " " + p.state().toLowerCase() + " on " + p.node()
              + " → " + node);
        } else {
          cs.add(Command.of(PlacementInputs.PLACEMENT, "deploy", "app", app.name(), "component",
              c.name(), "slot", s, "node", node));
          why.add(c.name() + "#" + slot + " → " + node);
        }
        in.put(c.name() + "#" + slot + ".ranking", PlacementInputs.ranking(choice, 3));
      }
    }
    unschedulable = String.join("; ", stuck);
    commands = cs;
    reasons = why;
    inputs = in;
    return !cs.isEmpty();
  }

  @Override
  public Plan plan(PolicyView view) {
    return new Plan(commands, "place " + String.join(", ", reasons), inputs);
  }
}
