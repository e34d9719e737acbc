package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanRequest;
import eu.mlsysops.agent.plan.PlanScheduler;
import java.time.Clock;

/**
 * Resumes, after a restart, the plans an agent had accepted but not finished: each is submitted
 * again under its own id, so the log shows one plan that went on rather than a duplicate. The
 * mechanisms' actions are idempotent (a slot already placed is not placed twice, an assignment
 * already made is made again to the same cluster), so a plan that had in fact finished just
 * before the crash completes again without effect.
 */
final class PlanResumption {
  private PlanResumption() {}

  static int resume(
      PlanScheduler scheduler, PlanLog log, String agent, EventSink events, Clock clock) {
    int n = 0;
    for (PlanRecord r : log.unfinished(agent)) {
      if (r.commands().isEmpty()) {
        continue;
      }
      scheduler.submit(new PlanRequest(r.id(), r.policy(), r.app(), r.core(),
          new Plan(r.commands(), r.explanation(), r.inputs())));
      events.publish(new AgentEvent(clock.millis(), agent, "plan",
          "resumed plan " + r.id() + " after a restart (" + r.status().wireName() + "): "
              + r.explanation()));
      n++;
    }
    return n;
  }
}
