package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cluster's placement version, for optimistic commits (Nomad's plan applier): it grows with
 * every change placement depends on (a node joins, leaves, fails or recovers; an instance is
 * placed, moved or removed; the apps or their desired counts change). A policy plans against the
 * version its view was taken at and tags its commands with it; a command is committed only if the
 * cluster is still at that version, or, for a plan's later commands, at the version the plan's
 * own previous command left. Anything else is stale: refused, and the policy plans again.
 * Commands without a version (user policies that do not opt in) are not checked.
 *
 * <p>Not thread-safe: the cluster agent calls it on its loop.
 */
final class PlacementVersion {
  /** How the reason of a plan refused for a stale version begins (see {@link #refusedAsStale}). */
  private static final String STALE = "stale plan";

  /**
   * Whether a finished plan was refused because the placement moved on before it committed: its
   * policy plans again from the new state. (A typed outcome on the plan record would be better;
   * the scheduler's {@code ApplyResult.Outcome.STALE} does not reach the record yet.)
   */
  static boolean refusedAsStale(PlanRecord r) {
    return (r.status() == PlanStatus.DISCARDED
        || r.status() == PlanStatus.FAILED)
        && r.reason().startsWith(STALE);
  }

  private static final int MAX_PLANS = 1_000;
  private long version = 1;
  private long stale;

  /** The version each recent plan (by token) left with its last committed command. */
  private final Map<String, Long> plans =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_PLANS;
        }
      };

  long current() {
    return version;
  }

  long staleCount() {
    return stale;
  }

  void bump() {
    version++;
  }

  /**
   * Null when {@code c} may be committed now, else why it is stale.
   *
   * @throws NumberFormatException never: an unreadable version is reported as stale
   */
  String admit(Command c) {
    String v = c.arg(Plan.VERSION_ARG, null);
    if (v == null) {
      return null;
    }
    long planned;
    try {
      planned = Long.parseLong(v);
    } catch (NumberFormatException e) {
      stale++;
      return "placement: version: \"" + v + "\" is not a number";
    }
    String token = c.arg(Plan.TOKEN_ARG, "");
    long expected = token.isEmpty() ? planned : plans.getOrDefault(token, planned);
    if (expected == version) {
      return null;
    }
    stale++;
    return STALE + ": computed against placement version " + planned
        + ", the cluster is at version " + version + " now; planning again";
  }

  /** {@code c} was committed: the version moves on, and its plan may go on from there. */
  void committed(Command c) {
    version++;
    String token = c.arg(Plan.TOKEN_ARG, "");
    if (!token.isEmpty() && c.arg(Plan.VERSION_ARG, null) != null) {
      plans.put(token, version);
    }
  }
}
