package eu.mlsysops.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.agent.plan.PlanQuery;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.protocol.Message;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RecordIntakeTest {
  private final List<PlanRecord> plans = new CopyOnWriteArrayList<>();
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
  private final List<Message> sent = new CopyOnWriteArrayList<>();
  private final AtomicBoolean connected = new AtomicBoolean(true);

  private final PlanLog log = new PlanLog() {
    @Override
    public void record(PlanRecord plan) {
      plans.add(plan);
    }

    @Override
    public List<PlanRecord> query(PlanQuery query) {
      return plans;
    }

    @Override
    public List<PlanRecord> history(String planId) {
      return List.of();
    }

    @Override
    public void close() {}
  };

  static PlanRecord plan(String id, PlanStatus status) {
    return new PlanRecord(id, "n1", "cpu-frequency", "app", false,
        List.of(Command.of("cpu_frequency", "set", "ghz", "2.0")), "too slow",
        Map.of("latency_ms", "120"), status, "why", 1, 2, 1);
  }

  @Test
  void plansAndEventsOfARemoteAgentArriveAsTheyWereRecorded() {
    RecordUplink up = new RecordUplink("n1", 100, 10, m -> sent.add(m), connected::get);
    PlanLog tee = up.teeing(PlanLog.discarding());
    tee.record(plan("p-1", PlanStatus.PENDING));
    tee.record(plan("p-1", PlanStatus.COMPLETED));
    up.teeing(e -> {}).publish(new AgentEvent(5, "n1", "instance", "a/b/0 running"));
    up.flush();
    RecordIntake intake = new RecordIntake("k", log, events::add, Clock.systemUTC());

    sent.forEach(m -> intake.accept((Message.Records) m));

    assertThat(plans).containsExactly(plan("p-1", PlanStatus.PENDING),
        plan("p-1", PlanStatus.COMPLETED));
    assertThat(events).containsExactly(new AgentEvent(5, "n1", "instance", "a/b/0 running"));
  }

  @Test
  void aBatchTakenOnceIsDroppedWhenItComesAgainButANewIncarnationStartsAfresh() {
    RecordIntake intake = new RecordIntake("k", log, events::add, Clock.systemUTC());
    var first = new Message.Records("c1", "n1", 100, 1,
        List.of(RecordUplink.toWire(plan("p-1", PlanStatus.COMPLETED))), List.of(), 0);

    assertThat(intake.accept(first)).isTrue();
    assertThat(intake.accept(first)).isFalse();
    assertThat(intake.accept(new Message.Records("c1", "n1", 200, 1, List.of(), List.of(), 0)))
        .isTrue();
    assertThat(intake.accept(new Message.Records("c1", "n1", 200, 1, List.of(), List.of(), 0)))
        .isFalse();

    assertThat(plans).hasSize(1);
    assertThat(intake.duplicates()).isEqualTo(2);
  }

  @Test
  void whatDidNotFitWhileTheLinkWasDownIsCountedAndSaid() {
    RecordUplink up = new RecordUplink("n1", 100, 2, m -> sent.add(m), connected::get);
    connected.set(false);
    PlanLog tee = up.teeing(PlanLog.discarding());
    for (int i = 0; i < 5; i++) {
      tee.record(plan("p-" + i, PlanStatus.COMPLETED));
    }
    up.flush();
    assertThat(sent).isEmpty();

    connected.set(true);
    up.flush();

    Message.Records r = (Message.Records) sent.get(0);
    assertThat(r.plans()).hasSize(2);
    assertThat(r.dropped()).isEqualTo(3);
    RecordIntake intake = new RecordIntake("k", log, events::add, Clock.systemUTC());
    intake.accept(r);
    assertThat(events).singleElement().satisfies(e -> assertThat(e.message())
        .startsWith("n1 dropped 3 plan transitions and events"));
  }
}
