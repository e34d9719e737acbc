package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.kernel.AgentLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Failures an app causes itself (a bad command, a port already taken, a crash on start) are the
 * app's: each slot whose instances keep failing waits before it is placed again, twice as long
 * after every failure in a row (as Kubernetes' CrashLoopBackOff), and after {@link #GIVE_UP_AFTER}
 * in a row it is not placed again until the app changes. Placement policies see such a slot as
 * {@link #BACKOFF} or {@link #GAVE_UP}, not as a failed instance to move.
 *
 * <p>A new spec that fails to start while the slot's old instance keeps running is kept apart:
 * the slot is healthy, only rolling that spec out waits (and gives up) the same way, so a failed
 * rollout is never held against the old instance later. Owned by the cluster agent's loop.
 */
final class CrashLoops {
  /** The view's state of a slot waiting out its back-off. */
  static final String BACKOFF = InstancePhase.BACKOFF.name();
  /** The view's state of a slot no longer placed: it failed too often in a row. */
  static final String GAVE_UP = InstancePhase.GAVE_UP.name();
  /** Failures in a row after which a slot is given up. */
  static final int GIVE_UP_AFTER = 5;
  /** The wait after the first failure; it doubles with each failure in a row. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
  /** Running this long makes the failures before forgotten. */
  static final Duration RESET_AFTER = Duration.ofMinutes(1);

  /** A slot's failures in a row. */
  record Loop(int failures, long retryAtMillis, String reason) {
    boolean gaveUp() {
      return failures >= GIVE_UP_AFTER;
    }

    /** For people: what happened and what comes next. */
    String describe(long nowMillis) {
      return gaveUp()
          ? "gave up after " + failures + " failures in a row (last: " + reason
              + "); update the app to try again"
          : "failure " + failures + " in a row (" + reason + "); placed again in "
              + Math.max(0, (retryAtMillis - nowMillis + 999) / 1000) + " s";
    }
  }

  private final AgentLoop loop;
  private final Map<InstanceSlots.Key, Loop> loops = new HashMap<>();
  /** Since when each slot's current instance runs. */
  private final Map<InstanceSlots.Key, Long> runningSince = new HashMap<>();
  /** Failed rollouts of a spec (its digest) to a slot whose old instance keeps running. */
  private final Map<InstanceSlots.Key, Map<String, Loop>> rollouts = new HashMap<>();

  CrashLoops(AgentLoop loop) {
    this.loop = Objects.requireNonNull(loop);
  }

  /** The slot's instance failed: one more in a row (unless it ran long enough before). */
  Loop failed(InstanceSlots.Key slot, String reason, long nowMillis) {
    loop.checkInLoop();
    Long since = runningSince.remove(slot);
    Loop before = loops.get(slot);
    int failures = before == null
        || since != null && nowMillis - since >= RESET_AFTER.toMillis() ? 1
        : before.failures() + 1;
    Loop l = new Loop(failures, nowMillis + wait(failures), reason);
    loops.put(slot, l);
    return l;
  }

  /**
   * A replacement from spec {@code spec} failed and the slot went back to its running instance:
   * one more failure in a row of rolling out that spec.
   */
  Loop rolloutFailed(InstanceSlots.Key slot, String spec, String reason, long nowMillis) {
    loop.checkInLoop();
    Map<String, Loop> bySpec = rollouts.computeIfAbsent(slot, k -> new HashMap<>());
    bySpec.keySet().retainAll(java.util.Set.of(spec)); // an older spec's tries no longer matter
    Loop before = bySpec.get(spec);
    int failures = before == null ? 1 : before.failures() + 1;
    Loop l = new Loop(failures, nowMillis + wait(failures), reason);
    bySpec.put(spec, l);
    return l;
  }

  /** Whether rolling {@code spec} out to the slot waits, or was given up. */
  boolean rolloutHolds(InstanceSlots.Key slot, String spec, long nowMillis) {
    Loop l = rollouts.getOrDefault(slot, Map.of()).get(spec);
    return l != null && (l.gaveUp() || nowMillis < l.retryAtMillis());
  }

  private static long wait(int failures) {
    return Math.min(MAX_BACKOFF.toMillis(),
        FIRST_BACKOFF.toMillis() << Math.min(failures - 1, 20));
  }

  /** The slot's instance runs. */
  void running(InstanceSlots.Key slot, long nowMillis) {
    loop.checkInLoop();
    runningSince.putIfAbsent(slot, nowMillis);
  }

  /** The slot's crash loop, if its instances failed in a row and it did not run long since. */
  Loop of(InstanceSlots.Key slot, long nowMillis) {
    Loop l = loops.get(slot);
    Long since = runningSince.get(slot);
    if (l != null && since != null && nowMillis - since >= RESET_AFTER.toMillis()) {
      loops.remove(slot);
      return null;
    }
    return l;
  }

  /**
   * The state placement policies see for a slot whose instance reports {@code reported}: a failed
   * instance waiting out its back-off, or given up, is not one to move.
   */
  String viewState(InstanceSlots.Key slot, String reported, long nowMillis) {
    if (!InstancePhase.FAILED.is(reported)) {
      return reported;
    }
    Loop l = of(slot, nowMillis);
    if (l == null) {
      return reported;
    }
    return l.gaveUp() ? GAVE_UP : nowMillis < l.retryAtMillis() ? BACKOFF : reported;
  }

  /** Whether the slot waits out a back-off, or was given up: nothing should replace it now. */
  boolean holds(InstanceSlots.Key slot, long nowMillis) {
    Loop l = of(slot, nowMillis);
    return l != null && (l.gaveUp() || nowMillis < l.retryAtMillis());
  }

  /** Whether a back-off ended in {@code (fromMillis, toMillis]}: its slot can be placed again. */
  boolean retriesDue(long fromMillis, long toMillis) {
    return java.util.stream.Stream.concat(loops.values().stream(),
            rollouts.values().stream().flatMap(m -> m.values().stream()))
        .anyMatch(l -> !l.gaveUp() && l.retryAtMillis() > fromMillis
            && l.retryAtMillis() <= toMillis);
  }

  /** The app changed (or left): its slots start with a clean slate. */
  void forgetApps(Set<String> apps) {
    loop.checkInLoop();
    loops.keySet().removeIf(k -> apps.contains(k.app()));
    runningSince.keySet().removeIf(k -> apps.contains(k.app()));
    rollouts.keySet().removeIf(k -> apps.contains(k.app()));
  }
}
