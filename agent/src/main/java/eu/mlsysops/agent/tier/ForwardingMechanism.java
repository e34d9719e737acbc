package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A node's stand-in for a mechanism only its cluster has ({@code placement}): a command for it is
 * sent up as a {@link Message.PlanForward} (with the asking plan's policy and explanation), the
 * cluster's policies see it as a request, and the command ends as the cluster's {@link
 * Message.PlanResult} says, or fails when none comes within the timeout. So a node policy can ask
 * for what it cannot do itself, and its plan's outcome says what became of it.
 */
final class ForwardingMechanism implements Mechanism {
  /**
   * How long a request waits for the cluster's answer: longer than the cluster keeps it open
   * (30 s) plus the longest its plan may run (60 s), so the cluster's answer comes first.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final String name;
  private final String agent;
  private final Consumer<Message> up;
  private final Supplier<List<PlanRecord>> activePlans;
  private final Map<String, CompletableFuture<ApplyResult>> waiting = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final String incarnation = Long.toString(System.nanoTime(), 36);

  /**
   * @param name the parent's mechanism this stands in for
   * @param agent this agent's name
   * @param up sends to the parent
   * @param activePlans this agent's active plans (to name the asking policy)
   */
  ForwardingMechanism(String name, String agent, Consumer<Message> up,
      Supplier<List<PlanRecord>> activePlans) {
    this.name = Objects.requireNonNull(name);
    this.agent = Objects.requireNonNull(agent);
    this.up = Objects.requireNonNull(up);
    this.activePlans = Objects.requireNonNull(activePlans);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> options() {
    return Map.of("forwarded_to", "parent", "actions", List.of("relocate"));
  }

  @Override
  public Map<String, Object> state() {
    return Map.of("waiting", waiting.size());
  }

  @Override
  public boolean exclusive() {
    return false;
  }

  @Override
  public String conflictKey(Command c) {
    return c.arg("app", "") + "/" + c.arg("component", "") + "/" + c.arg("slot", "");
  }

  @Override
  public CompletionStage<ApplyResult> apply(Command c) {
    String id = agent + "/" + incarnation + "-" + ids.incrementAndGet();
    PlanRecord asking = activePlans.get().stream()
        .filter(p -> p.commands().contains(c)).findFirst().orElse(null);
    CompletableFuture<ApplyResult> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    up.accept(new Message.PlanForward(agent, id, asking == null ? null : asking.policy(), name,
        c.action(), c.args(), asking == null ? null : asking.explanation()));
    return answer
        .completeOnTimeout(ApplyResult.failure("no answer from the cluster within "
            + TIMEOUT.toSeconds() + " s"), TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> waiting.remove(id));
  }

  /** The parent's answer to a forwarded command. */
  void result(Message.PlanResult r) {
    CompletableFuture<ApplyResult> f = r.planId() == null ? null : waiting.get(r.planId());
    if (f != null) {
      String reason = r.reason() == null ? "" : r.reason();
      f.complete(r.success() ? ApplyResult.success("cluster " + r.from() + ": " + reason)
          : ApplyResult.failure("cluster " + r.from() + ": " + reason));
    }
  }
}
