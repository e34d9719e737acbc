package eu.mlsysops.model;

import java.util.List;

/**
 * An app's {@code global_satisfaction}: how the weighted QoS achievement is judged.
 *
 * @param threshold the minimum satisfaction, in (0, 1], or null
 * @param relation {@code greater_or_equal}, {@code equal} or {@code greater_than}, or null
 * @param achievementWeights per-metric weights, each at least 0
 */
public record GlobalSatisfaction(
    Double threshold, Relation relation, List<AchievementWeight> achievementWeights) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param threshold see the record description
   * @param relation see the record description
   * @param achievementWeights see the record description
   */
  public GlobalSatisfaction {
    achievementWeights = Immutable.list(achievementWeights);
  }
}
