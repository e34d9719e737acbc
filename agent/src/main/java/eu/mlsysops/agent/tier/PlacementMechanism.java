package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
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
  static final String NAME = "placement";

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

  private CompletionStage<ApplyResult> scale(Command c, String app, String component) {
    String n = c.arg("instances", "");
    int instances;
    try {
      instances = Integer.parseInt(n);
    } catch (NumberFormatException e) {
      return CompletableFuture.completedFuture(
          ApplyResult.failure("placement scale: instances: \"" + n + "\" is not a number"));
    }
    if (instances < 0) {
      return CompletableFuture.completedFuture(
          ApplyResult.failure("placement scale: instances: must be at least 0, got " + n));
    }
    return cluster.scale(app, component, instances);
  }

  @Override
  public CompletionStage<ApplyResult> apply(Command c) {
    String app = c.arg("app", null);
    String component = c.arg("component", null);
    int slot;
    try {
      slot = Integer.parseInt(c.arg("slot", "0"));
    } catch (NumberFormatException e) {
      return CompletableFuture.completedFuture(
          ApplyResult.failure("placement: slot: \"" + c.arg("slot", "") + "\" is not a number"));
    }
    if (app == null || component == null) {
      return CompletableFuture.completedFuture(
          ApplyResult.failure("placement " + c.action() + " needs app and component"));
    }
    switch (c.action()) {
      case "deploy":
        return cluster.deploy(c, app, component, slot, c.arg("node", ""));
      case "move":
        return cluster.move(c, app, component, slot, c.arg("to", ""));
      case "scale":
        return scale(c, app, component);
      case "remove":
        return cluster.remove(app, component, slot);
      case "restart":
        return cluster.restart(app, component, c.args().containsKey("slot") ? slot : -1,
            Boolean.parseBoolean(c.arg("outdated", "false")));
      case "change_spec":
        SpecChange change;
        try {
          change = SpecChange.parse(c.args());
        } catch (IllegalArgumentException e) {
          return CompletableFuture.completedFuture(ApplyResult.failure(e.getMessage()));
        }
        return cluster.changeSpec(c, app, component, c.args().containsKey("slot") ? slot : -1,
            change);
      default:
        return CompletableFuture.completedFuture(ApplyResult.failure("placement has no action \""
            + c.action() + "\" (deploy, move, remove, scale, change_spec, restart)"));
    }
  }
}
