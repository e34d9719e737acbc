package eu.mlsysops.agent;

import java.util.Locale;

/** Where one instance is in its life, as the agents above its node see it. */
public enum InstancePhase {
  /** Assigned to a node that has not reported it yet. */
  PENDING,
  /** No node can take it now (the continuum's view: its cluster said why). */
  UNSCHEDULABLE,
  /** Being started by its node. */
  STARTING,
  RUNNING,
  /** Exited or could not start; its slot is replaced unless crash-loop back-off holds it. */
  FAILED,
  /** Failed again and again: waiting out a back-off before the next replacement. */
  BACKOFF,
  /** Failed too often in a row: no longer replaced until its spec changes. */
  GAVE_UP,
  /** Stopped on purpose. */
  STOPPED,
  /** Its node (or its cluster) is unreachable: state unknown, to be placed elsewhere. */
  LOST,
  /** A state this version does not know (a newer agent's). */
  UNKNOWN;

  /** The phase of a state as reports carry it ({@code "RUNNING"}, …); unknown ones are {@link #UNKNOWN}. */
  public static InstancePhase of(String state) {
    if (state == null) {
      return UNKNOWN;
    }
    try {
      return valueOf(state.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return UNKNOWN;
    }
  }

  /** Whether a report's state ({@code "RUNNING"}, …, as reports carry it) is this phase. */
  public boolean is(String state) {
    return name().equals(state);
  }

  /**
   * Failed, stopped or lost: the instance no longer runs where it was, so its telemetry series
   * end (each tier marks them stale).
   */
  public boolean endsTelemetry() {
    return this == FAILED || this == STOPPED || this == LOST;
  }

  /** Lost or failed: the instance does not serve, and where it was says little. */
  public boolean isGone() {
    return this == LOST || this == FAILED;
  }
}
