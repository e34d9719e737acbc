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

  /**
   * Plans of {@code agent} that were accepted but had not finished when the log last heard of
   * them (pending or scheduled), oldest first: what an agent restarting after a crash resumes.
   */
  default List<PlanRecord> unfinished(String agent) {
    List<PlanRecord> out = new java.util.ArrayList<>();
    for (PlanStatus s : List.of(PlanStatus.PENDING, PlanStatus.SCHEDULED)) {
      for (PlanRecord r : query(PlanQuery.recent(10_000).withStatus(s))) {
        if (r.agent().equals(agent)) {
          out.add(r);
        }
      }
    }
    out.sort(java.util.Comparator.comparingLong(PlanRecord::createdMillis));
    return out;
  }

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
