package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a child sends up while its parent cannot hear it. Messages the link refuses (telemetry,
 * status reports, plans and their results) wait here, oldest dropped and counted when the buffer
 * is full, and go out in order, before anything newer, once the link is back. Heartbeats and
 * registrations are never kept: a stale one says nothing true. A link that buffers by itself
 * (the gRPC child side) never refuses, so this stays empty there.
 */
final class UplinkBuffer {
  /** Default capacity: about 15 minutes of one message per second. */
  static final int DEFAULT_CAPACITY = 1000;

  private final Link link;
  private final int capacity;
  private final ArrayDeque<Message> waiting = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();

  UplinkBuffer(Link link, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.link = link;
    this.capacity = capacity;
  }

  /** Sends, or keeps the message for later when the link refuses it. */
  void send(Message m) {
    if (m instanceof Message.Heartbeat || m instanceof Message.Register) {
      link.send(m);
      return;
    }
    synchronized (this) {
      // Order matters (a status report must not overtake an older one): while anything waits,
      // new messages queue behind it.
      if (waiting.isEmpty() && link.send(m)) {
        return;
      }
      if (waiting.size() >= capacity) {
        waiting.poll();
        dropped.incrementAndGet();
      }
      waiting.add(m);
    }
    if (link.isConnected()) {
      flush();
    }
  }

  /** Sends what waits, in order, until the link refuses again. */
  synchronized void flush() {
    while (!waiting.isEmpty()) {
      if (!link.send(waiting.peek())) {
        return;
      }
      waiting.poll();
    }
  }

  /** Messages waiting for the link. */
  synchronized int buffered() {
    return waiting.size();
  }

  /** Messages dropped because the buffer was full. */
  long dropped() {
    return dropped.get();
  }

  /** A copy of what waits (for tests and diagnostics). */
  synchronized List<Message> snapshot() {
    return new ArrayList<>(waiting);
  }
}
