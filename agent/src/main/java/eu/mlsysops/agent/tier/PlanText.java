package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.plan.PlanRecord;

/** One-line descriptions of plan transitions for the event stream. */
final class PlanText {
  private PlanText() {}

  static String describe(PlanRecord r) {
    StringBuilder b = new StringBuilder();
    b.append(r.status().wireName()).append(": ").append(r.policy());
    if (!r.app().isEmpty()) {
      b.append(" [").append(r.app()).append(']');
    }
    if (!r.explanation().isEmpty()) {
      b.append(" — ").append(r.explanation());
    }
    if (!r.reason().isEmpty() && r.status().isTerminal()) {
      b.append(" → ").append(r.reason());
    }
    return b.toString();
  }
}
