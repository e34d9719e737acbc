package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an analysis of the placement kind found: the commands to run, a reason for each, and the
 * observations behind them. {@link #toPlan} words them as the plan's explanation.
 *
 * @param commands what to apply, in order
 * @param reasons one short reason per change, e.g. {@code api#0 → node-2 (named in the descriptor)}
 * @param inputs the observations recorded with the plan
 */
public record Changes(List<Command> commands, List<String> reasons, Map<String, String> inputs) {
  public Changes {
    commands = List.copyOf(commands);
    reasons = List.copyOf(reasons);
    inputs = Map.copyOf(inputs);
  }

  /** These changes, or empty when there are none (so that {@code plan} is not called). */
  static Optional<Changes> of(List<Command> commands, List<String> reasons,
      Map<String, String> inputs) {
    return commands.isEmpty() ? Optional.empty()
        : Optional.of(new Changes(commands, reasons, inputs));
  }

  /** A plan of these commands explained as {@code verb reason, reason, …}. */
  Plan toPlan(String verb) {
    return new Plan(commands, verb + " " + String.join(", ", reasons), inputs);
  }
}
