package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.PlacementCommand;
import eu.mlsysops.orchestration.SpecChange;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * The cluster's {@code placement} mechanism (the reference's Fluidity): puts component instances
 * on nodes. Actions, all with {@code app}, {@code component}, {@code slot}:
 *
 * <ul>
 *   <li>{@code deploy node=N}: run the slot's instance on N; done when it runs;
 *   <li>{@code move to=N}: start a new instance on N and stop the old one only once the new one
 *       runs, so the component never drops below its instances (unless the old node is lost);
 *   <li>{@code remove}: stop the slot's instance;
 *   <li>{@code scale instances=N} (no slot): set how many instances the component should have;
 *       the placement policies then deploy or remove instances to match;
 *   <li>{@code change_spec} with any of {@code image}, {@code runtime_class_name}, {@code
 *       cpu_requests}, {@code cpu_limits}, {@code memory_requests}, {@code memory_limits} (and
 *       {@code container}, default 0; {@code slot} to change one instance only): the component's
 *       spec changes for good (stored with the cluster's state) and its instances are replaced
 *       on their nodes one at a time, each new one running before the old one stops;
 *   <li>{@code restart} (optional {@code slot}; {@code outdated=true}: only instances started from
 *       an older spec): replaces the component's instances the same way with its current spec.
 * </ul>
 *
 * Multi-instance: commands for different components run in parallel; commands for the same
 * component are serialised.
 */
final class PlacementMechanism implements Mechanism {
  static final String NAME = PlacementCommand.MECHANISM;

  private final PlacementApplier cluster;
  private final IntSupplier instances;

  /**
   * @param cluster applies the commands on the cluster agent's loop
   * @param instances how many instances the cluster places now (for {@link #state()})
   */
  PlacementMechanism(PlacementApplier cluster, IntSupplier instances) {
    this.cluster = Objects.requireNonNull(cluster);
    this.instances = Objects.requireNonNull(instances);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Object> options() {
    return Map.of("actions", List.of("deploy", "move", "remove", "scale", "change_spec", "restart"),
        "change_spec", SpecChange.ARGS);
  }

  @Override
  public Map<String, Object> state() {
    return Map.of("instances", instances.getAsInt());
  }

  @Override
  public boolean exclusive() {
    return false;
  }

  @Override
  public String conflictKey(Command c) {
    return c.arg("app", "") + "/" + c.arg("component", "");
  }

  @Override
  public CompletionStage<ApplyResult> apply(Command c) {
    PlacementCommand command;
    try {
      command = PlacementCommand.from(c);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(ApplyResult.failure(e.getMessage()));
    }
    String app = command.component().app();
    String component = command.component().component();
    // The raw command goes along where a plan's version and token decide whether it commits.
    if (command instanceof PlacementCommand.Deploy d) {
      return cluster.deploy(c, app, component, d.slot().slot(), d.node().name());
    } else if (command instanceof PlacementCommand.Move m) {
      return cluster.move(c, app, component, m.slot().slot(), m.to().name());
    } else if (command instanceof PlacementCommand.Scale sc) {
      return cluster.scale(app, component, sc.instances());
    } else if (command instanceof PlacementCommand.Remove r) {
      return cluster.remove(app, component, r.slot().slot());
    } else if (command instanceof PlacementCommand.Restart r) {
      return cluster.restart(app, component, r.slot(), r.outdatedOnly());
    } else if (command instanceof PlacementCommand.ChangeSpec cs) {
      return cluster.changeSpec(c, app, component, cs.slot(), cs.change());
    }
    return CompletableFuture.completedFuture(ApplyResult.failure("placement " + c.action()
        + ": a node's request; a cluster deploys, moves, removes, scales, changes specs and"
        + " restarts"));
  }
}
