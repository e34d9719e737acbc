package eu.mlsysops.agent;

import eu.mlsysops.orchestration.SpecChange;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the {@code placement} mechanism does, typed. Policies build these and send their {@link
 * #toCommand() wire form} (a {@link Command}, which plans record and links carry unchanged); the
 * mechanism reads a command back with {@link #from}, whose errors name the field at fault.
 *
 * <p>On a cluster agent placement puts component instances on nodes; on a node agent the only
 * action is {@link Relocate}: a request that the node's cluster moves an instance elsewhere.
 */
public sealed interface PlacementCommand {
  /** The mechanism's name in plans. */
  String MECHANISM = "placement";

  /** The component the command acts on (commands for one component run one at a time). */
  ComponentId component();

  /** The action's name in the wire form. */
  String action();

  /** The arguments after {@code app} and {@code component}. */
  Map<String, String> arguments();

  /** The wire form: {@code placement <action> {app, component, …}}. */
  default Command toCommand() {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("app", component().app());
    args.put("component", component().component());
    args.putAll(arguments());
    return new Command(MECHANISM, action(), args);
  }

  /** Run the instance of {@code slot} on {@code node}; done when it runs. */
  record Deploy(SlotId slot, NodeId node) implements PlacementCommand {
    @Override
    public ComponentId component() {
      return slot.component();
    }

    @Override
    public String action() {
      return "deploy";
    }

    @Override
    public Map<String, String> arguments() {
      return Map.of("slot", Integer.toString(slot.slot()), "node", node.name());
    }
  }

  /**
   * Start a new instance of {@code slot} on {@code to}, then stop the old one, so the component
   * never drops below its instances (unless the old node is lost).
   */
  record Move(SlotId slot, NodeId to) implements PlacementCommand {
    @Override
    public ComponentId component() {
      return slot.component();
    }

    @Override
    public String action() {
      return "move";
    }

    @Override
    public Map<String, String> arguments() {
      return Map.of("slot", Integer.toString(slot.slot()), "to", to.name());
    }
  }

  /** Stop the slot's instance. */
  record Remove(SlotId slot) implements PlacementCommand {
    @Override
    public ComponentId component() {
      return slot.component();
    }

    @Override
    public String action() {
      return "remove";
    }

    @Override
    public Map<String, String> arguments() {
      return Map.of("slot", Integer.toString(slot.slot()));
    }
  }

  /** Set how many instances the component should have; placement policies then follow. */
  record Scale(ComponentId component, int instances) implements PlacementCommand {
    public Scale {
      if (instances < 0) {
        throw new IllegalArgumentException("instances: must be at least 0, got " + instances);
      }
    }

    @Override
    public String action() {
      return "scale";
    }

    @Override
    public Map<String, String> arguments() {
      return Map.of("instances", Integer.toString(instances));
    }
  }

  /**
   * Replace the component's instances on their nodes with its current spec, one at a time, each
   * new one running before the old one stops.
   *
   * @param slot one slot only, or -1 for all
   * @param outdatedOnly only instances started from an older spec
   */
  record Restart(ComponentId component, int slot, boolean outdatedOnly)
      implements PlacementCommand {
    public Restart {
      if (slot < -1) {
        throw new IllegalArgumentException("slot: must be at least 0, got " + slot);
      }
    }

    @Override
    public String action() {
      return "restart";
    }

    @Override
    public Map<String, String> arguments() {
      Map<String, String> a = new LinkedHashMap<>();
      if (slot >= 0) {
        a.put("slot", Integer.toString(slot));
      }
      if (outdatedOnly) {
        a.put("outdated", "true");
      }
      return a;
    }
  }

  /**
   * Change the component's spec for good and replace its instances (or one slot's) with it.
   *
   * @param slot one slot only, or -1 for all
   */
  record ChangeSpec(ComponentId component, int slot, SpecChange change)
      implements PlacementCommand {
    public ChangeSpec {
      if (slot < -1) {
        throw new IllegalArgumentException("slot: must be at least 0, got " + slot);
      }
      if (change == null) {
        throw new IllegalArgumentException("change: missing");
      }
    }

    @Override
    public String action() {
      return "change_spec";
    }

    @Override
    public Map<String, String> arguments() {
      Map<String, String> a = new LinkedHashMap<>(change.args());
      if (slot >= 0) {
        a.put("slot", Integer.toString(slot));
      }
      return a;
    }
  }

  /** A node's request that its cluster relocate the slot's instance (forwarded up). */
  record Relocate(SlotId slot) implements PlacementCommand {
    @Override
    public ComponentId component() {
      return slot.component();
    }

    @Override
    public String action() {
      return "relocate";
    }

    @Override
    public Map<String, String> arguments() {
      return Map.of("slot", Integer.toString(slot.slot()));
    }
  }

  /** The slot a command names; slot 0 when it names none (a one-instance component's). */
  private static int slot(Map<String, String> args, Command c) {
    return args.containsKey("slot") ? Ids.intArg(c, "slot") : 0;
  }

  /**
   * Reads a placement command; other arguments (a plan's version and token) are ignored here.
   *
   * @throws IllegalArgumentException naming the action and field at fault, e.g. {@code placement
   *     move: to: missing}
   */
  static PlacementCommand from(Command c) {
    if (!MECHANISM.equals(c.mechanism())) {
      throw new IllegalArgumentException("not a placement command: " + c.mechanism());
    }
    try {
      ComponentId component = Ids.component(c);
      Map<String, String> args = c.args();
      switch (c.action()) {
        case "deploy":
          return new Deploy(component.slot(slot(args, c)), new NodeId(Ids.arg(c, "node")));
        case "move":
          return new Move(component.slot(slot(args, c)), new NodeId(Ids.arg(c, "to")));
        case "remove":
          return new Remove(component.slot(slot(args, c)));
        case "scale":
          return new Scale(component, Ids.intArg(c, "instances"));
        case "restart":
          return new Restart(component, Ids.optionalSlot(args, c),
              Boolean.parseBoolean(args.getOrDefault("outdated", "false")));
        case "change_spec":
          return new ChangeSpec(component, Ids.optionalSlot(args, c), SpecChange.parse(args));
        case "relocate":
          return new Relocate(component.slot(Ids.intArg(c, "slot")));
        default:
          throw new IllegalArgumentException("no such action (deploy, move, remove, scale,"
              + " change_spec, restart, relocate)");
      }
    } catch (IllegalArgumentException e) {
      String m = String.valueOf(e.getMessage());
      // SpecChange names its action itself ("change_spec: cpu_limits: …").
      throw new IllegalArgumentException(
          "placement " + (m.startsWith(c.action()) ? m : c.action() + ": " + m), e);
    }
  }
}
