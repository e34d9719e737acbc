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
import eu.mlsysops.orchestration.AppPlacement;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.PlacementRequest;
import eu.mlsysops.orchestration.PlacementSnapshot;
import eu.mlsysops.orchestration.Placer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Core cluster policy: places every instance of a component that does not name its node, through
 * a {@link PlacementSnapshot} of the view (filter by the descriptor's constraints, then score):
 *
 * <ul>
 *   <li>a component starts only when every instance of each component it {@code depends_on} runs;
 *   <li>{@code instances} of each (or what the autoscaler set), spread over nodes; instances
 *       beyond the desired count are removed, highest slot first;
 *   <li>the members of a {@code single_node} group go to one node per replica, and mobile
 *       components only to mobile nodes ({@link PlacementSnapshot#placeApp});
 *   <li>instances whose node was lost, or that failed, move to another node.
 * </ul>
 *
 * Every command carries the view's placement version: the cluster commits it only while nothing
 * changed since, otherwise the plan fails as stale and this policy plans again. What cannot be
 * placed is told to the {@link PlacementObserver} with the placer's per-constraint summary.
 */
public final class DynamicPlacementPolicy implements Policy<Changes> {
  public static final String NAME = "dynamic-placement";
  private final Placer placer;
  private final PlacementObserver observer;
  private String unschedulable = "";

  public DynamicPlacementPolicy(Placer placer) {
    this(placer, PlacementObserver.none());
  }

  public DynamicPlacementPolicy(Placer placer, PlacementObserver observer) {
    this.placer = Objects.requireNonNull(placer);
    this.observer = Objects.requireNonNull(observer);
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
  public Optional<Changes> analyze(PolicyView view) {
    AppDescriptor app = view.app().orElse(null);
    if (app == null) {
      return Optional.empty();
    }
    PlacementSnapshot snapshot = PlacementInputs.snapshot(placer, view);
    Map<String, String> inFlight = PlacementInputs.targetsInFlight(view, app.name());
    List<Command> cs = new ArrayList<>();
    List<String> why = new ArrayList<>();
    Map<String, String> in = new LinkedHashMap<>();
    Map<String, String> stuck = new TreeMap<>();
    List<Component> ready = new ArrayList<>();
    Map<String, List<Integer>> freeSlots = new LinkedHashMap<>();
    for (Component c : PlacementInputs.dependencyOrder(app)) {
      String named = c.nodePlacement() == null ? null : c.nodePlacement().node();
      if (named != null && !named.isBlank()) {
        continue;
      }
      int desired = PlacementInputs.desiredInstances(app, c);
      Map<Integer, SystemView.InstancePlacement> placed =
          PlacementInputs.bySlot(view, app.name(), c.name());
      // Planned but not yet applied: count them as placed so they are not planned twice.
      for (Map.Entry<String, String> f : inFlight.entrySet()) {
        if (f.getKey().startsWith(c.name() + "/") && !f.getValue().isEmpty()) {
          int slot = slotOf(f.getKey());
          if (!placed.containsKey(slot)
              && !snapshot.commit(PlacementRequest.of(app, c), f.getValue())) {
            snapshot.recordRunning(app.name(), c.name(), f.getValue());
          }
        }
      }
      // Replace what was lost or failed.
      for (Map.Entry<Integer, SystemView.InstancePlacement> e : placed.entrySet()) {
        int slot = e.getKey();
        SystemView.InstancePlacement p = e.getValue();
        if (slot >= desired || !PlacementInputs.gone(p)
            || inFlight.containsKey(c.name() + "/" + slot)) {
          continue;
        }
        Placement choice =
            snapshot.placeAndCommit(PlacementRequest.of(app, c).excluding(Set.of(p.node())));
        if (choice.node().isEmpty()) {
          stuck.put(c.name() + "/" + slot, choice.summary());
          continue;
        }
        String to = choice.node().get();
        cs.add(new PlacementCommand.Move(new ComponentId(app.name(), c.name()).slot(slot),
            new NodeId(to)).toCommand());
        why.add(c.name() + "#" + slot + " " + p.phase().name().toLowerCase(java.util.Locale.ROOT) + " on " + p.node()
            + " → " + to);
        in.put(c.name() + "#" + slot + ".ranking", PlacementInputs.ranking(choice, 3));
      }
      // Scale down: the highest slots beyond the desired count go.
      List<Integer> surplus = new ArrayList<>();
      for (int slot : placed.keySet()) {
        if (slot >= desired && !inFlight.containsKey(c.name() + "/" + slot)) {
          surplus.add(slot);
        }
      }
      surplus.sort(java.util.Comparator.reverseOrder());
      for (int slot : surplus) {
        cs.add(new PlacementCommand.Remove(new ComponentId(app.name(), c.name()).slot(slot))
            .toCommand());
        why.add(c.name() + "#" + slot + " removed (" + desired + " wanted)");
      }
      List<Integer> free = new ArrayList<>();
      for (int slot = 0; slot < desired; slot++) {
        if (!placed.containsKey(slot) && !inFlight.containsKey(c.name() + "/" + slot)) {
          free.add(slot);
        }
      }
      if (free.isEmpty()) {
        continue;
      }
      if (!PlacementInputs.dependenciesRunning(view, app, c)) {
        in.put(c.name() + ".waiting", "for " + String.join(", ", c.dependsOn()) + " to run");
        continue;
      }
      ready.add(c);
      freeSlots.put(c.name(), free);
    }
    if (!ready.isEmpty()) {
      AppDescriptor readyApp = new AppDescriptor(app.name(), app.clusterPlacement(),
          app.singleNode(), ready, app.componentInteractions(), app.permittedActions(),
          app.globalSatisfaction());
      AppPlacement ap = snapshot.placeApp(readyApp);
      Map<String, Integer> used = new LinkedHashMap<>();
      for (AppPlacement.InstancePlacement ip : ap.instances()) {
        List<Integer> free = freeSlots.getOrDefault(ip.component(), List.of());
        int k = used.merge(ip.component(), 1, Integer::sum) - 1;
        if (k >= free.size()) {
          continue; // the snapshot counted an in-flight or replaced instance differently
        }
        int slot = free.get(k);
        Placement choice = ip.placement();
        if (choice.node().isEmpty()) {
          stuck.put(ip.component() + "/" + slot, choice.summary());
          continue;
        }
        String node = choice.node().get();
        cs.add(new PlacementCommand.Deploy(new ComponentId(app.name(), ip.component()).slot(slot),
            new NodeId(node)).toCommand());
        why.add(ip.component() + "#" + slot + " → " + node);
        in.put(ip.component() + "#" + slot + ".ranking", PlacementInputs.ranking(choice, 3));
      }
    }
    if (!cs.isEmpty()) {
      in.put(Plan.VERSION_ARG, Long.toString(view.system().version()));
    }
    unschedulable = String.join("; ", stuck.entrySet().stream()
        .map(e -> e.getKey().replace('/', '#') + ": " + e.getValue()).toList());
    observer.unschedulable(app.name(), stuck);
    return Changes.of(cs, why, in);
  }

  private static int slotOf(String componentSlot) {
    try {
      return Integer.parseInt(componentSlot.substring(componentSlot.lastIndexOf('/') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public Plan plan(PolicyView view, Changes changes) {
    return changes.toPlan("place").basedOn(view.system().version());
  }
}
