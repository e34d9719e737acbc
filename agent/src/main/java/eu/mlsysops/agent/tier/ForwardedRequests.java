package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Requests a cluster's nodes forwarded ({@link Message.PlanForward}): open ones are shown to the
 * cluster's policies ({@link PolicyView#requests()}); a plan that names one in its inputs takes it
 * in hand, and when that plan ends the node hears how ({@link Message.PlanResult}). A plan failed
 * as stale, or discarded, gives the request back (its policy plans again). A request no policy
 * takes within {@link #TTL}, or whose plan does not end within {@link #TAKEN_TTL}, is answered as
 * refused, and every request is answered within {@link #ANSWER_BY} of its arrival, so the node
 * hears before it gives up. At most {@link #MAX} are kept; more are refused at
 * once. Requests are keyed by the node and its id, so one node cannot answer for another.
 *
 * <p>Owned by the cluster agent's loop; policies read the open requests as the list the loop
 * publishes after every change.
 */
final class ForwardedRequests {
  /** How long a request waits for a policy to take it (shorter than the node's own timeout). */
  static final Duration TTL = Duration.ofSeconds(30);
  /** Requests kept at most per cluster. */
  static final int MAX = 1000;
  /** How long a plan that took a request may run before the node is told it gave up. */
  static final Duration TAKEN_TTL = Duration.ofSeconds(60);
  /**
   * The latest a request is answered, from its arrival, whatever happens to the plans for it:
   * before the node's own timeout ({@link ForwardingMechanism#TIMEOUT}).
   */
  static final Duration ANSWER_BY = Duration.ofSeconds(90);

  private final String self;
  private final Clock clock;
  private final AgentLoop loop;
  // Owned by the loop.
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private volatile List<PolicyView.Request> open = List.of();

  private static final class Pending {
    final PolicyView.Request request;
    /** The id the node gave it: its answer carries that one. */
    final String nodeId;
    final Link link;
    /** Never later than this, however often the request is taken and given back. */
    final long latest;
    long deadline;
    String plan;

    Pending(PolicyView.Request request, String nodeId, Link link, long now) {
      this.request = request;
      this.nodeId = nodeId;
      this.link = link;
      this.latest = now + ANSWER_BY.toMillis();
      this.deadline = Math.min(latest, now + TTL.toMillis());
    }

    void until(long at) {
      deadline = Math.min(latest, at);
    }
  }

  ForwardedRequests(String self, Clock clock, AgentLoop loop) {
    this.self = Objects.requireNonNull(self);
    this.clock = Objects.requireNonNull(clock);
    this.loop = Objects.requireNonNull(loop);
  }

  /**
   * Takes a request from a node.
   *
   * @return whether it is now open (false: refused and answered, or without an id)
   */
  boolean add(Message.PlanForward f, Link link) {
    loop.checkInLoop();
    if (f.planId() == null) {
      return false;
    }
    // Keyed by who asked too: one node cannot take over, or shadow, another's request.
    String key = f.from() + "/" + f.planId();
    if (pending.containsKey(key)) {
      return false;
    }
    if (pending.size() >= MAX) {
      link.send(new Message.PlanResult(self, f.planId(), false,
          "cluster " + self + " already holds " + MAX + " open requests"));
      return false;
    }
    pending.put(key, new Pending(new PolicyView.Request(key, f.from(), f.policy(),
        f.mechanism(), f.action(), f.args(), f.explanation()), f.planId(), link,
        clock.millis()));
    publish();
    return true;
  }

  /** The requests no plan has taken yet, oldest first (any thread). */
  List<PolicyView.Request> open() {
    return open;
  }

  private void publish() {
    List<PolicyView.Request> out = new ArrayList<>();
    for (Pending p : pending.values()) {
      if (p.plan == null) {
        out.add(p.request);
      }
    }
    open = List.copyOf(out);
  }

  /** Follows the plans that name a request. */
  void planChanged(PlanRecord r) {
    loop.checkInLoop();
    String id = r.inputs().get(PolicyView.Request.INPUT);
    Pending p = id == null ? null : pending.get(id);
    if (p == null) {
      return;
    }
    if (p.plan != null && !p.plan.equals(r.id())) {
      return; // another plan naming the same request: the one that took it answers
    }
    if (!r.status().isTerminal()) {
      if (p.plan == null) {
        p.plan = r.id();
        p.until(clock.millis() + TAKEN_TTL.toMillis());
        publish();
      }
      return;
    }
    if (r.status() == PlanStatus.DISCARDED || PlacementVersion.refusedAsStale(r)) {
      // Back to the policies, which plan again from the new state (a discarded plan was
      // superseded or conflicted; the newer one may take it).
      p.plan = null;
      p.until(clock.millis() + TTL.toMillis());
      publish();
      return;
    }
    pending.remove(id);
    publish();
    p.link.send(new Message.PlanResult(self, p.nodeId, r.status() == PlanStatus.COMPLETED,
        r.policy() + " " + r.status().wireName().toLowerCase(java.util.Locale.ROOT)
            + (r.reason().isEmpty() ? "" : ": " + r.reason())));
  }

  /** Answers requests no policy took in time. */
  void expire() {
    loop.checkInLoop();
    long now = clock.millis();
    boolean any = false;
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (now >= p.deadline) {
        it.remove();
        any = true;
        p.link.send(new Message.PlanResult(self, p.nodeId, false, p.plan == null
            ? "no policy of cluster " + self + " acted on it in time"
            : "plan " + p.plan + " of cluster " + self + " did not end in time"));
      }
    }
    if (any) {
      publish();
    }
  }

  /** Forgets the requests of a node that left. */
  void forget(String node) {
    loop.checkInLoop();
    if (pending.values().removeIf(p -> p.request.from().equals(node))) {
      publish();
    }
  }
}
