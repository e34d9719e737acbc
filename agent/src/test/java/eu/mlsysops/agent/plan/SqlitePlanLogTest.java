package eu.mlsysops.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePlanLogTest {
  @TempDir Path dir;

  @Test
  void recordsEveryTransitionDurablyAndAnswersQueries() {
    FakeClock clock = new FakeClock(5_000);
    Path db = dir.resolve("plans.db");
    try (SqlitePlanLog log = SqlitePlanLog.open(db)) {
      PlanScheduler s = PlanScheduler.builder("cluster-a").clock(clock).log(log).build();
      ScriptedMechanism m = new ScriptedMechanism("placement", true);
      s.register(m);
      s.submit(new PlanRequest("p1", "relocate", "shop", false,
          new Plan(List.of(Command.of("placement", "move", "to", "n2")), "latency 80 ms > 50 ms",
              Map.of("latency_ms", "80"))));
      clock.advance(7);
      m.completeNext(ApplyResult.success("moved"));
      s.submit(new PlanRequest("p2", "other", "web", true,
          new Plan(List.of(Command.of("placement", "move", "to", "n1")), "", Map.of())));
    }

    // Reopen: everything must have survived the close.
    try (SqlitePlanLog log = SqlitePlanLog.open(db)) {
      List<PlanRecord> all = log.query(PlanQuery.recent(10));
      assertThat(all).extracting(PlanRecord::id).containsExactly("p2", "p1");
      PlanRecord p1 = all.get(1);
      assertThat(p1.status()).isEqualTo(PlanStatus.COMPLETED);
      assertThat(p1.policy()).isEqualTo("relocate");
      assertThat(p1.app()).isEqualTo("shop");
      assertThat(p1.explanation()).isEqualTo("latency 80 ms > 50 ms");
      assertThat(p1.inputs()).containsEntry("latency_ms", "80");
      assertThat(p1.commands()).containsExactly(Command.of("placement", "move", "to", "n2"));
      assertThat(p1.updatedMillis()).isEqualTo(5_007);

      assertThat(log.history("p1")).extracting(PlanRecord::status)
          .containsExactly(PlanStatus.PENDING, PlanStatus.SCHEDULED, PlanStatus.COMPLETED);
      assertThat(log.query(PlanQuery.recent(10).withApp("web"))).extracting(PlanRecord::id)
          .containsExactly("p2");
      assertThat(log.query(PlanQuery.recent(10).withStatus(PlanStatus.COMPLETED)))
          .extracting(PlanRecord::id).containsExactly("p1");
      assertThat(log.query(PlanQuery.recent(10).withPolicy("nobody"))).isEmpty();
    }
  }

  @Test
  void keepsOnlyTheNewestPlansBeyondTheRetentionLimit() {
    try (SqlitePlanLog log = SqlitePlanLog.open(dir.resolve("small.db"), 10)) {
      for (int i = 0; i < 50; i++) {
        log.record(new PlanRecord("p" + i, "a", "pol", "", false,
            List.of(Command.of("m", "x")), "", Map.of(), PlanStatus.COMPLETED, "", i, i, 1));
        log.flush();
      }
      List<PlanRecord> kept = log.query(PlanQuery.recent(100));
      assertThat(kept.size()).isBetween(10, 11);
      assertThat(kept.get(0).id()).isEqualTo("p49");
      assertThat(log.history("p0")).isEmpty();
    }
  }

  @Test
  void anOlderTransitionNeverOverwritesANewerOne() {
    try (SqlitePlanLog log = SqlitePlanLog.open(dir.resolve("order.db"))) {
      PlanRecord done = new PlanRecord("p", "a", "pol", "", false, List.of(Command.of("m", "x")),
          "", Map.of(), PlanStatus.COMPLETED, "ok", 1, 20, 1);
      log.record(done);
      log.record(done.transition(PlanStatus.SCHEDULED, "", 10, 1));
      assertThat(log.query(PlanQuery.recent(1)).get(0).status()).isEqualTo(PlanStatus.COMPLETED);
    }
  }
}
