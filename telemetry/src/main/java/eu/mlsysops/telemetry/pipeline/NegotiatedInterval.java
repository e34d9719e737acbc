package eu.mlsysops.telemetry.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * How often an agent sends telemetry to its parent: the shortest interval any subscriber asked
 * for (the policies of the parent, and whatever the grandparent asked the parent for), never
 * shorter than a floor, and a fallback when nobody asks. This is the reference's scrape-interval
 * negotiation, and it changes live: listeners hear every change of the effective value.
 */
public final class NegotiatedInterval {
  private final Duration fallback;
  private final Duration floor;
  private final Map<String, Duration> requests = new ConcurrentHashMap<>();
  private final List<Consumer<Duration>> listeners = new CopyOnWriteArrayList<>();
  private volatile Duration current;

  /**
   * @param fallback the interval when no subscriber asked for one
   * @param floor the shortest interval granted, whatever is asked
   */
  public NegotiatedInterval(Duration fallback, Duration floor) {
    this.fallback = Objects.requireNonNull(fallback, "fallback");
    this.floor = Objects.requireNonNull(floor, "floor");
    if (floor.isNegative() || floor.isZero() || fallback.compareTo(floor) < 0) {
      throw new IllegalArgumentException(
          "need 0 < floor <= fallback, got floor " + floor + ", fallback " + fallback);
    }
    this.current = fallback;
  }

  /** Sets (or replaces) what {@code subscriber} asks for. */
  public void request(String subscriber, Duration interval) {
    Objects.requireNonNull(interval, "interval");
    requests.put(subscriber, interval);
    recompute();
  }

  /** Forgets what {@code subscriber} asked for. */
  public void withdraw(String subscriber) {
    if (requests.remove(subscriber) != null) {
      recompute();
    }
  }

  /** The effective interval now. */
  public Duration current() {
    return current;
  }

  /** Calls {@code listener} with each new effective interval; returns a handle that removes it. */
  public AutoCloseable onChange(Consumer<Duration> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void recompute() {
    Duration next;
    synchronized (this) {
      Duration min = requests.values().stream().min(Duration::compareTo).orElse(fallback);
      next = min.compareTo(floor) < 0 ? floor : min;
      if (next.equals(current)) {
        return;
      }
      current = next;
    }
    for (Consumer<Duration> l : listeners) {
      l.accept(next);
    }
  }
}
