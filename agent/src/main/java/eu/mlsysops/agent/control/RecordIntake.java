package eu.mlsysops.agent.control;

import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.agent.tier.EventSink;
import eu.mlsysops.protocol.Message;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The continuum's side of visibility coming up: takes each {@link Message.Records} batch of a
 * remote agent once (a batch number at or below the last one taken from the same incarnation is a
 * resend and is dropped), writes its plan transitions to the continuum's plan log and publishes
 * its events, so {@code /api/v1/plans}, {@code mls plans} and the event stream show remote agents'
 * decisions as they show local ones. What an agent had to drop is published as an event too. A
 * batch of another incarnation starts the numbering afresh (the agent restarted; its clock may
 * even have gone back).
 */
public final class RecordIntake {
  private final PlanLog planLog;
  private final EventSink events;
  private final String self;
  private final java.time.Clock clock;
  /** origin → {incarnation, last batch taken}. */
  private final Map<String, long[]> taken = new LinkedHashMap<>();
  private final AtomicLong duplicates = new AtomicLong();

  /**
   * @param self the name of the agent that takes the records (events about drops carry it)
   * @param planLog where remote plan transitions go
   * @param events where remote events go
   * @param clock stamps the events this intake publishes itself
   */
  public RecordIntake(String self, PlanLog planLog, EventSink events, java.time.Clock clock) {
    this.self = Objects.requireNonNull(self);
    this.clock = Objects.requireNonNull(clock);
    this.planLog = Objects.requireNonNull(planLog);
    this.events = Objects.requireNonNull(events);
  }

  /**
   * Takes a batch.
   *
   * @return false when it was a resend and was dropped
   */
  public boolean accept(Message.Records r) {
    synchronized (taken) {
      long[] last = taken.get(r.origin());
      if (last != null && last[0] == r.incarnation() && r.seq() <= last[1]) {
        duplicates.incrementAndGet();
        return false;
      }
      taken.put(r.origin(), new long[] {r.incarnation(), r.seq()});
    }
    for (Message.PlanTransition p : r.plans()) {
      PlanRecord record;
      try {
        // An agent's plans are its own: whatever the batch says, they are the origin's.
        record = RecordUplink.fromWire(p.agent().equals(r.origin()) ? p
            : new Message.PlanTransition(p.id(), r.origin(), p.policy(), p.app(), p.core(),
                p.commands(), p.explanation(), p.inputs(), p.status(), p.reason(),
                p.createdMillis(), p.updatedMillis(), p.attempts()));
      } catch (IllegalArgumentException e) {
        continue; // an unknown status from a newer agent: skip the transition, keep the rest
      }
      planLog.record(record);
    }
    for (Message.Event e : r.events()) {
      events.publish(new AgentEvent(e.timeMillis(), e.agent(), e.kind(), e.message()));
    }
    if (r.dropped() > 0) {
      events.publish(new AgentEvent(clock.millis(), self, "records",
          r.origin() + " dropped " + r.dropped() + " plan transitions and events (its buffer was"
              + " full while its link was down or slow)"));
    }
    return true;
  }

  /** Batches dropped as resends. */
  public long duplicates() {
    return duplicates.get();
  }
}
