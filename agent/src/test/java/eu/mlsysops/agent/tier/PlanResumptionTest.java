package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.plan.PlanQuery;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.agent.plan.SqlitePlanLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans accepted before a crash go on after the restart, under their own ids. */
class PlanResumptionTest {
  @TempDir Path dir;

  private static final class Recording implements Mechanism {
    final List<Command> applied = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "placement";
    }

    @Override
    public Map<String, Object> options() {
      return Map.of();
    }

    @Override
    public Map<String, Object> state() {
      return Map.of();
    }

    @Override
    public boolean exclusive() {
      return false;
    }

    @Override
    public CompletionStage<ApplyResult> apply(Command c) {
      applied.add(c);
      return CompletableFuture.completedFuture(ApplyResult.success("done"));
    }
  }

  private static PlanRecord record(String id, String agent, PlanStatus status, long created) {
    return new PlanRecord(id, agent, "dynamic-placement", "web", true,
        List.of(Command.of("placement", "deploy", "app", "web", "component", "web", "slot", "0",
            "node", "cloud-1")),
        "place web#0 → cloud-1", Map.of(), status, "", created, created, 0);
  }

  @Test
  void unfinishedPlansOfTheAgentAreResubmittedAndFinish() {
    try (SqlitePlanLog log = SqlitePlanLog.open(dir.resolve("plans.db"))) {
      log.record(record("p-pending", "cloud", PlanStatus.PENDING, 1));
      log.record(record("p-scheduled", "cloud", PlanStatus.SCHEDULED, 2));
      log.record(record("p-done", "cloud", PlanStatus.COMPLETED, 3));
      log.record(record("p-other", "edge", PlanStatus.PENDING, 4));
      log.flush();
    }
    // A new process: the same file, a fresh scheduler.
    try (SqlitePlanLog log = SqlitePlanLog.open(dir.resolve("plans.db"))) {
      assertThat(log.unfinished("cloud")).extracting(PlanRecord::id)
          .containsExactly("p-pending", "p-scheduled");
      PlanScheduler scheduler = PlanScheduler.builder("cloud").log(log).build();
      Recording mechanism = new Recording();
      scheduler.register(mechanism);
      List<AgentEvent> events = new CopyOnWriteArrayList<>();
      scheduler.start();

      int n = PlanResumption.resume(scheduler, log, "cloud", events::add, Clock.systemUTC());

      assertThat(n).isEqualTo(2);
      await().atMost(5, TimeUnit.SECONDS).until(() -> mechanism.applied.size() == 2);
      await().atMost(5, TimeUnit.SECONDS).until(() -> log.unfinished("cloud").isEmpty());
      assertThat(log.query(PlanQuery.recent(10).withStatus(PlanStatus.COMPLETED)))
          .extracting(PlanRecord::id).containsExactlyInAnyOrder("p-pending", "p-scheduled",
              "p-done");
      assertThat(log.unfinished("edge")).extracting(PlanRecord::id).containsExactly("p-other");
      assertThat(events).extracting(AgentEvent::message)
          .anySatisfy(m -> assertThat(m).startsWith("resumed plan p-pending after a restart"));
      scheduler.close();
    }
  }
}
