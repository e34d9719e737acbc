package eu.mlsysops.orchestration;

import eu.mlsysops.model.AppDescriptor;
import java.util.Objects;

/**
 * Places a whole app with optimistic concurrency: plan against the snapshot's current version
 * (on a copy, without holding the snapshot while scoring), commit only if no event changed the
 * snapshot meanwhile, otherwise plan again from the new state. A stale plan is never applied.
 */
public final class OptimisticPlacement {
  private OptimisticPlacement() {}

  /**
   * The outcome: the committed plan (or the last stale one when every attempt went stale), how
   * many plans were computed, and whether one was committed.
   *
   * @param plan the committed plan, or the last one computed
   * @param attempts plans computed (1 when nothing interfered)
   * @param committed false when all {@code maxAttempts} plans went stale; nothing was applied
   */
  public record Result(PlacementPlan plan, int attempts, boolean committed) {}

  /**
   * Plans and commits {@code app} on {@code snapshot}, recomputing a stale plan up to {@code
   * maxAttempts} times in all.
   *
   * @throws IllegalArgumentException if {@code maxAttempts} is below 1
   */
  public static Result placeApp(PlacementSnapshot snapshot, AppDescriptor app, int maxAttempts) {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(app, "app");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    PlacementPlan plan = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      plan = snapshot.plan(app);
      if (snapshot.commit(plan)) {
        return new Result(plan, attempt, true);
      }
    }
    return new Result(plan, maxAttempts, false);
  }
}
