package eu.mlsysops.agent.plan;

import java.util.List;

/** Durable record of every plan transition, queryable afterwards. */
public interface PlanLog extends AutoCloseable {

  /** Records a transition. Must not block the caller on I/O. */
  void record(PlanRecord plan);

  /** Plans matching the query, newest first, in their latest state. */
  List<PlanRecord> query(PlanQuery query);

  /** The status history of one plan, oldest first. */
  List<PlanRecord> history(String planId);

  @Override
  void close();

  /** A log that keeps nothing (for benchmarks that measure everything else). */
  static PlanLog discarding() {
    return new PlanLog() {
      @Override
      public void record(PlanRecord plan) {}

      @Override
      public List<PlanRecord> query(PlanQuery query) {
        return List.of();
      }

      @Override
      public List<PlanRecord> history(String planId) {
        return List.of();
      }

      @Override
      public void close() {}
    };
  }
}
