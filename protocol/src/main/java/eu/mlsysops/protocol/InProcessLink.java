package eu.mlsysops.protocol;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A link between two agents in the same JVM. Messages are delivered asynchronously on a shared
 * executor, one at a time per direction, so thousands of links need no thread each. The pair can be
 * cut and restored to simulate a network partition.
 */
public final class InProcessLink {
  private final End child;
  private final End parent;
  private volatile boolean connected = true;

  private InProcessLink(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    child = new End(executor);
    parent = new End(executor);
    child.peer = parent;
    parent.peer = child;
  }

  /** A connected pair whose deliveries run on {@code executor}. */
  public static InProcessLink create(Executor executor) {
    return new InProcessLink(executor);
  }

  /** The side the child agent holds. */
  public Link childSide() {
    return child;
  }

  /** The side the parent agent holds. */
  public Link parentSide() {
    return parent;
  }

  /** Cuts the link: sends are refused until {@link #restore()}. Messages in flight still arrive. */
  public void cut() {
    if (connected) {
      connected = false;
      child.notifyConnection(false);
      parent.notifyConnection(false);
    }
  }

  /** Restores a cut link. */
  public void restore() {
    if (!connected) {
      connected = true;
      child.notifyConnection(true);
      parent.notifyConnection(true);
    }
  }

  /** Messages delivered in both directions so far. */
  public long delivered() {
    return child.delivered.get() + parent.delivered.get();
  }

  private final class End implements Link {
    private final Executor executor;
    private final ArrayDeque<Message> inbox = new ArrayDeque<>();
    private final AtomicLong delivered = new AtomicLong();
    private End peer;
    private boolean draining;
    private volatile Consumer<Message> handler = m -> {};
    private volatile Consumer<Boolean> connectionListener = up -> {};

    End(Executor executor) {
      this.executor = executor;
    }

    @Override
    public boolean send(Message message) {
      if (!connected) {
        return false;
      }
      peer.enqueue(message);
      return true;
    }

    private void enqueue(Message message) {
      boolean schedule;
      synchronized (inbox) {
        inbox.add(message);
        schedule = !draining;
        draining = true;
      }
      if (schedule) {
        executor.execute(this::drain);
      }
    }

    /** Delivers queued messages in order; at most one drain per end runs at a time. */
    private void drain() {
      while (true) {
        Message m;
        synchronized (inbox) {
          m = inbox.poll();
          if (m == null) {
            draining = false;
            return;
          }
        }
        try {
          handler.accept(m);
        } catch (RuntimeException e) {
          // A handler bug must not stall the link; the agent logs its own failures.
          System.getLogger(InProcessLink.class.getName())
              .log(System.Logger.Level.WARNING, "message handler failed on " + m, e);
        }
        delivered.incrementAndGet();
      }
    }

    void notifyConnection(boolean up) {
      connectionListener.accept(up);
    }

    @Override
    public void onReceive(Consumer<Message> handler) {
      this.handler = Objects.requireNonNull(handler);
    }

    @Override
    public void onConnectionChange(Consumer<Boolean> listener) {
      this.connectionListener = Objects.requireNonNull(listener);
    }

    @Override
    public boolean isConnected() {
      return connected;
    }
  }
}
