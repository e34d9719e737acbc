package eu.mlsysops.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PlanSchedulerTest {
  private final FakeClock clock = new FakeClock(1_000_000);
  private final List<PlanRecord> transitions = new ArrayList<>();
  private ScriptedMechanism freq;
  private ScriptedMechanism placement;
  private PlanScheduler scheduler;

  @BeforeEach
  void setUp() {
    scheduler =
        PlanScheduler.builder("node-1")
            .clock(clock)
            .ttl(Duration.ofSeconds(60))
            .backoff(Duration.ofMillis(100))
            .maxAttempts(3)
            .build();
    freq = new ScriptedMechanism("cpu_frequency", true);
    placement = new ScriptedMechanism("placement", false);
    scheduler.register(freq);
    scheduler.register(placement);
    scheduler.onTransition(transitions::add);
  }

  private static PlanRequest request(String id, String policy, boolean core, Command... cs) {
    return new PlanRequest(id, policy, "app", core, new Plan(List.of(cs), "because", Map.of()));
  }

  private static Command setFreq(String ghz) {
    return Command.of("cpu_frequency", "set", "ghz", ghz);
  }

  private PlanStatus status(String id) {
    return scheduler.get(id).orElseThrow().status();
  }

  @Test
  void appliesAPlanImmediatelyWhenItsMechanismIsFree() {
    scheduler.submit(request("p1", "freq", false, setFreq("1.2")));

    assertThat(freq.applied).containsExactly(setFreq("1.2"));
    assertThat(status("p1")).isEqualTo(PlanStatus.SCHEDULED);

    freq.completeNext(ApplyResult.success("set to 1.2 GHz"));

    assertThat(status("p1")).isEqualTo(PlanStatus.COMPLETED);
    assertThat(scheduler.get("p1").orElseThrow().reason()).isEqualTo("set to 1.2 GHz");
    assertThat(transitions).extracting(PlanRecord::status)
        .containsExactly(PlanStatus.PENDING, PlanStatus.SCHEDULED, PlanStatus.COMPLETED);
  }

  @Test
  void aVersionedPlansCommandsCarryItsVersionAndIdToTheMechanism() {
    Command move = Command.of("placement", "move", "target", "x");
    scheduler.submit(new PlanRequest("p1", "placer", "app", false,
        new Plan(List.of(move), "why", Map.of()).basedOn(42)));
    scheduler.submit(new PlanRequest("p2", "placer", "other", false,
        new Plan(List.of(Command.of("placement", "move", "target", "y")), "why", Map.of())));

    assertThat(placement.applied).hasSize(2);
    assertThat(placement.applied.get(0).args())
        .containsEntry("target", "x")
        .containsEntry(Plan.VERSION_ARG, "42")
        .containsEntry(Plan.TOKEN_ARG, "p1");
    assertThat(scheduler.get("p1").orElseThrow().commands()).isEqualTo(placement.applied.subList(0, 1));
    assertThat(placement.applied.get(1).args()).doesNotContainKeys(Plan.VERSION_ARG, Plan.TOKEN_ARG);
  }

  @Test
  void aStaleFirstCommandDiscardsThePlanAndALaterOneFailsIt() {
    scheduler.submit(request("s1", "placer", false, Command.of("placement", "move", "target", "x")));
    placement.completeNext(ApplyResult.stale("stale plan: the placement changed"));
    assertThat(status("s1")).isEqualTo(PlanStatus.DISCARDED);
    assertThat(scheduler.get("s1").orElseThrow().reason()).startsWith("stale plan");

    // A command already took effect: the plan did not happen as planned.
    scheduler.submit(request("s2", "placer", false, Command.of("placement", "move", "target", "y"),
        Command.of("placement", "move", "target", "z")));
    placement.completeNext(ApplyResult.success("moved"));
    placement.completeNext(ApplyResult.stale("stale plan: the placement changed"));
    assertThat(status("s2")).isEqualTo(PlanStatus.FAILED);
  }

  @Test
  void waitsForAnExclusiveMechanismThatIsBusy() {
    scheduler.submit(request("p1", "a", false, setFreq("1.2")));
    scheduler.submit(request("p2", "b", false, setFreq("2.0")));

    assertThat(status("p2")).isEqualTo(PlanStatus.PENDING);
    assertThat(freq.applied).hasSize(1);

    freq.completeNext(ApplyResult.success(""));

    assertThat(status("p2")).isEqualTo(PlanStatus.SCHEDULED);
    assertThat(freq.applied).hasSize(2);
  }

  @Test
  void runsMultiInstanceMechanismPlansForDifferentTargetsInParallel() {
    scheduler.submit(request("p1", "a", false, Command.of("placement", "move", "target", "x")));
    scheduler.submit(request("p2", "b", false, Command.of("placement", "move", "target", "y")));
    scheduler.submit(request("p3", "c", false, Command.of("placement", "move", "target", "x")));

    assertThat(status("p1")).isEqualTo(PlanStatus.SCHEDULED);
    assertThat(status("p2")).isEqualTo(PlanStatus.SCHEDULED);
    assertThat(status("p3")).isEqualTo(PlanStatus.PENDING);
  }

  @Test
  void corePlanDiscardsPendingUserPlanOnTheSameMechanism() {
    scheduler.submit(request("busy", "a", false, setFreq("1.0")));
    scheduler.submit(request("user", "b", false, setFreq("1.2")));
    scheduler.submit(request("core", "c", true, setFreq("2.8")));

    assertThat(status("user")).isEqualTo(PlanStatus.DISCARDED);
    assertThat(scheduler.get("user").orElseThrow().reason())
        .isEqualTo("conflicts with core plan core (c) on cpu_frequency");

    freq.completeNext(ApplyResult.success(""));
    assertThat(status("core")).isEqualTo(PlanStatus.SCHEDULED);
  }

  @Test
  void userPlanArrivingAfterAWaitingCorePlanWaitsBehindIt() {
    scheduler.submit(request("busy", "a", false, Command.of("placement", "move", "target", "x")));
    scheduler.submit(request("core", "c", true, Command.of("placement", "move", "target", "x"),
        Command.of("cpu_frequency", "set", "ghz", "1")));
    scheduler.submit(request("user", "b", false, Command.of("placement", "move", "target", "x")));

    placement.completeNext(ApplyResult.success(""));

    assertThat(status("core")).isEqualTo(PlanStatus.SCHEDULED);
    assertThat(status("user")).isEqualTo(PlanStatus.PENDING);
    assertThat(scheduler.get("user").orElseThrow().status()).isEqualTo(PlanStatus.PENDING);
  }

  @Test
  void newerPlanFromTheSamePolicySupersedesAPendingOne() {
    scheduler.submit(request("busy", "other", false, setFreq("1.0")));
    scheduler.submit(request("old", "freq", false, setFreq("1.2")));
    scheduler.submit(request("new", "freq", false, setFreq("2.0")));

    assertThat(status("old")).isEqualTo(PlanStatus.DISCARDED);
    assertThat(scheduler.get("old").orElseThrow().reason())
        .isEqualTo("superseded by newer plan new from the same policy");
    assertThat(status("new")).isEqualTo(PlanStatus.PENDING);
  }

  @Test
  void plansOfTheSamePolicyOnDifferentTargetsDoNotSupersedeEachOther() {
    scheduler.submit(request("busy", "other", false, Command.of("placement", "move", "target", "x")));
    scheduler.submit(request("a", "place", false, Command.of("placement", "move", "target", "x")));
    scheduler.submit(request("b", "place", false, Command.of("placement", "move", "target", "y")));

    assertThat(status("a")).isEqualTo(PlanStatus.PENDING);
    assertThat(status("b")).isEqualTo(PlanStatus.SCHEDULED);
  }

  @Test
  void resubmittingAKnownIdIsANoOp() {
    PlanRecord first = scheduler.submit(request("p1", "a", false, setFreq("1.2")));
    PlanRecord again = scheduler.submit(request("p1", "a", false, setFreq("9.9")));

    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.commands()).containsExactly(setFreq("1.2"));
    assertThat(freq.applied).hasSize(1);
  }

  @Test
  void retriesRetriableFailuresWithBackoff() {
    scheduler.submit(request("p1", "a", false, setFreq("1.2")));
    freq.completeNext(ApplyResult.retriable("device busy"));

    assertThat(status("p1")).isEqualTo(PlanStatus.PENDING);
    assertThat(scheduler.get("p1").orElseThrow().reason())
        .isEqualTo("retry in 100 ms after: device busy");

    clock.advance(50);
    scheduler.runOnce(clock.millis());
    assertThat(freq.applied).hasSize(1);

    clock.advance(50);
    scheduler.runOnce(clock.millis());
    assertThat(freq.applied).hasSize(2);
    freq.completeNext(ApplyResult.retriable("device busy"));

    clock.advance(200);
    scheduler.runOnce(clock.millis());
    assertThat(freq.applied).hasSize(3);
    freq.completeNext(ApplyResult.retriable("device busy"));

    assertThat(status("p1")).isEqualTo(PlanStatus.FAILED);
    assertThat(scheduler.get("p1").orElseThrow().attempts()).isEqualTo(3);
  }

  @Test
  void onSharedExecutorsARetryRunsAtItsBackoffWithoutAThreadOfItsOwn() throws Exception {
    var timers = java.util.concurrent.Executors.newScheduledThreadPool(1);
    var workers = java.util.concurrent.Executors.newFixedThreadPool(1);
    ScriptedMechanism knob = new ScriptedMechanism("knob", true);
    PlanScheduler shared = PlanScheduler.builder("shared-agent").backoff(Duration.ofMillis(50))
        .shared(timers, workers).build();
    try {
      shared.register(knob);
      shared.start();
      shared.submit(new PlanRequest("r1", "a", "", false,
          Plan.of(Command.of("knob", "set", "v", "1"), "", java.util.Map.of())));
      knob.completeNext(ApplyResult.retriable("busy"));

      // Only the shared step can start the second attempt: nothing else calls runOnce.
      org.awaitility.Awaitility.await().atMost(30, java.util.concurrent.TimeUnit.SECONDS)
          .until(() -> knob.applied.size() == 2);
      knob.completeNext(ApplyResult.success("done"));

      assertThat(shared.get("r1").orElseThrow().status()).isEqualTo(PlanStatus.COMPLETED);
      assertThat(Thread.getAllStackTraces().keySet())
          .noneMatch(t -> t.getName().startsWith("plan-scheduler-shared-agent"));
    } finally {
      shared.close();
      timers.shutdownNow();
      workers.shutdownNow();
    }
  }

  @Test
  void nonRetriableFailureFailsAtOnce() {
    scheduler.submit(request("p1", "a", false, setFreq("7")));
    freq.completeNext(ApplyResult.failure("7 GHz is not available"));

    assertThat(status("p1")).isEqualTo(PlanStatus.FAILED);
    assertThat(scheduler.get("p1").orElseThrow().reason()).isEqualTo("7 GHz is not available");
  }

  @Test
  void planNotFinishedWithinTtlTimesOutAndLateResultIsIgnored() {
    scheduler.submit(request("p1", "a", false, setFreq("1.2")));
    scheduler.submit(request("p2", "b", false, setFreq("2.0")));

    clock.advance(60_000);
    scheduler.runOnce(clock.millis());

    assertThat(status("p1")).isEqualTo(PlanStatus.TIMED_OUT);
    assertThat(scheduler.get("p1").orElseThrow().reason())
        .isEqualTo("not completed within the TTL of 60 s");
    assertThat(status("p2")).isEqualTo(PlanStatus.TIMED_OUT);
    assertThat(scheduler.get("p2").orElseThrow().reason())
        .startsWith("not started within the TTL of 60 s: waiting for cpu_frequency");

    freq.completeNext(ApplyResult.success("late"));
    assertThat(status("p1")).isEqualTo(PlanStatus.TIMED_OUT);
  }

  @Test
  void timedOutPlanKeepsAnExclusiveMechanismUntilTheMechanismAnswers() {
    scheduler.submit(request("slow", "a", false, setFreq("1.2")));
    clock.advance(60_000);
    scheduler.runOnce(clock.millis());
    assertThat(status("slow")).isEqualTo(PlanStatus.TIMED_OUT);

    scheduler.submit(request("next", "b", false, setFreq("2.0")));
    assertThat(status("next")).isEqualTo(PlanStatus.PENDING);
    assertThat(freq.applied).hasSize(1);

    freq.completeNext(ApplyResult.success("late"));
    assertThat(status("slow")).isEqualTo(PlanStatus.TIMED_OUT);
    assertThat(status("next")).isEqualTo(PlanStatus.SCHEDULED);
  }

  @Test
  void retryResumesAtTheCommandThatFailed() {
    scheduler.submit(request("p1", "a", false, setFreq("1.2"), setFreq("1.4")));
    freq.completeNext(ApplyResult.success("first"));
    freq.completeNext(ApplyResult.retriable("busy"));
    clock.advance(100);
    scheduler.runOnce(clock.millis());

    assertThat(freq.applied).containsExactly(setFreq("1.2"), setFreq("1.4"), setFreq("1.4"));
  }

  @Test
  void cancellingAnAppDiscardsItsPendingAndRunningPlans() {
    scheduler.submit(request("running", "a", false, setFreq("1.2")));
    scheduler.submit(new PlanRequest("waiting", "b", "app", false,
        new Plan(List.of(setFreq("2.0")), "", Map.of())));
    scheduler.submit(new PlanRequest("other", "c", "other-app", false,
        new Plan(List.of(Command.of("placement", "move", "target", "z")), "", Map.of())));

    assertThat(scheduler.cancelApp("app", "app removed")).isEqualTo(2);

    assertThat(status("running")).isEqualTo(PlanStatus.DISCARDED);
    assertThat(scheduler.get("waiting").orElseThrow().reason()).isEqualTo("app removed");
    assertThat(status("other")).isEqualTo(PlanStatus.SCHEDULED);
  }

  @Test
  void unknownMechanismIsDiscardedWithItsName() {
    scheduler.submit(request("p1", "a", false, Command.of("gpu_frequency", "set")));

    assertThat(status("p1")).isEqualTo(PlanStatus.DISCARDED);
    assertThat(scheduler.get("p1").orElseThrow().reason())
        .isEqualTo("unknown mechanism \"gpu_frequency\" on agent node-1");
  }

  @Test
  void mechanismThatThrowsFailsThePlanAndFreesTheMechanism() {
    scheduler.register(new ScriptedMechanism("cpu_frequency", true) {
      @Override
      public synchronized java.util.concurrent.CompletionStage<ApplyResult> apply(Command c) {
        throw new IllegalStateException("boom");
      }
    });
    scheduler.submit(request("p1", "a", false, setFreq("1.2")));
    assertThat(status("p1")).isEqualTo(PlanStatus.FAILED);
    assertThat(scheduler.get("p1").orElseThrow().reason()).contains("boom");
  }

  @Test
  void appliesCommandsOfAPlanInOrder() {
    scheduler.submit(request("p1", "a", false, setFreq("1.2"), setFreq("1.4")));
    assertThat(freq.applied).containsExactly(setFreq("1.2"));
    freq.completeNext(ApplyResult.success("one"));
    assertThat(freq.applied).containsExactly(setFreq("1.2"), setFreq("1.4"));
    freq.completeNext(ApplyResult.success("two"));
    assertThat(scheduler.get("p1").orElseThrow().reason()).isEqualTo("one; two");
  }

  @Test
  void rejectsEmptyPlans() {
    assertThatThrownBy(
            () -> scheduler.submit(new PlanRequest(null, "a", "", false, Plan.empty())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty plan");
  }
}
