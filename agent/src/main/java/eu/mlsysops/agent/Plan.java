package eu.mlsysops.agent;

import java.util.List;
import java.util.Map;

/**
 * A policy's decision: commands for mechanisms plus why. A value, not an action: the scheduler
 * decides when (and whether) it runs.
 *
 * @param commands what to apply, in order within a mechanism
 * @param explanation a human-readable reason, shown in the decision log
 * @param inputs the observations that led to the plan (metric values, thresholds), recorded with it
 */
public record Plan(List<Command> commands, String explanation, Map<String, String> inputs) {
  private static final Plan EMPTY = new Plan(List.of(), "", Map.of());

  public Plan {
    commands = List.copyOf(commands);
    explanation = explanation == null ? "" : explanation;
    inputs = Map.copyOf(inputs);
  }

  /** No change. */
  public static Plan empty() {
    return EMPTY;
  }

  /** A plan of one command. */
  public static Plan of(Command command, String explanation, Map<String, String> inputs) {
    return new Plan(List.of(command), explanation, inputs);
  }

  /** True when the plan has no commands. */
  public boolean isEmpty() {
    return commands.isEmpty();
  }
}
