package eu.mlsysops.northbound.api;

import eu.mlsysops.agent.tier.AgentEvent;
import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/v1/events}: server-sent events named by kind ({@code app}, {@code plan}, {@code
 * node}, {@code instance}, {@code cluster}) with data {@code {time, agent, kind, message}}, and a
 * comment ping every 15 s. Each client drains its own bounded queue; a slow client loses events
 * (counted, and told in a comment), never slows the agents or other clients.
 *
 * <p>The stream is written on the request's own thread (not Javalin's async path), so that the
 * request ends, in Jetty's normal life cycle, when the stream ends: on a write error (the client
 * went), or when the server closes.
 */
final class EventStream {
  static final int MAX_CLIENTS = 64;
  /**
   * Streams one token may hold at once: a browser tab or two and a script or two, not every slot
   * (one viewer could otherwise lock everybody else out, the admin included).
   */
  static final int MAX_PER_TOKEN = 8;
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> perToken =
      new java.util.concurrent.ConcurrentHashMap<>();
  static final long PING_MILLIS = 15_000;
  private static final long POLL_MILLIS = 250;
  private static final long CLOSE_WAIT_MILLIS = 3_000;

  private final NorthboundEvents events;
  private final ContinuumViews views;
  private final java.util.function.Predicate<String> stillValid;
  private final AtomicInteger active = new AtomicInteger();
  private volatile boolean closing;

  /**
   * @param stillValid whether the token of a name still authenticates: a stream of a revoked or
   *     expired token ends
   */
  EventStream(NorthboundEvents events, ContinuumViews views,
      java.util.function.Predicate<String> stillValid) {
    this.events = events;
    this.views = views;
    this.stillValid = stillValid;
  }

  void register(RouteTable r) {
    r.getWithQueryToken("/api/v1/events", Role.VIEWER, this::open);
  }

  /** Ends every stream and waits (a few seconds at most) until they have, so the server can stop. */
  void close() {
    closing = true;
    long deadline = System.currentTimeMillis() + CLOSE_WAIT_MILLIS;
    synchronized (active) {
      while (active.get() > 0 && System.currentTimeMillis() < deadline) {
        try {
          active.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void open(Context ctx, Principal who) throws IOException {
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      throw new ApiProblem(406, "this is an event stream: send Accept: text/event-stream");
    }
    if (closing) {
      throw new ApiProblem(503, "the server is stopping");
    }
    if (events.subscriberCount() >= MAX_CLIENTS) {
      throw new ApiProblem(503, "too many event streams are open (" + MAX_CLIENTS + ")");
    }
    String holder = who.name();
    if (perToken.merge(holder, 1, Integer::sum) > MAX_PER_TOKEN) {
      perToken.merge(holder, -1, (a, b) -> a + b == 0 ? null : a + b);
      throw new ApiProblem(429, "the token \"" + holder + "\" already has " + MAX_PER_TOKEN
          + " event streams open (the most one token may hold); close one first");
    }
    try {
      stream(ctx, who, Visibility.live(who, views::owner));
    } finally {
      perToken.merge(holder, -1, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  private void stream(Context ctx, Principal who, Visibility visible) {
    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setCharacterEncoding("UTF-8");
    res.setContentType("text/event-stream");
    res.setHeader("Cache-Control", "no-cache");
    res.setHeader("X-Accel-Buffering", "no");
    active.incrementAndGet();
    try (NorthboundEvents.Subscription sub = events.subscribe()) {
      ServletOutputStream out = res.getOutputStream();
      write(out, ": connected\n\n");
      long lastSent = System.currentTimeMillis();
      long reportedDrops = 0;
      while (!closing && stillValid.test(who.name())) {
        AgentEvent e = sub.poll(POLL_MILLIS);
        long now = System.currentTimeMillis();
        if (e != null && visible.event(e)) {
          write(out, "event: " + e.kind() + "\ndata: " + Json.write(data(e)) + "\n\n");
          lastSent = now;
        } else if (now - lastSent >= PING_MILLIS) {
          write(out, ": ping\n\n");
          lastSent = now;
        }
        long dropped = sub.dropped();
        if (dropped > reportedDrops) {
          reportedDrops = dropped;
          write(out, ": dropped " + dropped + " events: this client reads too slowly\n\n");
        }
      }
    } catch (IOException e) {
      // The client went away: the stream ends here.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (active) {
        active.decrementAndGet();
        active.notifyAll();
      }
    }
  }

  private static void write(ServletOutputStream out, String text) throws IOException {
    // Messages are one line each (JSON escapes newlines), so no data: line splitting is needed.
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static Map<String, Object> data(AgentEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", Json.iso(e.timeMillis()));
    m.put("agent", e.agent());
    m.put("kind", e.kind());
    m.put("message", e.message());
    return m;
  }
}
