package eu.mlsysops.northbound.api;

import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.agent.tier.EventSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The event hub of the northbound API: pass it to {@code EmbeddedContinuum.builder(...).events(…)}
 * and to {@link NorthboundServer.Builder#events}. It forwards every agent event to a downstream
 * sink (e.g. the console), keeps the recent ones (overall and per app, for an app's {@code
 * history}), and fans them out to event-stream clients. Everything is bounded: when a client's
 * queue is full its events are dropped and counted; {@link #publish} never blocks.
 */
public final class NorthboundEvents implements EventSink {
  static final int RECENT = 1_000;
  static final int PER_APP = 100;
  static final int MAX_APPS = 5_000;
  static final int CLIENT_QUEUE = 256;

  private final EventSink downstream;
  private final ArrayDeque<AgentEvent> recent = new ArrayDeque<>();
  private final LinkedHashMap<String, ArrayDeque<AgentEvent>> byApp = new LinkedHashMap<>();
  private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong downstreamErrors = new AtomicLong();

  private NorthboundEvents(EventSink downstream) {
    this.downstream = Objects.requireNonNull(downstream, "downstream");
  }

  /** A hub that forwards every event to {@code downstream} first (e.g. a console printer). */
  public static NorthboundEvents forwardingTo(EventSink downstream) {
    return new NorthboundEvents(downstream);
  }

  /** A hub with no downstream sink. */
  public static NorthboundEvents create() {
    return new NorthboundEvents(EventSink.none());
  }

  @Override
  public void publish(AgentEvent event) {
    try {
      downstream.publish(event);
    } catch (RuntimeException e) {
      downstreamErrors.incrementAndGet(); // a broken printer must not stop the API's events
    }
    String app = appOf(event);
    synchronized (this) {
      if (recent.size() == RECENT) {
        recent.removeFirst();
      }
      recent.addLast(event);
      if (app != null) {
        ArrayDeque<AgentEvent> h = byApp.remove(app); // re-insert: most recently active last
        if (h == null) {
          h = new ArrayDeque<>();
          if (byApp.size() >= MAX_APPS) {
            Iterator<String> oldest = byApp.keySet().iterator();
            oldest.next();
            oldest.remove();
          }
        }
        if (h.size() == PER_APP) {
          h.removeFirst();
        }
        h.addLast(event);
        byApp.put(app, h);
      }
    }
    for (Subscription s : subscribers) {
      s.offer(event);
    }
  }

  /** Events dropped because a stream client was too slow, in total. */
  public long droppedEvents() {
    return dropped.get();
  }

  /** The most recent events, oldest first. */
  synchronized List<AgentEvent> recent() {
    return new ArrayList<>(recent);
  }

  /** The most recent events about one app, oldest first. */
  synchronized List<AgentEvent> history(String app) {
    ArrayDeque<AgentEvent> h = byApp.get(app);
    return h == null ? List.of() : new ArrayList<>(h);
  }

  /** Forgets an app's history (it was removed; a new app of that name starts afresh). */
  synchronized void forget(String app) {
    byApp.remove(app);
  }

  int subscriberCount() {
    return subscribers.size();
  }

  /** A new stream client; close it when the client goes. */
  Subscription subscribe() {
    Subscription s = new Subscription();
    subscribers.add(s);
    return s;
  }

  /** Which app an event concerns, from the agents' message formats; null when none. */
  static String appOf(AgentEvent e) {
    String m = e.message();
    if (m == null) {
      return null;
    }
    switch (e.kind()) {
      case "app" -> {
        // "app NAME accepted (...)", "app NAME removed", "app NAME removed from this cluster"
        if (m.startsWith("app ")) {
          int end = m.indexOf(' ', 4);
          return end < 0 ? m.substring(4) : m.substring(4, end);
        }
        return null;
      }
      case "plan", "ml" -> {
        // "Status: policy [APP] — ...", "model NAME [APP]: its inputs drifted …"
        int open = m.indexOf(" [");
        int close = open < 0 ? -1 : m.indexOf(']', open);
        return close < 0 ? null : m.substring(open + 2, close);
      }
      case "instance", "placement" -> {
        // "APP/COMPONENT/SLOT state on NODE", "APP/COMPONENT[/SLOT] unschedulable…"
        int slash = m.indexOf('/');
        int space = m.indexOf(' ');
        return slash > 0 && (space < 0 || slash < space) ? m.substring(0, slash) : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** One stream client's bounded queue. */
  final class Subscription implements AutoCloseable {
    private final BlockingQueue<AgentEvent> queue = new ArrayBlockingQueue<>(CLIENT_QUEUE);
    private final AtomicLong droppedHere = new AtomicLong();

    void offer(AgentEvent e) {
      if (!queue.offer(e)) {
        droppedHere.incrementAndGet();
        dropped.incrementAndGet();
      }
    }

    /** The next event, or null after the timeout. */
    AgentEvent poll(long millis) throws InterruptedException {
      return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    long dropped() {
      return droppedHere.get();
    }

    @Override
    public void close() {
      subscribers.remove(this);
    }
  }
}
