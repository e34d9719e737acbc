package eu.mlsysops.agent.control;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.agent.plan.PlanQuery;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.agent.tier.EventSink;
import eu.mlsysops.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Sends one remote agent's plan transitions and events to its parent, so that the continuum shows
 * them: a bounded queue (full → dropped and counted, the count going up with the next batch),
 * drained into numbered {@link Message.Records} batches at a fixed interval while the link is up.
 * Wrap the agent's plan log and event sink with {@link #teeing(PlanLog)} and {@link
 * #teeing(EventSink)}: they keep writing locally as before.
 */
public final class RecordUplink implements AutoCloseable {
  /** Items (plan transitions and events together) kept while the link is down or slow. */
  public static final int DEFAULT_CAPACITY = 20_000;
  /** The most items in one batch. */
  static final int BATCH = 500;

  private final String origin;
  private final long incarnation;
  private final BlockingQueue<Object> queue;
  private final Predicate<Message> send;
  private final BooleanSupplier connected;
  private final AtomicLong dropped = new AtomicLong();
  private long seq;
  private ScheduledFuture<?> task;

  /**
   * @param origin the agent's name
   * @param incarnation when the agent started (millis): batches are numbered anew with it
   * @param capacity items kept at most
   * @param send sends to the parent; false when the message was refused
   * @param connected whether the link to the parent is up
   */
  public RecordUplink(String origin, long incarnation, int capacity, Predicate<Message> send,
      BooleanSupplier connected) {
    this.origin = Objects.requireNonNull(origin);
    this.incarnation = incarnation;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.send = Objects.requireNonNull(send);
    this.connected = Objects.requireNonNull(connected);
  }

  /** Flushes every {@code intervalMillis} on {@code timers}. */
  public RecordUplink start(ScheduledExecutorService timers, long intervalMillis) {
    task = timers.scheduleWithFixedDelay(this::flushSafely, intervalMillis, intervalMillis,
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** A plan log that writes to {@code local} and sends each transition up. */
  public PlanLog teeing(PlanLog local) {
    return new PlanLog() {
      @Override
      public void record(PlanRecord plan) {
        local.record(plan);
        offer(plan);
      }

      @Override
      public List<PlanRecord> query(PlanQuery query) {
        return local.query(query);
      }

      @Override
      public List<PlanRecord> history(String planId) {
        return local.history(planId);
      }

      @Override
      public void close() {
        local.close();
      }
    };
  }

  /** An event sink that publishes to {@code local} and sends each event up. */
  public EventSink teeing(EventSink local) {
    return e -> {
      local.publish(e);
      offer(e);
    };
  }

  /** Items dropped because the queue was full, since the start. */
  public long dropped() {
    return dropped.get();
  }

  private void offer(Object item) {
    if (!queue.offer(item)) {
      dropped.incrementAndGet();
    }
  }

  private void flushSafely() {
    try {
      flush();
    } catch (RuntimeException e) {
      System.getLogger(RecordUplink.class.getName()).log(System.Logger.Level.WARNING,
          origin + ": sending plans and events up failed: " + e);
    }
  }

  /** Sends what is queued, in batches, if the link is up. */
  public synchronized void flush() {
    while (connected.getAsBoolean() && (!queue.isEmpty() || dropped.get() > 0)) {
      List<Object> items = new ArrayList<>();
      queue.drainTo(items, BATCH);
      List<Message.PlanTransition> plans = new ArrayList<>();
      List<Message.Event> events = new ArrayList<>();
      for (Object o : items) {
        if (o instanceof PlanRecord p) {
          plans.add(toWire(p));
        } else if (o instanceof AgentEvent e) {
          events.add(new Message.Event(e.timeMillis(), e.agent(), e.kind(), e.message()));
        }
      }
      long lost = dropped.getAndSet(0);
      Message.Records batch =
          new Message.Records(origin, origin, incarnation, ++seq, plans, events, lost);
      if (!send.test(batch)) {
        // Refused: the link went down meanwhile. What was drained is lost; say how much.
        dropped.addAndGet(lost + items.size());
        seq--;
        return;
      }
    }
  }

  static Message.PlanTransition toWire(PlanRecord p) {
    return new Message.PlanTransition(p.id(), p.agent(), p.policy(), p.app(), p.core(),
        p.commands().stream()
            .map(c -> new Message.PlanCommand(c.mechanism(), c.action(), c.args()))
            .toList(),
        p.explanation(), p.inputs(), p.status().wireName(), p.reason(), p.createdMillis(),
        p.updatedMillis(), p.attempts());
  }

  static PlanRecord fromWire(Message.PlanTransition p) {
    return new PlanRecord(p.id(), p.agent(), p.policy(), p.app(), p.core(),
        p.commands().stream().map(c -> new Command(c.mechanism(), c.action(), c.args())).toList(),
        p.explanation(), p.inputs(), eu.mlsysops.agent.plan.PlanStatus.fromWire(p.status()),
        p.reason(), p.createdMillis(), p.updatedMillis(), p.attempts());
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
    }
    flush();
  }
}
