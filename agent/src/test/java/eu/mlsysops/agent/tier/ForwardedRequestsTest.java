package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ForwardedRequestsTest {
  /** A node's side of the link as the cluster sees it: what the cluster sends it. */
  static final class Recording implements Link {
    final List<Message> sent = new CopyOnWriteArrayList<>();

    @Override
    public boolean send(Message message) {
      return sent.add(message);
    }

    @Override
    public void onReceive(Consumer<Message> handler) {}

    @Override
    public void onConnectionChange(Consumer<Boolean> listener) {}

    @Override
    public boolean isConnected() {
      return true;
    }
  }

  private long now = 1_000_000;
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }
  };
  /** Runs each event at once on the caller's thread, as the loop's owner. */
  private final AgentLoop loop = new AgentLoop("c1", Runnable::run);
  private final ForwardedRequests owned = new ForwardedRequests("c1", clock, loop);
  /** The requests, each call an event of the loop that owns them. */
  private final InLoop requests = new InLoop();

  private final class InLoop {
    boolean add(Message.PlanForward f, Link link) {
      return loop.call(() -> owned.add(f, link)).join();
    }

    List<PolicyView.Request> open() {
      return owned.open();
    }

    void planChanged(PlanRecord r) {
      loop.execute(() -> owned.planChanged(r));
    }

    void expire() {
      loop.execute(owned::expire);
    }

    void forget(String node) {
      loop.execute(() -> owned.forget(node));
    }
  }

  private static Message.PlanForward ask(String node, String id) {
    return new Message.PlanForward(node, id, "cpu-frequency", "placement", "relocate",
        Map.of("app", "a", "component", "c", "slot", "0"), "too slow");
  }

  private static PlanRecord plan(String id, String request, PlanStatus status, String reason) {
    return new PlanRecord(id, "c1", "qos-relocation", "a", false,
        List.of(Command.of("placement", "move", "app", "a")), "", Map.of(
            PolicyView.Request.INPUT, request), status, reason, 0, 0, 1);
  }

  @Test
  void twoNodesWithTheSameIdKeepTheirOwnRequestsAndAnswers() {
    Recording n1 = new Recording();
    Recording n2 = new Recording();

    assertThat(requests.add(ask("n1", "x-1"), n1)).isTrue();
    assertThat(requests.add(ask("n2", "x-1"), n2)).isTrue();
    assertThat(requests.open()).extracting(PolicyView.Request::id)
        .containsExactly("n1/x-1", "n2/x-1");

    requests.planChanged(plan("p1", "n2/x-1", PlanStatus.PENDING, ""));
    requests.planChanged(plan("p1", "n2/x-1", PlanStatus.COMPLETED, "moved"));

    assertThat(n1.sent).isEmpty();
    assertThat(n2.sent).singleElement().isEqualTo(
        new Message.PlanResult("c1", "x-1", true, "qos-relocation completed: moved"));
    assertThat(requests.open()).extracting(PolicyView.Request::id).containsExactly("n1/x-1");
  }

  @Test
  void aDiscardedOrStalePlanGivesTheRequestBackAndOnlyTheTakingPlanAnswers() {
    Recording n1 = new Recording();
    requests.add(ask("n1", "x-1"), n1);

    requests.planChanged(plan("p1", "n1/x-1", PlanStatus.PENDING, ""));
    assertThat(requests.open()).isEmpty();
    requests.planChanged(plan("p2", "n1/x-1", PlanStatus.FAILED, "some other plan"));
    assertThat(n1.sent).as("not the plan that took it").isEmpty();
    requests.planChanged(plan("p1", "n1/x-1", PlanStatus.DISCARDED, "superseded by p3"));

    assertThat(n1.sent).isEmpty();
    assertThat(requests.open()).extracting(PolicyView.Request::id).containsExactly("n1/x-1");
  }

  @Test
  void takenAndGivenBackAgainAndAgainARequestIsStillAnsweredBeforeTheNodeGivesUp() {
    Recording n1 = new Recording();
    requests.add(ask("n1", "x"), n1);
    long arrived = now;
    for (int i = 0; n1.sent.isEmpty() && i < 100; i++) {
      requests.planChanged(plan("p" + i, "n1/x", PlanStatus.PENDING, ""));
      now += 20_000;
      requests.planChanged(plan("p" + i, "n1/x", PlanStatus.DISCARDED, "superseded"));
      requests.expire();
    }

    assertThat(n1.sent).hasSize(1);
    assertThat(now - arrived).isLessThanOrEqualTo(ForwardedRequests.ANSWER_BY.toMillis()
        + 20_000).isLessThan(ForwardingMechanism.TIMEOUT.toMillis());
  }

  @Test
  void requestsNobodyTakesOrWhosePlanNeverEndsAreRefusedInTime() {
    Recording n1 = new Recording();
    requests.add(ask("n1", "open"), n1);
    requests.add(ask("n1", "taken"), n1);
    requests.planChanged(plan("p1", "n1/taken", PlanStatus.SCHEDULED, ""));

    now += ForwardedRequests.TTL.toMillis();
    requests.expire();
    assertThat(n1.sent).singleElement().satisfies(m -> assertThat(((Message.PlanResult) m)
        .reason()).isEqualTo("no policy of cluster c1 acted on it in time"));

    now += ForwardedRequests.TAKEN_TTL.toMillis();
    requests.expire();
    assertThat(n1.sent).hasSize(2);
    assertThat(((Message.PlanResult) n1.sent.get(1)).planId()).isEqualTo("taken");
    assertThat(((Message.PlanResult) n1.sent.get(1)).success()).isFalse();
  }
}
