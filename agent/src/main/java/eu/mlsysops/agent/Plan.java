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
 * @param version the placement version ({@link SystemView#version()}) the plan was computed
 *     against, for an optimistic commit: its commands take effect only while the cluster is still
 *     at that version (each later command: at the version its predecessor left), otherwise they
 *     fail as stale and the policy plans again. 0: the plan does not depend on one
 */
public record Plan(List<Command> commands, String explanation, Map<String, String> inputs,
    long version) {
  /**
   * Command argument carrying {@link #version} to the mechanism: the scheduler adds it to every
   * command of a versioned plan, with {@link #TOKEN_ARG}.
   */
  public static final String VERSION_ARG = "version";
  /** Command argument naming the plan a versioned command belongs to (its id). */
  public static final String TOKEN_ARG = "plan";

  private static final Plan EMPTY = new Plan(List.of(), "", Map.of());

  public Plan {
    commands = List.copyOf(commands);
    explanation = explanation == null ? "" : explanation;
    inputs = Map.copyOf(inputs);
    if (version < 0) {
      throw new IllegalArgumentException("version: must be at least 0, got " + version);
    }
  }

  /** A plan that does not depend on a placement version. */
  public Plan(List<Command> commands, String explanation, Map<String, String> inputs) {
    this(commands, explanation, inputs, 0);
  }

  /** No change. */
  public static Plan empty() {
    return EMPTY;
  }

  /** A plan of one command. */
  public static Plan of(Command command, String explanation, Map<String, String> inputs) {
    return new Plan(List.of(command), explanation, inputs);
  }

  /** This plan, committed only while the placement is still at {@code placementVersion}. */
  public Plan basedOn(long placementVersion) {
    return new Plan(commands, explanation, inputs, placementVersion);
  }

  /** True when the plan has no commands. */
  public boolean isEmpty() {
    return commands.isEmpty();
  }
}
