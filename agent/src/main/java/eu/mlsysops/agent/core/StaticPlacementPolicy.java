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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Core cluster policy: a component that names its node ({@code node_placement.node}) runs there,
 * as many instances as it asks for. If the named node is absent or unreachable nothing else is
 * tried: the descriptor made the choice, not us.
 */
public final class StaticPlacementPolicy implements Policy<Changes> {
  public static final String NAME = "static-placement";

  @Override
  public PolicyContext initialize() {
    return PolicyContext.builder(NAME)
        .scope(PolicyContext.Scope.APPLICATION)
        .core(true)
        .analyzeInterval(Duration.ofSeconds(5))
        .mechanisms(PlacementInputs.PLACEMENT)
        .build();
  }

  @Override
  public Optional<Changes> analyze(PolicyView view) {
    AppDescriptor app = view.app().orElse(null);
    if (app == null) {
      return Optional.empty();
    }
    List<Command> cs = new ArrayList<>();
    List<String> why = new ArrayList<>();
    for (Component c : PlacementInputs.dependencyOrder(app)) {
      String named = c.nodePlacement() == null ? null : c.nodePlacement().node();
      if (named == null || named.isBlank()) {
        continue;
      }
      if (!PlacementInputs.dependenciesRunning(view, app, c)) {
        break; // later components wait for this one's dependencies too
      }
      SystemView.NodeState node = view.system().nodes().stream()
          .filter(n -> n.name().equals(named)).findFirst().orElse(null);
      if (node == null || !node.healthy()) {
        continue;
      }
      Map<Integer, SystemView.InstancePlacement> placed =
          PlacementInputs.bySlot(view, app.name(), c.name());
      Set<String> inFlight = PlacementInputs.slotsInFlight(view, app.name());
      for (int slot = 0; slot < c.instances(); slot++) {
        if (!placed.containsKey(slot) && !inFlight.contains(c.name() + "/" + slot)) {
          cs.add(new PlacementCommand.Deploy(new ComponentId(app.name(), c.name()).slot(slot),
              new NodeId(named)).toCommand());
          why.add(c.name() + "#" + slot + " → " + named + " (named in the descriptor)");
        }
      }
    }
    return Changes.of(cs, why, Map.of());
  }

  @Override
  public Plan plan(PolicyView view, Changes changes) {
    return changes.toPlan("place").basedOn(view.system().version());
  }
}
