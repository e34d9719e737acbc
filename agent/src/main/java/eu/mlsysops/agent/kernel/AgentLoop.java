package eu.mlsysops.agent.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One agent's event loop: the events that change the agent's state (link messages, runtime
 * events, timer ticks, plan results) run here one at a time, in the order they were posted, on a
 * shared executor, so a thousand agents need no thread each (as Kafka's {@code Sender} owns a
 * producer's state, or Nomad's single plan applier owns its cluster's). An event that throws is
 * logged and counted; the loop goes on with the next.
 *
 * <p>State the loop owns is touched only inside events; {@link #checkInLoop()} says so at the top
 * of such code and, with checks on ({@code -Dmlsysops.loop.checks=true}, as the tests run), fails
 * when called from anywhere else. Readers on other threads get immutable snapshots the loop
 * publishes, or ask with {@link #call}.
 */
public final class AgentLoop {
  private static final System.Logger LOG = System.getLogger(AgentLoop.class.getName());
  /** Whether {@link #checkInLoop()} checks (it costs a thread comparison). */
  static final boolean CHECKS = Boolean.getBoolean("mlsysops.loop.checks");
  /** Events one turn runs at most before the thread goes back to the shared executor. */
  static final int TURN = 256;

  private final String name;
  private final Executor executor;
  private final ArrayDeque<Runnable> events = new ArrayDeque<>();
  private boolean draining;
  private volatile boolean closed;
  private volatile Thread owner;
  private volatile Runnable afterTurn = () -> {};
  private final AtomicLong failures = new AtomicLong();

  /**
   * @param name the agent's name (in logs and errors)
   * @param executor runs the loop's turns; shared by many loops
   */
  public AgentLoop(String name, Executor executor) {
    this.name = Objects.requireNonNull(name);
    this.executor = Objects.requireNonNull(executor);
  }

  /** Posts an event; it runs after every event posted before it. Ignored once closed. */
  public void execute(Runnable event) {
    offer(Objects.requireNonNull(event));
  }

  /** Queues an event; false when it will never run (closed, or the executor refused). */
  private boolean offer(Runnable event) {
    if (closed) {
      return false;
    }
    synchronized (events) {
      events.add(event);
      if (draining) {
        return true;
      }
      draining = true;
    }
    try {
      executor.execute(this::drain);
      return true;
    } catch (RejectedExecutionException e) {
      abandonQueued(); // the process is shutting down: what is queued will never run
      return false;
    }
  }

  /** Drops what is queued; questions among it are answered with a failure. */
  private void abandonQueued() {
    List<Runnable> dropped;
    synchronized (events) {
      dropped = new ArrayList<>(events);
      events.clear();
      draining = false;
    }
    for (Runnable r : dropped) {
      if (r instanceof Question<?> q) {
        q.answer.completeExceptionally(new IllegalStateException(name + ": the agent stopped"));
      }
    }
  }

  /** An event that answers a {@link #call}. */
  private record Question<T>(Supplier<T> question, CompletableFuture<T> answer)
      implements Runnable {
    @Override
    public void run() {
      try {
        answer.complete(question.get());
      } catch (RuntimeException e) {
        answer.completeExceptionally(e);
      } catch (Error e) {
        answer.completeExceptionally(e); // the caller hears of it too, then the loop does
        throw e;
      }
    }
  }

  /**
   * Runs {@code question} on the loop and completes with its answer (exceptionally with what it
   * threw, or when the loop is closed). Called on the loop itself, it answers at once: waiting
   * there for a later event would never end.
   */
  public <T> CompletableFuture<T> call(Supplier<T> question) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    if (inLoop()) {
      new Question<>(question, answer).run();
      return answer;
    }
    if (!offer(new Question<>(question, answer))) {
      answer.completeExceptionally(new IllegalStateException(name + ": the agent has stopped"));
    }
    return answer;
  }

  /** Posts {@code event} every {@code periodMillis} (the first after one period) until cancelled. */
  public ScheduledFuture<?> every(ScheduledExecutorService timers, long periodMillis,
      Runnable event) {
    return timers.scheduleAtFixedRate(() -> execute(event), periodMillis, periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Whether the calling thread is running one of this loop's events. */
  public boolean inLoop() {
    return owner == Thread.currentThread();
  }

  /**
   * Marks code that touches loop-owned state. With checks on, throws {@link IllegalStateException}
   * when not called from the loop.
   */
  public void checkInLoop() {
    if (CHECKS && !inLoop()) {
      throw new IllegalStateException(name + ": agent state touched outside its event loop, on "
          + Thread.currentThread().getName());
    }
  }

  /**
   * Runs {@code hook} on the loop at the end of every turn, after its events (e.g. to publish a
   * snapshot of what they changed once, not after each event). A hook that throws is logged and
   * counted like an event.
   */
  public void afterTurn(Runnable hook) {
    this.afterTurn = Objects.requireNonNull(hook);
  }

  /** Stops taking events; those already queued still run. */
  public void close() {
    closed = true;
  }

  /** Events that threw. */
  public long failures() {
    return failures.get();
  }

  /** Events waiting to run. */
  public int backlog() {
    synchronized (events) {
      return events.size();
    }
  }

  private void run(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException | AssertionError | LinkageError e) {
      failures.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, name + ": an event failed", e);
    }
  }

  /**
   * One turn: runs queued events until none is left or {@link #TURN} have run, then hands the
   * thread back to the shared executor (other loops get their turn) and queues the next turn.
   */
  private void drain() {
    owner = Thread.currentThread();
    int budget = TURN;
    try {
      while (true) {
        Runnable event;
        synchronized (events) {
          event = budget-- > 0 ? events.poll() : null;
        }
        if (event == null) {
          run(afterTurn);
          synchronized (events) {
            // Cleared under the lock: a turn queued after this one sets it again itself.
            owner = null;
            if (events.isEmpty()) {
              draining = false;
              return;
            }
          }
          try {
            executor.execute(this::drain);
          } catch (RejectedExecutionException e) {
            abandonQueued();
          }
          return;
        }
        run(event);
      }
    } catch (Error e) {
      // Out of memory, stack overflow, ...: leave the loop usable by the next event, then let it
      // propagate to the executor.
      failures.incrementAndGet();
      boolean more;
      synchronized (events) {
        owner = null;
        more = !events.isEmpty();
        draining = more; // still one turn at a time: the next is queued below
      }
      if (more) {
        try {
          executor.execute(this::drain);
        } catch (RejectedExecutionException ignored) {
          abandonQueued();
        }
      }
      throw e;
    }
  }
}
