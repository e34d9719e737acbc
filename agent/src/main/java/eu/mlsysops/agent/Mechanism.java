package eu.mlsysops.agent;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Resource control: a knob the agent can turn (CPU frequency, component placement, …). Mechanisms
 * are called only by the plan scheduler.
 */
public interface Mechanism {

  /** The name plans use, e.g. {@code cpu_frequency}. */
  String name();

  /** What the mechanism can be set to (e.g. available frequencies), for policies to read. */
  Map<String, Object> options();

  /** Its current state (e.g. the current frequency), for policies to read. */
  Map<String, Object> state();

  /**
   * Conflict rule: an exclusive mechanism runs one command at a time; a multi-instance mechanism
   * runs commands for different {@link #conflictKey conflict keys} in parallel.
   */
  default boolean exclusive() {
    return true;
  }

  /** For multi-instance mechanisms, what a command acts on (e.g. {@code app/component}). */
  default String conflictKey(Command command) {
    return "";
  }

  /**
   * Applies a command asynchronously. Never throws: failures complete the stage with a failed
   * {@link ApplyResult} (or exceptionally, which the scheduler treats as a non-retriable failure).
   */
  CompletionStage<ApplyResult> apply(Command command);
}
